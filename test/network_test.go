package test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The spec's network table, written out here rather than read from the config,
// so that a config change that breaks the spec fails these tests.
var specSubnets = []struct {
	name, zone, cidr string
	public           bool
}{
	{"Public Subnet 1", "us-east-1a", "10.0.1.0/24", true},
	{"Private Subnet 1", "us-east-1a", "10.0.2.0/24", false},
	{"Public Subnet 2", "us-east-1b", "10.0.3.0/24", true},
	{"Private Subnet 2", "us-east-1b", "10.0.4.0/24", false},
}

func TestStageEnvironment(t *testing.T) {
	net := synthAll().stage.Network.Stack
	if got := *net.Region(); got != "us-east-1" {
		t.Errorf("region = %q, want us-east-1", got)
	}
	if got := stack(t, "Network").name; got != "project-1-Network" {
		t.Errorf("network stack name = %q, want project-1-Network", got)
	}
}

func TestVpc(t *testing.T) {
	tpl := stack(t, "Network").Template()
	check(t, "one VPC", func() { tpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(1)) })
	check(t, "VPC values", func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::VPC"), map[string]any{
			"CidrBlock":          "10.0.0.0/16",
			"EnableDnsSupport":   true,
			"EnableDnsHostnames": true,
			"Tags":               assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "Name", "Value": "project-1"}}),
		})
	})
}

func TestSubnets(t *testing.T) {
	s := stack(t, "Network")
	tpl := s.Template()
	check(t, "four subnets", func() { tpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(4)) })
	for _, want := range specSubnets {
		check(t, want.name, func() {
			tpl.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{
				"CidrBlock":           want.cidr,
				"AvailabilityZone":    want.zone,
				"MapPublicIpOnLaunch": false,
				"VpcId":               map[string]any{"Ref": logicalID(t, synthAll().stage.Network.Vpc.Node().FindChild(jsii.String("Vpc")))},
				"Tags":                assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "Name", "Value": want.name}}),
			})
		})
	}
	for id, body := range s.resources("AWS::EC2::Subnet") {
		if v, ok := props(body)["MapPublicIpOnLaunch"]; !ok || v != false {
			t.Errorf("subnet %s: MapPublicIpOnLaunch = %v, want false", id, v)
		}
	}
}

func TestInternetGateway(t *testing.T) {
	s := stack(t, "Network")
	igws := s.resources("AWS::EC2::InternetGateway")
	attachments := s.resources("AWS::EC2::VPCGatewayAttachment")
	if len(igws) != 1 || len(attachments) != 1 {
		t.Fatalf("%d internet gateways and %d attachments, want exactly 1 of each", len(igws), len(attachments))
	}
	for id, igw := range igws {
		if got := nameTag(igw); got != "Project1-Gateway" {
			t.Errorf("internet gateway Name tag = %q, want Project1-Gateway", got)
		}
		for _, a := range attachments {
			if ref(props(a)["InternetGatewayId"]) != id || ref(props(a)["VpcId"]) != vpcID(t, s) {
				t.Errorf("attachment %v does not attach gateway %s to the VPC", props(a), id)
			}
		}
	}
}

func TestNatGateways(t *testing.T) {
	s := stack(t, "Network")
	subnets := s.resources("AWS::EC2::Subnet")
	eips := s.resources("AWS::EC2::EIP")
	nats := s.resources("AWS::EC2::NatGateway")
	if len(nats) != 2 || len(eips) != 2 {
		t.Fatalf("%d NAT gateways and %d Elastic IPs, want 2 of each (one per public subnet)", len(nats), len(eips))
	}
	usedEips := map[string]bool{}
	var natSubnets []string
	for id, nat := range nats {
		eip := ref(props(nat)["AllocationId"])
		if _, ok := eips[eip]; !ok || props(eips[eip])["Domain"] != "vpc" {
			t.Errorf("NAT gateway %s: AllocationId %v is not a VPC Elastic IP of this stack", id, props(nat)["AllocationId"])
		}
		usedEips[eip] = true
		natSubnets = append(natSubnets, nameTag(subnets[ref(props(nat)["SubnetId"])]))
	}
	if len(usedEips) != 2 {
		t.Errorf("NAT gateways share Elastic IPs: %v", usedEips)
	}
	sort.Strings(natSubnets)
	if want := []string{"Public Subnet 1", "Public Subnet 2"}; !slices.Equal(natSubnets, want) {
		t.Errorf("NAT gateways are in %q, want one in each of %q", natSubnets, want)
	}
}

func TestRouteTables(t *testing.T) {
	s := stack(t, "Network")
	subnets := s.resources("AWS::EC2::Subnet")
	nats := s.resources("AWS::EC2::NatGateway")
	igw := onlyID(t, s, "AWS::EC2::InternetGateway")
	attachment := onlyID(t, s, "AWS::EC2::VPCGatewayAttachment")

	tableOf := routeTables(t, s)
	routes := map[string][]map[string]any{} // route table -> routes
	for _, r := range s.resources("AWS::EC2::Route") {
		routes[ref(props(r)["RouteTableId"])] = append(routes[ref(props(r)["RouteTableId"])], r)
	}
	if n := len(s.resources("AWS::EC2::RouteTable")); n != 4 {
		t.Errorf("%d route tables, want 4 (one per subnet)", n)
	}

	for _, want := range specSubnets {
		subnet := subnetByName(t, s, want.name)
		table, ok := tableOf[subnet]
		if !ok {
			t.Errorf("%s has no route table association", want.name)
			continue
		}
		rs := routes[table]
		if len(rs) != 1 || props(rs[0])["DestinationCidrBlock"] != "0.0.0.0/0" {
			t.Errorf("%s: routes %v, want exactly one 0.0.0.0/0 route (plus the implicit local route)", want.name, rs)
			continue
		}
		route := props(rs[0])
		if want.public {
			if ref(route["GatewayId"]) != igw || route["NatGatewayId"] != nil {
				t.Errorf("%s: 0.0.0.0/0 goes to %v, want the internet gateway %s", want.name, route, igw)
			}
			if deps, _ := rs[0]["DependsOn"].([]any); !slices.Contains(deps, any(attachment)) {
				t.Errorf("%s: the internet route does not depend on the gateway attachment", want.name)
			}
			continue
		}
		nat := ref(route["NatGatewayId"])
		natSubnet := subnets[ref(props(nats[nat])["SubnetId"])]
		if nat == "" || route["GatewayId"] != nil {
			t.Errorf("%s: 0.0.0.0/0 goes to %v, want a NAT gateway", want.name, route)
		} else if zone := props(natSubnet)["AvailabilityZone"]; zone != want.zone {
			t.Errorf("%s (%s): 0.0.0.0/0 goes to the NAT gateway in %v, want the one in the same zone", want.name, want.zone, zone)
		}
	}
}

func TestFlowLogs(t *testing.T) {
	s := stack(t, "Network")
	tpl := s.Template()
	check(t, "flow log of the VPC", func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{
			"ResourceType":       "VPC",
			"ResourceId":         map[string]any{"Ref": vpcID(t, s)},
			"TrafficType":        "ALL",
			"LogDestinationType": "cloud-watch-logs",
		})
	})
	check(t, "flow log group kept 365 days and retained", func() {
		tpl.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
			"Properties":     map[string]any{"RetentionInDays": 365},
			"DeletionPolicy": "RetainExceptOnCreate",
		})
	})
}

func TestGatewayEndpoints(t *testing.T) {
	s := stack(t, "Network")
	tableOf := routeTables(t, s)
	var privateTables []string
	for _, name := range []string{"Private Subnet 1", "Private Subnet 2"} {
		privateTables = append(privateTables, tableOf[subnetByName(t, s, name)])
	}
	services := map[string]bool{}
	for id, e := range s.resources("AWS::EC2::VPCEndpoint") {
		p := props(e)
		if p["VpcEndpointType"] != "Gateway" {
			t.Errorf("endpoint %s: type %v, want Gateway", id, p["VpcEndpointType"])
		}
		var tables []string
		for _, r := range p["RouteTableIds"].([]any) {
			tables = append(tables, ref(r))
		}
		if !sameSet(tables, privateTables) {
			t.Errorf("endpoint %s: route tables %v, want the private ones %v", id, tables, privateTables)
		}
		services[fmt.Sprint(p["ServiceName"])] = true
	}
	if len(services) != 2 {
		t.Fatalf("endpoints for %d services, want S3 and DynamoDB", len(services))
	}
	for svc := range services {
		if !(strings.Contains(svc, ".s3") || strings.Contains(svc, ".dynamodb")) {
			t.Errorf("unexpected endpoint service %s", svc)
		}
	}
}

// routeTables maps each subnet's logical id to its route table's, and fails
// the test when a subnet has more than one.
func routeTables(t *testing.T, s *stackOutput) map[string]string {
	t.Helper()
	tableOf := map[string]string{}
	for id, a := range s.resources("AWS::EC2::SubnetRouteTableAssociation") {
		subnet, table := ref(props(a)["SubnetId"]), ref(props(a)["RouteTableId"])
		if _, dup := tableOf[subnet]; dup {
			t.Errorf("subnet %s has more than one route table (%s)", subnet, id)
		}
		tableOf[subnet] = table
	}
	return tableOf
}

// logicalID is the logical id of c (a CfnElement, or an L2 with a default child).
func logicalID(t *testing.T, c constructs.IConstruct) string {
	t.Helper()
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		el, ok = c.Node().DefaultChild().(awscdk.CfnElement)
	}
	if !ok {
		t.Fatalf("%s is not a CloudFormation element", *c.Node().Path())
	}
	return *awscdk.Stack_Of(c).GetLogicalId(el)
}

func vpcID(t *testing.T, s *stackOutput) string { return onlyID(t, s, "AWS::EC2::VPC") }

// onlyID is the logical id of the one resource of type typ.
func onlyID(t *testing.T, s *stackOutput, typ string) string {
	t.Helper()
	rs := s.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), typ)
	}
	for id := range rs {
		return id
	}
	return ""
}

// subnetByName is the logical id of the subnet with Name tag name.
func subnetByName(t *testing.T, s *stackOutput, name string) string {
	t.Helper()
	for id, body := range s.resources("AWS::EC2::Subnet") {
		if nameTag(body) == name {
			return id
		}
	}
	t.Fatalf("no subnet named %q", name)
	return ""
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

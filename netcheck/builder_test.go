package netcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// obj and arr keep hand-written templates short.
type (
	obj = map[string]any
	arr = []any
)

func ref(id string) obj           { return obj{"Ref": id} }
func getAtt(id, attr string) obj  { return obj{"Fn::GetAtt": arr{id, attr}} }
func importValue(name string) obj { return obj{"Fn::ImportValue": name} }

// stackOutput is CDK's weak cross-stack reference, as
// @aws-cdk/core:defaultCrossStackReferences "weak" writes it.
func stackOutput(stack, region, output string) obj {
	arg := obj{"StackName": stack, "OutputName": output}
	if region != "" {
		arg["Region"] = region
	}
	return obj{"Fn::GetStackOutput": arg}
}
func groupID(id string) obj { return getAtt(id, "GroupId") }
func tcp(from, to int, peer obj) obj {
	return merge(obj{"IpProtocol": "tcp", "FromPort": from, "ToPort": to}, peer)
}
func cidrIP(c string) obj { return obj{"CidrIp": c} }

func merge(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// stack is a template under construction.
type stack struct{ t obj }

func newStack() *stack { return &stack{obj{"Resources": obj{}}} }

func (s *stack) add(id, typ string, props obj) *stack {
	s.t["Resources"].(obj)[id] = obj{"Type": typ, "Properties": props}
	return s
}

func (s *stack) remove(id string) *stack {
	delete(s.t["Resources"].(obj), id)
	return s
}

func (s *stack) props(id string) obj {
	return s.t["Resources"].(obj)[id].(obj)["Properties"].(obj)
}

func (s *stack) export(id, name string, v any) *stack {
	outs, _ := s.t["Outputs"].(obj)
	if outs == nil {
		outs = obj{}
		s.t["Outputs"] = outs
	}
	outs[id] = obj{"Value": v, "Export": obj{"Name": name}}
	return s
}

// output adds a plain output, with no export.
func (s *stack) output(id string, v any) *stack {
	outs, _ := s.t["Outputs"].(obj)
	if outs == nil {
		outs = obj{}
		s.t["Outputs"] = outs
	}
	outs[id] = obj{"Value": v}
	return s
}

// acl adds a network ACL with entries "in|out NUMBER allow|deny CIDR FROM-TO"
// (protocol TCP; "all" instead of FROM-TO means protocol -1) and associates
// it with subnets.
func (s *stack) acl(id string, subnets []string, entries ...string) *stack {
	s.add(id, "AWS::EC2::NetworkAcl", obj{"VpcId": ref("Vpc")})
	for i, e := range entries {
		f := strings.Fields(e)
		entry := obj{
			"NetworkAclId": ref(id), "Egress": f[0] == "out", "RuleNumber": atoi(f[1]),
			"RuleAction": f[2], "CidrBlock": f[3], "Protocol": 6,
		}
		if f[4] == "all" {
			entry["Protocol"] = -1
		} else {
			from, to, _ := strings.Cut(f[4], "-")
			if to == "" {
				to = from
			}
			entry["PortRange"] = obj{"From": atoi(from), "To": atoi(to)}
		}
		s.add(id+"Entry"+strconv.Itoa(i), "AWS::EC2::NetworkAclEntry", entry)
	}
	for _, sn := range subnets {
		s.add(id+"Assoc"+sn, "AWS::EC2::SubnetNetworkAclAssociation", obj{"NetworkAclId": ref(id), "SubnetId": ref(sn)})
	}
	return s
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// baseStack is a one-zone VPC: PublicA (10.0.1.0/24) routes to an attached
// internet gateway and holds the NAT gateway and an internet-facing ALB;
// PrivateA (10.0.2.0/24) routes to the NAT gateway and holds the Web
// instance and the DB. No network ACL is associated (the default ACL allows
// all). Security groups: Alb (80 from anywhere), Web (80 from Alb; default
// egress), Db (3306 from Web; CDK's no-egress marker).
func baseStack() *stack {
	s := newStack()
	s.add("Vpc", "AWS::EC2::VPC", obj{"CidrBlock": "10.0.0.0/16"})
	s.add("Igw", "AWS::EC2::InternetGateway", obj{})
	s.add("IgwAttach", "AWS::EC2::VPCGatewayAttachment", obj{"VpcId": ref("Vpc"), "InternetGatewayId": ref("Igw")})
	s.subnet("PublicA", "10.0.1.0/24", "us-east-1a")
	s.subnet("PrivateA", "10.0.2.0/24", "us-east-1a")
	s.add("PublicARoute", "AWS::EC2::Route", obj{"RouteTableId": ref("PublicARt"), "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ref("Igw")})
	s.add("NatEip", "AWS::EC2::EIP", obj{"Domain": "vpc"})
	s.add("Nat", "AWS::EC2::NatGateway", obj{"SubnetId": ref("PublicA"), "AllocationId": getAtt("NatEip", "AllocationId")})
	s.add("PrivateARoute", "AWS::EC2::Route", obj{"RouteTableId": ref("PrivateARt"), "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ref("Nat")})

	s.add("AlbSg", "AWS::EC2::SecurityGroup", obj{"VpcId": ref("Vpc"),
		"SecurityGroupIngress": arr{tcp(80, 80, cidrIP("0.0.0.0/0"))}})
	s.add("WebSg", "AWS::EC2::SecurityGroup", obj{"VpcId": ref("Vpc")})
	s.add("WebFromAlb", "AWS::EC2::SecurityGroupIngress", merge(tcp(80, 80, obj{"SourceSecurityGroupId": groupID("AlbSg")}), obj{"GroupId": groupID("WebSg")}))
	s.add("DbSg", "AWS::EC2::SecurityGroup", obj{"VpcId": ref("Vpc"),
		"SecurityGroupEgress": arr{obj{"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}}})
	s.add("DbFromWeb", "AWS::EC2::SecurityGroupIngress", merge(tcp(3306, 3306, obj{"SourceSecurityGroupId": groupID("WebSg")}), obj{"GroupId": groupID("DbSg")}))

	s.add("Alb", "AWS::ElasticLoadBalancingV2::LoadBalancer", obj{"Scheme": "internet-facing",
		"Subnets": arr{ref("PublicA")}, "SecurityGroups": arr{groupID("AlbSg")}})
	s.add("Web", "AWS::EC2::Instance", obj{"SubnetId": ref("PrivateA"), "SecurityGroupIds": arr{groupID("WebSg")}})
	s.add("DbSubnets", "AWS::RDS::DBSubnetGroup", obj{"SubnetIds": arr{ref("PrivateA")}})
	s.add("Db", "AWS::RDS::DBInstance", obj{"DBSubnetGroupName": ref("DbSubnets"),
		"VPCSecurityGroups": arr{groupID("DbSg")}, "PubliclyAccessible": false})
	return s
}

// subnet adds a subnet of Vpc with its own route table, named id+"Rt".
func (s *stack) subnet(id, cidr, az string) *stack {
	s.add(id, "AWS::EC2::Subnet", obj{"VpcId": ref("Vpc"), "CidrBlock": cidr, "AvailabilityZone": az, "MapPublicIpOnLaunch": false})
	s.add(id+"Rt", "AWS::EC2::RouteTable", obj{"VpcId": ref("Vpc")})
	s.add(id+"RtAssoc", "AWS::EC2::SubnetRouteTableAssociation", obj{"SubnetId": ref(id), "RouteTableId": ref(id + "Rt")})
	return s
}

// model builds a one-stack model.
func (s *stack) model(t *testing.T) *Model {
	t.Helper()
	m, err := FromTemplates(map[string]map[string]any{"Test": s.t})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// codes lists a result's reason codes.
func codes(r Result) []Code {
	var out []Code
	for _, x := range r.Reasons {
		out = append(out, x.Code)
	}
	return out
}

// expectAllowed fails unless every path of the flow is open.
func expectAllowed(t *testing.T, m *Model, from, to Endpoint, port int) Result {
	t.Helper()
	r := m.Check(from, to, port)
	if r.Verdict != VerdictAllow || !r.Allowed {
		t.Errorf("%s -> %s %d: %s, want allow; reasons:\n%s", from, to, port, r.Verdict, reasonLines(r))
	}
	return r
}

// expectBlocked fails unless no path is open and a reason has code; it
// returns the first such reason.
func expectBlocked(t *testing.T, m *Model, from, to Endpoint, port int, code Code) Reason {
	t.Helper()
	r := m.Check(from, to, port)
	if r.Verdict != VerdictBlock || r.Allowed {
		t.Errorf("%s -> %s %d: %s, want block", from, to, port, r.Verdict)
	}
	i := slices.IndexFunc(r.Reasons, func(x Reason) bool { return x.Code == code })
	if i < 0 {
		t.Errorf("%s -> %s %d: no %s reason; reasons:\n%s", from, to, port, code, reasonLines(r))
		return Reason{}
	}
	return r.Reasons[i]
}

func reasonLines(r Result) string {
	var b strings.Builder
	for _, x := range r.Reasons {
		b.WriteString("  " + x.String() + "\n")
	}
	return b.String()
}

// assemblyStack is one stack of a cloud assembly written by writeAssembly.
type assemblyStack struct {
	stage  string // the CDK Stage's path ("dev", "Pipeline/dev"); "" for the top level
	name   string // the stack name
	region string // the artifact's environment region; "" for unknown-region
	t      obj
	// protected sets the artifact's properties.terminationProtection.
	protected bool
}

// writeAssembly writes a cloud assembly as cdk synth lays it out: the
// top-level manifest.json, one nested assembly per Stage (a Stage inside a
// Stage nested inside its directory), and the templates. It returns its
// directory.
func writeAssembly(t *testing.T, stacks ...assemblyStack) string {
	t.Helper()
	root := t.TempDir()
	manifests := map[string]obj{} // by stage path
	var artifacts func(stage string) obj
	artifacts = func(stage string) obj {
		if m, ok := manifests[stage]; ok {
			return m
		}
		m := obj{}
		manifests[stage] = m
		if stage != "" {
			parent := ""
			if i := strings.LastIndex(stage, "/"); i >= 0 {
				parent = stage[:i]
			}
			id := "assembly-" + strings.ReplaceAll(stage, "/", "-")
			artifacts(parent)[id] = obj{"type": "cdk:cloud-assembly",
				"properties": obj{"directoryName": id, "displayName": stage}}
		}
		return m
	}
	dirOf := func(stage string) string {
		dir := root
		if stage == "" {
			return dir
		}
		parts := strings.Split(stage, "/")
		for i := range parts {
			dir = filepath.Join(dir, "assembly-"+strings.Join(parts[:i+1], "-"))
		}
		return dir
	}
	write := func(path string, v any) {
		t.Helper()
		data, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stacks {
		id := strings.ReplaceAll(s.name, "-", "")
		region := s.region
		if region == "" {
			region = "unknown-region"
		}
		artifacts(s.stage)[id] = obj{"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/" + region,
			"properties": obj{"templateFile": id + ".template.json", "stackName": s.name, "terminationProtection": s.protected}}
		write(filepath.Join(dirOf(s.stage), id+".template.json"), s.t)
	}
	artifacts("")
	for stage, m := range manifests {
		write(filepath.Join(dirOf(stage), "manifest.json"), obj{"version": "48.0.0", "artifacts": m})
	}
	return root
}

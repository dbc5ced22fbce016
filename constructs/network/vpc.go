// Package network models the project-1 VPC: exact subnets, gateways, routes,
// network ACLs, flow logs, gateway endpoints and the chained security groups.
//
// The VPC is built from the L1 (Cfn*) resources rather than awsec2.Vpc. The L2
// allocates subnet CIDRs itself, public subnets first, so it cannot place the
// spec's interleaved blocks (10.0.1.0/24 public, 10.0.2.0/24 private, ...), and it
// looks up availability zones unless the stack has them pinned. Building from L1
// gives exact CIDRs, pinned zones and logical IDs that depend only on the
// construct ids below. Workloads still get an awsec2.IVpc (Vpc.Vpc), made with
// awsec2.Vpc_FromVpcAttributes from those resources, so L2 constructs such as
// the load balancer, Auto Scaling group and RDS instance take it unchanged.
package network

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/keypolicy"
	"github.com/project-1/project-1/internal/retention"
	"github.com/project-1/project-1/internal/validate"
)

// Vpc is the network of one environment. Workloads take Vpc.Vpc (an awsec2.IVpc);
// its public and private subnet selections are the subnets below.
type Vpc struct {
	constructs.Construct
	// Vpc is the VPC as an L2 interface, for constructs that take an awsec2.IVpc.
	Vpc awsec2.IVpc
	// PublicSubnets and PrivateSubnets are in the order of VpcProps.Subnets.
	PublicSubnets  []awsec2.ISubnet
	PrivateSubnets []awsec2.ISubnet
	// InternetGatewayId is the VPC's one internet gateway, attached.
	InternetGatewayId *string
	// NatGatewayIds are the NAT gateways' ids, in the public subnets, in the
	// order of VpcProps.Subnets.
	NatGatewayIds []*string
	// FlowLogKey encrypts the flow-log group (retained, rotated).
	FlowLogKey awskms.Key

	igw  awsec2.CfnInternetGateway
	nats []awsec2.CfnNatGateway
}

// NewVpc builds the VPC, its subnets, route tables, internet gateway, NAT
// gateways, network ACLs, flow logs and S3/DynamoDB gateway endpoints. It panics
// when props do not pass VpcProps.Validate, or when the stack's region is
// known and a subnet's zone is not in it: validate configuration first.
func NewVpc(scope constructs.Construct, id string, props *VpcProps) *Vpc {
	if props == nil {
		props = &VpcProps{}
	}
	err := props.Validate()
	if region := awscdk.Stack_Of(scope).Region(); !*awscdk.Token_IsUnresolved(region) {
		err = errors.Join(err, props.ValidateZones(*region))
	}
	validate.Props("network.NewVpc", id, err)
	this := constructs.NewConstruct(scope, &id)
	v := &Vpc{Construct: this}
	vpc, attachment := v.addVpc(this, props)
	public, private, natByZone := v.addSubnets(this, vpc, attachment, props)
	v.routePrivateSubnets(this, private, natByZone)
	v.importVpc(this, vpc, public, private)
	newNetworkAcls(this, vpc, v, props.PublicAclRdpGap, props.Cidr, cidrsOf(public), cidrsOf(private))
	v.addFlowLogs(this, props.FlowLogRetentionDays)
	addEndpoints(this, v.Vpc)
	return v
}

// addVpc is the VPC, with DNS, and its internet gateway, attached.
func (v *Vpc) addVpc(this constructs.Construct, props *VpcProps) (awsec2.CfnVPC, awsec2.CfnVPCGatewayAttachment) {
	vpc := awsec2.NewCfnVPC(this, jsii.String("Vpc"), &awsec2.CfnVPCProps{
		CidrBlock:          jsii.String(props.Cidr),
		EnableDnsSupport:   jsii.Bool(true),
		EnableDnsHostnames: jsii.Bool(true),
		Tags:               nameTag(props.Name),
	})
	v.igw = awsec2.NewCfnInternetGateway(this, jsii.String("InternetGateway"), &awsec2.CfnInternetGatewayProps{
		Tags: nameTag(props.InternetGatewayName),
	})
	attachment := awsec2.NewCfnVPCGatewayAttachment(this, jsii.String("InternetGatewayAttachment"), &awsec2.CfnVPCGatewayAttachmentProps{
		VpcId:             vpc.Ref(),
		InternetGatewayId: v.igw.Ref(),
	})
	v.InternetGatewayId = v.igw.Ref()
	return vpc, attachment
}

// importVpc is the VPC as an L2 (awsec2.IVpc), for the constructs that take
// one, with its subnets and their route tables.
func (v *Vpc) importVpc(this constructs.Construct, vpc awsec2.CfnVPC, public, private []placed) {
	v.Vpc = awsec2.Vpc_FromVpcAttributes(this, jsii.String("Imported"), &awsec2.VpcAttributes{
		VpcId:                      vpc.Ref(),
		VpcCidrBlock:               vpc.AttrCidrBlock(),
		AvailabilityZones:          jsii.Strings(zonesOf(public)...),
		PublicSubnetIds:            refs(public, false),
		PublicSubnetRouteTableIds:  refs(public, true),
		PrivateSubnetIds:           refs(private, false),
		PrivateSubnetRouteTableIds: refs(private, true),
	})
	v.PublicSubnets = *v.Vpc.PublicSubnets()
	v.PrivateSubnets = *v.Vpc.PrivateSubnets()
}

// placed is one subnet of VpcProps.Subnets as created, with its route table.
type placed struct {
	spec   Subnet
	subnet awsec2.CfnSubnet
	table  awsec2.CfnRouteTable
}

// addSubnets creates each subnet of props with its route table, in order;
// each public one with its route to the internet gateway and, up to
// props.NatGateways, a NAT gateway with its own Elastic IP.
func (v *Vpc) addSubnets(this constructs.Construct, vpc awsec2.CfnVPC, attachment awsec2.CfnVPCGatewayAttachment, props *VpcProps) (public, private []placed, natByZone map[string]awsec2.CfnNatGateway) {
	natByZone = map[string]awsec2.CfnNatGateway{}
	for _, s := range props.Subnets {
		kind, ordinal := "Private", len(private)+1
		if s.Public {
			kind, ordinal = "Public", len(public)+1
		}
		// Ids come from the kind and ordinal, not the Name tag: renaming a subnet
		// retags it in place instead of replacing it.
		prefix := fmt.Sprintf("%sSubnet%d", kind, ordinal)
		p := placed{spec: s}
		p.subnet = awsec2.NewCfnSubnet(this, jsii.String(prefix), &awsec2.CfnSubnetProps{
			VpcId:               vpc.Ref(),
			CidrBlock:           jsii.String(s.Cidr),
			AvailabilityZone:    jsii.String(s.AvailabilityZone),
			MapPublicIpOnLaunch: jsii.Bool(false),
			Tags:                nameTag(s.Name),
		})
		p.table = awsec2.NewCfnRouteTable(this, jsii.String(prefix+"RouteTable"), &awsec2.CfnRouteTableProps{
			VpcId: vpc.Ref(),
			Tags:  nameTag(s.Name),
		})
		awsec2.NewCfnSubnetRouteTableAssociation(this, jsii.String(prefix+"RouteTableAssociation"), &awsec2.CfnSubnetRouteTableAssociationProps{
			SubnetId:     p.subnet.Ref(),
			RouteTableId: p.table.Ref(),
		})
		if !s.Public {
			private = append(private, p)
			continue
		}
		public = append(public, p)
		route := awsec2.NewCfnRoute(this, jsii.String(prefix+"DefaultRoute"), &awsec2.CfnRouteProps{
			RouteTableId:         p.table.Ref(),
			DestinationCidrBlock: jsii.String(anywhere),
			GatewayId:            v.igw.Ref(),
		})
		// The route fails until the gateway is attached.
		route.AddResourceDependency(attachment, jsii.String("the internet gateway must be attached first"))
		if len(v.nats) < props.NatGateways {
			natByZone[s.AvailabilityZone] = v.addNatGateway(this, prefix, p, route)
		}
	}
	return public, private, natByZone
}

// addNatGateway puts a NAT gateway with its own Elastic IP into the public
// subnet p, once the subnet's route to the internet exists.
func (v *Vpc) addNatGateway(this constructs.Construct, prefix string, p placed, route awsec2.CfnRoute) awsec2.CfnNatGateway {
	eip := awsec2.NewCfnEIP(this, jsii.String(prefix+"Eip"), &awsec2.CfnEIPProps{
		Domain: jsii.String("vpc"),
		Tags:   nameTag(p.spec.Name + "-nat"),
	})
	nat := awsec2.NewCfnNatGateway(this, jsii.String(prefix+"NatGateway"), &awsec2.CfnNatGatewayProps{
		SubnetId:     p.subnet.Ref(),
		AllocationId: eip.AttrAllocationId(),
		Tags:         nameTag(p.spec.Name + "-nat"),
	})
	// A NAT gateway is useless until its subnet reaches the internet.
	nat.AddResourceDependency(route, jsii.String("a NAT gateway needs its subnet's route to the internet"))
	v.nats = append(v.nats, nat)
	v.NatGatewayIds = append(v.NatGatewayIds, nat.Ref())
	return nat
}

// routePrivateSubnets sends each private subnet's 0.0.0.0/0 to the NAT
// gateway in its own zone, or to the first one when its zone has none (a
// single shared NAT gateway).
func (v *Vpc) routePrivateSubnets(this constructs.Construct, private []placed, natByZone map[string]awsec2.CfnNatGateway) {
	for i, p := range private {
		nat, ok := natByZone[p.spec.AvailabilityZone]
		if !ok {
			nat = v.nats[0]
		}
		awsec2.NewCfnRoute(this, jsii.String(fmt.Sprintf("PrivateSubnet%dDefaultRoute", i+1)), &awsec2.CfnRouteProps{
			RouteTableId:         p.table.Ref(),
			DestinationCidrBlock: jsii.String(anywhere),
			NatGatewayId:         nat.Ref(),
		})
	}
}

// zonesOf, cidrsOf and refs read the placed subnets: their zones, their
// CIDRs, and the refs of the subnets or of their route tables.
func zonesOf(ps []placed) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.spec.AvailabilityZone)
	}
	return out
}

func cidrsOf(ps []placed) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.spec.Cidr)
	}
	return out
}

func refs(ps []placed, tables bool) *[]*string {
	var out []*string
	for _, p := range ps {
		if tables {
			out = append(out, p.table.Ref())
		} else {
			out = append(out, p.subnet.Ref())
		}
	}
	return &out
}

// addFlowLogs records every accepted and rejected flow, kept for the
// configured time, encrypted with a key of this stack.
func (v *Vpc) addFlowLogs(this constructs.Construct, retentionDays int) {
	v.FlowLogKey = keypolicy.NewLogsKey(this, "FlowLogKey", "project-1: encrypts the VPC flow-log group")
	days, _ := retention.Of(retentionDays) // checked by Validate
	flowLogs := awslogs.NewLogGroup(this, jsii.String("FlowLogs"), &awslogs.LogGroupProps{
		Retention:     days,
		EncryptionKey: v.FlowLogKey,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	awsec2.NewFlowLog(this, jsii.String("FlowLog"), &awsec2.FlowLogProps{
		ResourceType: awsec2.FlowLogResourceType_FromVpc(v.Vpc),
		Destination:  awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
		TrafficType:  awsec2.FlowLogTrafficType_ALL,
	})
}

// addEndpoints lets S3 and DynamoDB traffic from the private subnets bypass
// the NAT gateways (and their per-GB processing charge).
func addEndpoints(this constructs.Construct, vpc awsec2.IVpc) {
	private := []*awsec2.SubnetSelection{{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}}
	awsec2.NewGatewayVpcEndpoint(this, jsii.String("S3Endpoint"), &awsec2.GatewayVpcEndpointProps{
		Vpc:     vpc,
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &private,
	})
	awsec2.NewGatewayVpcEndpoint(this, jsii.String("DynamoDbEndpoint"), &awsec2.GatewayVpcEndpointProps{
		Vpc:     vpc,
		Service: awsec2.GatewayVpcEndpointAwsService_DYNAMODB(),
		Subnets: &private,
	})
}

const anywhere = "0.0.0.0/0"

func nameTag(name string) *[]*awscdk.CfnTag {
	return &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String(name)}}
}

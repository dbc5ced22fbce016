package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Network ACLs are stateless: every flow needs a rule for its request and one for
// its reply (ephemeral ports 1024-65535), in and out of each subnet it crosses.
// A flow through a NAT gateway crosses the public subnet twice: leg 1 from the
// private instance to the NAT gateway, leg 2 from the NAT gateway to the internet,
// and the replies come back the same way with the internet host as source.
//
// Every entry below names the flows it serves. Anything not allowed is denied by
// the ACL's implicit final rule.
//
// A reply arrives on the client's ephemeral port, so a deny inside a client's
// ephemeral range drops the replies to the connections that happen to use that
// port. In the public subnets the clients are the load balancer and the NAT
// gateways, which use 1024-65535: their ACL admits the whole range back and
// denies nothing inside it (an inbound deny of 3389 here dropped about one
// connection in 64,512). RDP to the public tier stays blocked: the load
// balancer's group admits 80 and 443 only, and NAT gateways accept no inbound
// connections. VpcProps.PublicAclRdpGap trades that one connection in 64,512
// for an ACL that Control Tower's CT.EC2.PR.5 accepts.
//
// In the private subnets the clients are the web servers, whose
// Linux kernel picks 32768-60999: the explicit denies of 22, 3389 and 3306 lie
// outside it, come first so an allow added later cannot open them, and the
// inbound ephemeral ranges skip 3389, so no private entry allows 0.0.0.0/0 in
// to 22 or 3389 (Security Hub EC2.21).

// AclRule is one network ACL entry. One entry is made per CIDR, numbered
// Number, Number+1, ... in the order of Cidrs.
type AclRule struct {
	Number   int
	Egress   bool
	Allow    bool
	Cidrs    []string
	FromPort int
	ToPort   int
	Flow     string // which flow of the spec's reachability table the rule serves
}

const (
	tcp          = 6
	ephemeralLow = 1024
	rdp          = 3389
	ssh          = 22
	mysql        = 3306
	portMax      = 65535
)

// PublicAclRules are the entries of the public subnets' ACL (load balancer and
// NAT gateways), as NewVpc makes them by default.
func PublicAclRules() []AclRule { return publicAclRules(false) }

// PublicAclRulesWithRdpGap are the entries of the public subnets' ACL with
// VpcProps.PublicAclRdpGap: the replies skip 3389, which is denied.
func PublicAclRulesWithRdpGap() []AclRule { return publicAclRules(true) }

func publicAclRules(rdpGap bool) []AclRule {
	world := []string{anywhere}
	rules := []AclRule{
		{Number: 50, Cidrs: world, FromPort: ssh, ToPort: ssh, Flow: "SSH from anywhere: blocked"},
		{Number: 100, Allow: true, Cidrs: world, FromPort: 80, ToPort: 80, Flow: "internet -> ALB HTTP; EC2 -> NAT gateway HTTP (leg 1)"},
		{Number: 110, Allow: true, Cidrs: world, FromPort: 443, ToPort: 443, Flow: "internet -> ALB HTTPS; EC2 -> NAT gateway HTTPS (leg 1)"},
	}
	if rdpGap {
		rules = append(rules,
			AclRule{Number: 60, Cidrs: world, FromPort: rdp, ToPort: rdp, Flow: "RDP from anywhere: blocked (PublicAclRdpGap: drops the replies on port 3389 too)"},
			AclRule{Number: 120, Allow: true, Cidrs: world, FromPort: ephemeralLow, ToPort: rdp - 1, Flow: "replies: internet -> NAT gateway (leg 2), EC2 -> ALB, below 3389"},
			AclRule{Number: 130, Allow: true, Cidrs: world, FromPort: rdp + 1, ToPort: portMax, Flow: "replies: internet -> NAT gateway (leg 2), EC2 -> ALB, above 3389"})
	} else {
		rules = append(rules, AclRule{Number: 120, Allow: true, Cidrs: world, FromPort: ephemeralLow, ToPort: portMax,
			Flow: "replies: internet -> NAT gateway (leg 2), EC2 -> ALB, on their whole ephemeral range 1024-65535 (RDP to this tier: its security groups block it)"})
	}
	return append(rules,
		AclRule{Number: 100, Egress: true, Allow: true, Cidrs: world, FromPort: 80, ToPort: 80, Flow: "NAT gateway -> internet HTTP (leg 2); ALB -> EC2 HTTP"},
		AclRule{Number: 110, Egress: true, Allow: true, Cidrs: world, FromPort: 443, ToPort: 443, Flow: "NAT gateway -> internet HTTPS (leg 2); ALB -> EC2 HTTPS"},
		AclRule{Number: 120, Egress: true, Allow: true, Cidrs: world, FromPort: ephemeralLow, ToPort: portMax, Flow: "replies: ALB -> internet clients, NAT gateway -> EC2 (leg 1)"},
	)
}

// PrivateAclRules are the entries of the private subnets' ACL (web tier and
// database), given the CIDRs of the VPC and of both tiers' subnets.
func PrivateAclRules(vpcCidr string, publicCidrs, privateCidrs []string) []AclRule {
	world := []string{anywhere}
	return []AclRule{
		{Number: 50, Cidrs: world, FromPort: ssh, ToPort: ssh, Flow: "SSH from anywhere: blocked"},
		{Number: 60, Cidrs: world, FromPort: rdp, ToPort: rdp, Flow: "RDP from anywhere: blocked"},
		{Number: 100, Allow: true, Cidrs: publicCidrs, FromPort: 80, ToPort: 80, Flow: "ALB -> EC2 HTTP"},
		{Number: 110, Allow: true, Cidrs: publicCidrs, FromPort: 443, ToPort: 443, Flow: "ALB -> EC2 HTTPS"},
		{Number: 120, Allow: true, Cidrs: privateCidrs, FromPort: mysql, ToPort: mysql, Flow: "EC2 -> RDS MySQL"},
		{Number: 130, Cidrs: world, FromPort: mysql, ToPort: mysql, Flow: "MySQL from anywhere else: blocked (the ephemeral range below covers 3306)"},
		{Number: 140, Allow: true, Cidrs: world, FromPort: ephemeralLow, ToPort: rdp - 1, Flow: "replies: internet -> EC2 via NAT gateway, S3/DynamoDB endpoints -> EC2, RDS -> EC2"},
		{Number: 150, Allow: true, Cidrs: world, FromPort: rdp + 1, ToPort: portMax, Flow: "replies: internet -> EC2 via NAT gateway, S3/DynamoDB endpoints -> EC2, RDS -> EC2"},

		{Number: 100, Egress: true, Allow: true, Cidrs: world, FromPort: 80, ToPort: 80, Flow: "EC2 -> internet HTTP via NAT gateway (leg 1)"},
		{Number: 110, Egress: true, Allow: true, Cidrs: world, FromPort: 443, ToPort: 443, Flow: "EC2 -> internet HTTPS via NAT gateway (leg 1), S3/DynamoDB endpoints, SSM"},
		{Number: 120, Egress: true, Allow: true, Cidrs: privateCidrs, FromPort: mysql, ToPort: mysql, Flow: "EC2 -> RDS MySQL"},
		{Number: 130, Egress: true, Allow: true, Cidrs: []string{vpcCidr}, FromPort: ephemeralLow, ToPort: portMax, Flow: "replies: EC2 -> ALB, RDS -> EC2"},
	}
}

// newNetworkAcls creates one ACL per tier and associates it with every subnet
// of that tier, replacing the VPC's allow-all default ACL on all of them.
func newNetworkAcls(scope constructs.Construct, vpc awsec2.CfnVPC, v *Vpc, rdpGap bool, vpcCidr string, publicCidrs, privateCidrs []string) {
	newAcl(scope, "PublicAcl", vpc, v.PublicSubnets, publicAclRules(rdpGap))
	newAcl(scope, "PrivateAcl", vpc, v.PrivateSubnets, PrivateAclRules(vpcCidr, publicCidrs, privateCidrs))
}

func newAcl(scope constructs.Construct, id string, vpc awsec2.CfnVPC, subnets []awsec2.ISubnet, rules []AclRule) {
	this := constructs.NewConstruct(scope, &id)
	acl := awsec2.NewCfnNetworkAcl(this, jsii.String("Resource"), &awsec2.CfnNetworkAclProps{
		VpcId: vpc.Ref(),
		Tags:  nameTag(id),
	})
	for _, r := range rules {
		direction, action := "Ingress", "deny"
		if r.Egress {
			direction = "Egress"
		}
		if r.Allow {
			action = "allow"
		}
		for i, cidr := range r.Cidrs {
			number := r.Number + i
			awsec2.NewCfnNetworkAclEntry(this, jsii.String(fmt.Sprintf("%s%d", direction, number)), &awsec2.CfnNetworkAclEntryProps{
				NetworkAclId: acl.Ref(),
				RuleNumber:   jsii.Number(number),
				Egress:       jsii.Bool(r.Egress),
				RuleAction:   jsii.String(action),
				Protocol:     jsii.Number(tcp),
				CidrBlock:    jsii.String(cidr),
				PortRange:    &awsec2.CfnNetworkAclEntry_PortRangeProperty{From: jsii.Number(r.FromPort), To: jsii.Number(r.ToPort)},
			})
		}
	}
	for i, subnet := range subnets {
		awsec2.NewCfnSubnetNetworkAclAssociation(this, jsii.String(fmt.Sprintf("Association%d", i+1)), &awsec2.CfnSubnetNetworkAclAssociationProps{
			NetworkAclId: acl.Ref(),
			SubnetId:     subnet.SubnetId(),
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(this, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-VPC3"),
		Reason: jsii.String("The spec requires subnet-level network ACLs in front of the security groups (defence in depth, " +
			"explicit SSH/RDP/MySQL denies). Their statelessness is handled: every rule names its flow and the " +
			"test suite proves the reachability table, return traffic included, before deploy."),
	}}, jsii.Bool(true))
}

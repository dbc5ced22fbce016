package network

import (
	"errors"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/internal/validate"
)

// SecurityGroupsProps configures SecurityGroups.
type SecurityGroupsProps struct {
	Vpc awsec2.IVpc // required
}

// SecurityGroups is the chain internet -> ALB -> web tier -> database. Each group
// admits only the group before it, and sends only to the group after it (the web
// tier also to the internet on 80/443, through the NAT gateways). The rules live
// here only: workloads should import these groups with Mutable false, so that L2
// constructs cannot add duplicate or wider rules in another stack.
type SecurityGroups struct {
	constructs.Construct
	Alb      awsec2.SecurityGroup
	Web      awsec2.SecurityGroup
	Database awsec2.SecurityGroup
	// Functions is for Lambda functions in the private subnets that call AWS
	// APIs (the CDK's LogRetention function): HTTPS out, through the NAT
	// gateways; nothing in.
	Functions awsec2.SecurityGroup
}

// Ports the chain opens.
const (
	HTTP  = 80
	HTTPS = 443
	MySQL = mysql
)

// NewSecurityGroups creates the three chained groups, and the group of the
// functions in the VPC.
func NewSecurityGroups(scope constructs.Construct, id string, props *SecurityGroupsProps) *SecurityGroups {
	if props == nil || props.Vpc == nil {
		validate.Props("network.NewSecurityGroups", id, errors.New("Vpc is nil"))
	}
	this := constructs.NewConstruct(scope, &id)
	group := func(id, description string) awsec2.SecurityGroup {
		return awsec2.NewSecurityGroup(this, jsii.String(id), &awsec2.SecurityGroupProps{
			Vpc:              props.Vpc,
			Description:      jsii.String(description),
			AllowAllOutbound: jsii.Bool(false),
		})
	}
	alb := group("Alb", "Load balancer: HTTP and HTTPS from the internet; sends only to the web tier")
	web := group("Web", "Web tier: HTTP and HTTPS from the load balancer only; sends to the database and, through NAT, to the internet on 80/443")
	db := group("Database", "Database: MySQL from the web tier only; sends nothing")
	functions := group("Functions", "Lambda functions: nothing in; HTTPS to AWS APIs through NAT")
	functions.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(HTTPS)), jsii.String("functions -> AWS APIs on 443 via NAT"), jsii.Bool(false))
	chain(alb, web, db)
	return &SecurityGroups{Construct: this, Alb: alb, Web: web, Database: db, Functions: functions}
}

// chain writes the spec's rules: the internet to the load balancer on HTTP
// and HTTPS, the load balancer to the web tier, the web tier to the database
// on MySQL and out through NAT; nothing else.
func chain(alb, web, db awsec2.SecurityGroup) {
	for _, port := range []float64{HTTP, HTTPS} {
		p := awsec2.Port_Tcp(&port)
		alb.AddIngressRule(awsec2.Peer_AnyIpv4(), p, jsii.Sprintf("internet -> ALB on %v", port), jsii.Bool(false))
		alb.AddEgressRule(web, p, jsii.Sprintf("ALB -> web tier on %v", port), jsii.Bool(false))
		web.AddIngressRule(alb, p, jsii.Sprintf("ALB -> web tier on %v", port), jsii.Bool(false))
		web.AddEgressRule(awsec2.Peer_AnyIpv4(), p, jsii.Sprintf("web tier -> internet on %v via NAT (packages, SSM, S3 and DynamoDB endpoints)", port), jsii.Bool(false))
	}
	// The ALB group's egress rules all name a group, so the CDK writes them as
	// separate AWS::EC2::SecurityGroupEgress resources and leaves the group with
	// no inline egress, and CloudFormation then keeps its default allow-all
	// egress rule beside them. An inline rule that matches no traffic (the CDK's
	// own "no egress" marker) removes that default.
	closeDefaultEgress(alb)

	mysqlPort := awsec2.Port_Tcp(jsii.Number(MySQL))
	web.AddEgressRule(db, mysqlPort, jsii.String("web tier -> database on MySQL"), jsii.Bool(false))
	db.AddIngressRule(web, mysqlPort, jsii.String("web tier -> database on MySQL"), jsii.Bool(false))

	cdknag.NagSuppressions_AddResourceSuppressions(alb, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-EC23"),
		Reason: jsii.String("This is the internet-facing load balancer's group: the spec requires HTTP 80 and HTTPS 443 " +
			"from 0.0.0.0/0 and nothing else. No other port is open, and the web tier and database admit only " +
			"the group before them in the chain."),
	}}, jsii.Bool(false))
}

// closeDefaultEgress replaces CloudFormation's default allow-all egress rule of
// group, which must declare no inline egress of its own, by one that matches no
// traffic: ICMP type 252 code 86 to 255.255.255.255/32.
func closeDefaultEgress(group awsec2.SecurityGroup) {
	cfn := group.Node().DefaultChild().(awsec2.CfnSecurityGroup)
	cfn.AddPropertyOverride(jsii.String("SecurityGroupEgress"), []map[string]any{{
		"CidrIp":      "255.255.255.255/32",
		"Description": "Disallow all traffic",
		"FromPort":    252,
		"IpProtocol":  "icmp",
		"ToPort":      86,
	}})
}

// ImportImmutable references group (of this stack or another) so that the L2
// constructs given it cannot add rules to it: the chain stays defined where
// the group is. id names the reference in scope.
func ImportImmutable(scope constructs.Construct, id string, group awsec2.ISecurityGroup) awsec2.ISecurityGroup {
	return awsec2.SecurityGroup_FromSecurityGroupId(scope, jsii.String(id), group.SecurityGroupId(), &awsec2.SecurityGroupImportOptions{
		Mutable:          jsii.Bool(false),
		AllowAllOutbound: jsii.Bool(false),
	})
}

package firewall_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/firewall"
)

// A web ACL in front of another team's load balancer: the AWS managed rule
// groups, and at most 500 requests per address in five minutes.
func ExampleNewWebAcl() {
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Team"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{NatGateways: jsii.Number(0)})
	lb := elbv2.NewApplicationLoadBalancer(stack, jsii.String("Lb"), &elbv2.ApplicationLoadBalancerProps{Vpc: vpc, InternetFacing: jsii.Bool(true)})
	settings := firewall.DefaultSettings()
	settings.RateLimit = 500
	acl := firewall.NewWebAcl(stack, "Firewall", &firewall.Props{Name: "team-web", Settings: settings})
	acl.Protect(stack, "FirewallAssociation", lb)

	template := assertions.Template_FromStack(stack, nil)
	for _, v := range *template.FindResources(jsii.String("AWS::WAFv2::WebACL"), nil) {
		for _, r := range (*v)["Properties"].(map[string]any)["Rules"].([]any) {
			fmt.Println(r.(map[string]any)["Name"])
		}
	}
	fmt.Println(len(*template.FindResources(jsii.String("AWS::WAFv2::WebACLAssociation"), nil)), "association")
	// Output:
	// AWSManagedRulesAmazonIpReputationList
	// AWSManagedRulesCommonRuleSet
	// AWSManagedRulesKnownBadInputsRuleSet
	// RateLimitPerIp
	// 1 association
}

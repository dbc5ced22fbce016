package network_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/network"
)

// The spec's network over three zones of eu-west-1, with the chained security
// groups, in another team's stack.
func ExampleNewVpc() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Network"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("eu-west-1")},
	})
	vpc := network.NewVpc(stack, "Network", &network.VpcProps{
		Name:                 "team-vpc",
		Cidr:                 "10.7.0.0/16",
		InternetGatewayName:  "team-igw",
		Subnets:              network.SpecLayout(7, "eu-west-1a", "eu-west-1b", "eu-west-1c"),
		NatGateways:          3,
		FlowLogRetentionDays: 30,
	})
	network.NewSecurityGroups(stack, "SecurityGroups", &network.SecurityGroupsProps{Vpc: vpc.Vpc})
	fmt.Println(len(vpc.PublicSubnets), "public,", len(vpc.PrivateSubnets), "private,", len(vpc.NatGatewayIds), "NAT gateways")
	for _, s := range network.SpecLayout(7, "eu-west-1a", "eu-west-1b", "eu-west-1c") {
		fmt.Println(s.Name, s.AvailabilityZone, s.Cidr)
	}
	// Output:
	// 3 public, 3 private, 3 NAT gateways
	// Public Subnet 1 eu-west-1a 10.7.1.0/24
	// Private Subnet 1 eu-west-1a 10.7.2.0/24
	// Public Subnet 2 eu-west-1b 10.7.3.0/24
	// Private Subnet 2 eu-west-1b 10.7.4.0/24
	// Public Subnet 3 eu-west-1c 10.7.5.0/24
	// Private Subnet 3 eu-west-1c 10.7.6.0/24
}

// Bad props panic before anything is built, naming every problem.
func ExampleVpcProps_Validate() {
	props := network.VpcProps{Name: "x", Cidr: "10.0.0.0/8", InternetGatewayName: "igw", NatGateways: 1, FlowLogRetentionDays: 2}
	fmt.Println(props.Validate())
	// Output:
	// Cidr "10.0.0.0/8": prefix length /8 is outside /16 to /28, the sizes AWS allows
	// Subnets span 0 availability zone(s) []; from 2 to 6 are supported
	// NatGateways 1: must be from 1 (one shared) to 0 (one per public subnet); private subnets need a NAT gateway for outbound traffic
	// FlowLogRetentionDays: 2 days is not a retention CloudWatch Logs accepts [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]
}

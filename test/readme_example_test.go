package test

// The README's "Use the constructs in your own app" shows the region between
// the two markers below, byte for byte (TestReadmeGoExample): it compiles with
// this package, and ExampleNewTeamStack runs it.

import "fmt"

// README example: begin
import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/network"
)

// NewTeamStack is the spec's network over three zones, with the chained groups.
func NewTeamStack(app awscdk.App) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("TeamNetwork"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("eu-central-1")},
	})
	vpc := network.NewVpc(stack, "Network", &network.VpcProps{
		Name: "team", Cidr: "10.20.0.0/16", InternetGatewayName: "team-igw",
		Subnets:     network.SpecLayout(20, "eu-central-1a", "eu-central-1b", "eu-central-1c"),
		NatGateways: 3, FlowLogRetentionDays: 90,
	})
	network.NewSecurityGroups(stack, "SecurityGroups", &network.SecurityGroupsProps{Vpc: vpc.Vpc})
	return stack
}

// README example: end

// The README's example, built in a scratch app of its own.
func ExampleNewTeamStack() {
	stack := NewTeamStack(awscdk.NewApp(nil))
	fmt.Println(*stack.StackName(), *stack.Region())
	// Output:
	// TeamNetwork eu-central-1
}

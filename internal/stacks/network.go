package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/project-1/project-1/constructs/network"
)

// NetworkStackProps configures NetworkStack.
type NetworkStackProps struct {
	awscdk.StackProps
	Network network.VpcProps
}

// NetworkStack holds the VPC and the chained security groups the workloads use.
type NetworkStack struct {
	awscdk.Stack
	Vpc            *network.Vpc
	SecurityGroups *network.SecurityGroups
}

// NewNetworkStack builds the network of one environment.
func NewNetworkStack(scope constructs.Construct, id string, props *NetworkStackProps) *NetworkStack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	vpc := network.NewVpc(stack, "Network", &props.Network)
	groups := network.NewSecurityGroups(stack, "SecurityGroups", &network.SecurityGroupsProps{Vpc: vpc.Vpc})
	n := &NetworkStack{Stack: stack, Vpc: vpc, SecurityGroups: groups}
	weakNetworkOutputs(n)
	return n
}

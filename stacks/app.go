package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/network"
	"github.com/project-1/project-1/constructs/web"
)

// AppStackProps configures AppStack.
type AppStackProps struct {
	awscdk.StackProps
	Network *NetworkStack
	Data    *DataStack
	Web     WebConfig
}

// AppStack holds the stateless web tier: load balancer, instances, role.
type AppStack struct {
	awscdk.Stack
	Web *web.Web
	// URL is the output holding the load balancer's URL (the pipeline's smoke test reads it).
	URL awscdk.CfnOutput
}

// NewAppStack builds the app stack of one environment.
func NewAppStack(scope constructs.Construct, id string, props *AppStackProps) *AppStack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	groups := props.Network.SecurityGroups
	w := web.NewWeb(stack, "Web", &web.Props{
		Vpc:                   props.Network.Vpc.Vpc,
		AlbSecurityGroup:      network.ImportImmutable(stack, "AlbSecurityGroup", groups.Alb),
		InstanceSecurityGroup: network.ImportImmutable(stack, "WebSecurityGroup", groups.Web),
		AccessLogs:            props.Data.LogBucket,
		DataBucket:            props.Data.DataBucket,
		Table:                 props.Data.Table,
		DatabaseSecret:        props.Data.Database.Instance.Secret(),
		DatabaseSecretKey:     props.Data.DatabaseKey,
		InstanceType:          props.Web.InstanceType,
		Instances:             props.Web.Instances,
		MaxInstances:          props.Web.MaxInstances,
		CertificateArn:        props.Web.CertificateArn,
		DeletionProtection:    props.Web.DeletionProtection,
	})
	url := output(stack, "LoadBalancerUrl", jsii.String(w.URL), "the web tier, through the load balancer")
	output(stack, "AutoScalingGroupName", w.Instances.AutoScalingGroupName(), "web servers; pick one for SSM port forwarding")
	return &AppStack{Stack: stack, Web: w, URL: url}
}

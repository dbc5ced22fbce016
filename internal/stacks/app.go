package stacks

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/monitoring"
	"github.com/project-1/project-1/constructs/web"
	"github.com/project-1/project-1/constructs/web/webprops"
)

// AppStackProps configures AppStack.
type AppStackProps struct {
	awscdk.StackProps
	Network    *NetworkStack
	Data       *DataStack
	Web        webprops.Settings
	Monitoring monitoring.Settings
	// Title heads the dashboard.
	Title string
}

// AppStack holds the stateless web tier (load balancer, instances, role) and
// the environment's operations: the alarm topic, the alarms of every tier and
// the dashboard. They live here because this stack may refer to the network
// and data stacks, and the Auto Scaling group notifies the topic; the other
// way round would be a cycle.
type AppStack struct {
	awscdk.Stack
	Web        *web.Web
	AlarmTopic *monitoring.AlarmTopic
	Monitoring *monitoring.Monitoring
	// URL is the output holding the load balancer's URL (the pipeline's smoke test reads it).
	URL awscdk.CfnOutput
}

// NewAppStack builds the app stack of one environment.
func NewAppStack(scope constructs.Construct, id string, props *AppStackProps) *AppStack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	groups := props.Network.SecurityGroups
	topic := monitoring.NewAlarmTopic(stack, "Alarms", props.Monitoring.AlarmEmail)
	w := web.NewWeb(stack, "Web", &web.Props{
		Vpc:                   props.Network.Vpc.Vpc,
		AlbSecurityGroup:      groups.Alb,
		InstanceSecurityGroup: groups.Web,
		AccessLogs:            props.Data.LogBucket,
		DataBucket:            props.Data.DataBucket,
		Table:                 props.Data.Table,
		DatabaseSecret:        props.Data.Database.Instance.Secret(),
		DatabaseSecretKey:     props.Data.DatabaseKey,
		Notifications:         topic.Topic,
		Settings:              props.Web,
	})
	url := output(stack, "LoadBalancerUrl", jsii.String(w.URL), "the web tier, through the load balancer")
	output(stack, "AutoScalingGroupName", w.Instances.AutoScalingGroupName(), "web servers; pick one for SSM port forwarding")
	mon := monitoring.NewMonitoring(stack, "Monitoring", &monitoring.Props{
		Topic:         topic.Topic,
		LoadBalancer:  w.LoadBalancer,
		Targets:       w.Targets,
		Instances:     w.Instances,
		Database:      props.Data.Database.Instance,
		Table:         props.Data.Table,
		NatGatewayIds: props.Network.Vpc.NatGatewayIds,
		WebAclName:    webAclName(w),
		Title:         props.Title,
		Settings:      props.Monitoring,
	})
	// The load balancer, deletion-protected where configured, is created
	// after every resource that does not read it (createAfter): after the
	// topic and the alarms of the database, table, NAT gateways and group.
	// The web construct holds the listener and the monitoring construct the
	// alarms and dashboard that read it; inside the web construct it already
	// waits for the group's signals.
	lb := w.LoadBalancer.Node().DefaultChild()
	createAfter(stack, lb, w.Construct, mon.Construct)
	for name, a := range mon.Alarms {
		if !slices.Contains(mon.LoadBalancerAlarms, name) {
			lb.Node().AddDependency(a)
		}
	}
	output(stack, "AlarmTopicArn", topic.Topic.TopicArn(), "every alarm and the Auto Scaling group notify this topic; subscribe to it")
	output(stack, "DashboardUrl", jsii.String(mon.DashboardUrl), "the environment's CloudWatch dashboard")
	return &AppStack{Stack: stack, Web: w, AlarmTopic: topic, Monitoring: mon, URL: url}
}

// webAclName is the name of the web tier's web ACL, or "" without one.
func webAclName(w *web.Web) string {
	if w.Firewall == nil {
		return ""
	}
	return w.Firewall.Name
}

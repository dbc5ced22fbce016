// Package monitoring holds project-1's operations: the alarm topic, the
// CloudWatch alarms of every tier with their thresholds, and one dashboard per
// environment that reads top-down from the load balancer to the data.
//
// Like every construct of this module, each constructor checks its props
// first and panics, as aws-cdk-lib's constructs throw, with one line per
// problem naming the construct id, the field and the value.
package monitoring

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/monitoring/alarmprops"
	"github.com/project-1/project-1/internal/keypolicy"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the alarm thresholds of one environment, and who is told; see
// alarmprops.Settings, where they are defined with no CDK import.
type Settings = alarmprops.Settings

// DefaultSettings are the project's thresholds (alarmprops.DefaultSettings).
func DefaultSettings() Settings { return alarmprops.DefaultSettings() }

// AlarmTopic is the topic every alarm and the Auto Scaling group notify.
type AlarmTopic struct {
	constructs.Construct
	Topic awssns.Topic
	// Key encrypts the topic's messages; CloudWatch and the Auto Scaling
	// service-linked role may use it.
	Key awskms.Key
}

// NewAlarmTopic creates a KMS-encrypted topic that refuses plain HTTP and
// admits CloudWatch alarms of this account, and subscribes email to it when
// email is not empty.
func NewAlarmTopic(scope constructs.Construct, id string, email string) *AlarmTopic {
	if email != "" && !alarmprops.IsEmail(email) {
		validate.Props("monitoring.NewAlarmTopic", id, fmt.Errorf("email %q is not an email address like ops@example.com", email))
	}
	this := constructs.NewConstruct(scope, &id)
	key := newTopicKey(this)
	topic := newTopic(this, key)
	if email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return &AlarmTopic{Construct: this, Topic: topic, Key: key}
}

// newTopicKey is the topic's key, which CloudWatch alarms of this account and
// the Auto Scaling service-linked role may use.
func newTopicKey(this constructs.Construct) awskms.Key {
	stack := awscdk.Stack_Of(this)
	key := awskms.NewKey(this, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("project-1: encrypts the alarm topic's messages"),
		EnableKeyRotation: jsii.Bool(true),
		// The key protects messages in flight only: nothing stays unreadable without it.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		PendingWindow: awscdk.Duration_Days(jsii.Number(7)),
	})
	// CloudWatch alarms of this account publish to the topic.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
	}), jsii.Bool(false))
	// Auto Scaling notifies through its service-linked role. It is named by
	// condition, not as the principal: KMS refuses a policy that names a role
	// that does not exist yet, and the role appears with the account's first group.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AutoScalingNotifications"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:PrincipalAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:PrincipalArn": fmt.Sprintf(
				"arn:%s:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", *stack.Partition(), *stack.Account())},
		},
	}), jsii.Bool(false))
	keypolicy.LimitGrants(key)
	return key
}

// newTopic is the topic, encrypted with key, refusing plain HTTP, that
// CloudWatch alarms of this account may publish to.
func newTopic(this constructs.Construct, key awskms.Key) awssns.Topic {
	stack := awscdk.Stack_Of(this)
	topic := awssns.NewTopic(this, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String("project-1 alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf(
				"arn:%s:cloudwatch:%s:%s:alarm:*", *stack.Partition(), *stack.Region(), *stack.Account())},
		},
	}))
	return topic
}

// Props configures Monitoring. Every field is required unless its comment
// says otherwise.
type Props struct {
	// Topic receives every alarm's ALARM and OK notifications.
	Topic awssns.ITopic
	// LoadBalancer and Targets, its target group (the web tier), are the
	// concrete L2s: the target group's metrics are keyed on both full names,
	// which their interfaces do not expose. (The target group's own Metrics()
	// derives the load balancer's name from a listener's ARN instead.)
	LoadBalancer elbv2.ApplicationLoadBalancer
	Targets      elbv2.ApplicationTargetGroup
	Instances    awsautoscaling.IAutoScalingGroup
	Database     awsrds.IDatabaseInstance
	Table        awsdynamodb.ITable
	// NatGatewayIds, one alarm pair each; at least one (network.Vpc.NatGatewayIds).
	NatGatewayIds []*string
	// WebAclName, optional: the name of the web ACL in front of the load
	// balancer (web.Web.Firewall.Name), whose blocked requests get an alarm.
	// Default empty: no web ACL, no alarm.
	WebAclName string
	// Title heads the dashboard, e.g. the environment's name.
	Title    string
	Settings Settings
}

// Validate reports every problem of the props, one line each, naming the field
// and its value.
func (p *Props) Validate() error {
	var problems validate.Problems
	for _, required := range []struct {
		field string
		nil   bool
	}{
		{"Topic", p.Topic == nil},
		{"LoadBalancer", p.LoadBalancer == nil},
		{"Targets", p.Targets == nil},
		{"Instances", p.Instances == nil},
		{"Database", p.Database == nil},
		{"Table", p.Table == nil},
	} {
		if required.nil {
			problems.Add("%s is nil", required.field)
		}
	}
	if len(p.NatGatewayIds) == 0 {
		problems.Add("NatGatewayIds is empty: the private subnets' outbound traffic goes through at least one")
	}
	for i, n := range p.NatGatewayIds {
		if n == nil {
			problems.Add("NatGatewayIds[%d] is nil", i)
		}
	}
	if p.Title == "" {
		problems.Add("Title is empty")
	}
	err := p.Settings.ValidateAs("Settings.")
	return errors.Join(problems.Err(), err)
}

// Monitoring is the alarms and the dashboard of one environment.
type Monitoring struct {
	constructs.Construct
	// Alarms, by name: LoadBalancer5xx, Target5xx, UnhealthyHosts,
	// TargetResponseTime, InServiceShortfall, DatabaseCpu,
	// DatabaseFreeStorage, DatabaseFreeMemory, DatabaseConnections,
	// TableWriteThrottleEvents, TableReadThrottleEvents, TableSystemErrors,
	// per NAT gateway i (from 1) NatPortAllocationErrors<i>,
	// NatDroppedPackets<i>, and with a web ACL FirewallBlockedRequests.
	Alarms map[string]awscloudwatch.Alarm
	// LoadBalancerAlarms names the Alarms that read the load balancer's
	// metrics (LoadBalancer5xx, Target5xx, UnhealthyHosts,
	// TargetResponseTime): a stack that creates the load balancer after
	// everything else can leave these out.
	LoadBalancerAlarms []string
	Dashboard          awscloudwatch.Dashboard
	// DashboardUrl opens the dashboard in the CloudWatch console.
	DashboardUrl string
}

// tableOperations are the DynamoDB operations the web tier and cmd/forum
// use, whose system errors the table's alarm adds up (an alarm takes at most
// 10 metrics).
var tableOperations = []string{"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}

// systemErrorsId starts the id of each per-operation SystemErrors metric, so
// that SystemErrorsExpression sums those and no other metric of a graph.
const systemErrorsId = "errors"

// SystemErrorsExpression is the math expression of the table's system errors
// (alarm and dashboard): the sum of the metrics whose id contains "errors",
// the per-operation SystemErrors metrics only. METRICS("string") is the
// CloudWatch API Reference's own example of this (GetMetricData, "Examples":
// SUM(METRICS('error')) over metrics whose ids contain "error"),
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
const SystemErrorsExpression = `SUM(METRICS("` + systemErrorsId + `"))`

// NewMonitoring creates the alarms, each notifying Props.Topic when it goes
// into ALARM and back to OK, and the dashboard.
func NewMonitoring(scope constructs.Construct, id string, props *Props) *Monitoring {
	if props == nil {
		props = &Props{}
	}
	validate.Props("monitoring.NewMonitoring", id, props.Validate())
	this := constructs.NewConstruct(scope, &id)
	w := &watch{this: this, props: props, s: props.Settings, action: awscloudwatchactions.NewSnsAction(props.Topic),
		m:    &Monitoring{Construct: this, Alarms: map[string]awscloudwatch.Alarm{}},
		five: awscdk.Duration_Minutes(jsii.Number(5)), one: awscdk.Duration_Minutes(jsii.Number(1))}
	w.loadBalancer()
	w.group()
	w.database()
	w.table()
	w.natGateways()
	w.firewall()
	w.dashboard()
	return w.m
}

// watch builds the alarms, in the dashboard's order, and collects the
// metrics the dashboard draws.
type watch struct {
	this   constructs.Construct
	props  *Props
	s      Settings
	action awscloudwatch.IAlarmAction
	m      *Monitoring
	order  []string // the alarms' names, as created
	g      graphs
	// five and one minutes, the periods (built here, not at package
	// initialization, which would start the jsii kernel on import).
	five, one awscdk.Duration
}

// graphs are the metrics the dashboard draws beside the alarms'.
type graphs struct {
	requests, elb5xx, target5xx, unhealthy, healthy, p99, p50  awscloudwatch.IMetric
	desired, inService                                         awscloudwatch.IMetric
	cpu, storage, memory, connections                          awscloudwatch.IMetric
	writeThrottles, readThrottles, systemErrors, reads, writes awscloudwatch.IMetric
	portErrors, drops, bytesOut                                []awscloudwatch.IMetric
	blocked, allowed                                           awscloudwatch.IMetric // nil without a web ACL
	seconds                                                    float64               // the p99 alarm's threshold
}

const atLeast, atMost = awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD

// options are a metric's statistic, period and label, for the L2s' Metric
// methods.
func options(statistic string, period awscdk.Duration, label string) *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{Statistic: jsii.String(statistic), Period: period, Label: jsii.String(label)}
}

// metric is a metric no L2 method gives as the templates need it: the Auto
// Scaling group's, the NAT gateways' (an L1), and the target group's (see
// Props.LoadBalancer).
func (w *watch) metric(namespace, name, statistic string, period awscdk.Duration, dims map[string]*string, label string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(namespace), MetricName: jsii.String(name), Statistic: jsii.String(statistic),
		Period: period, DimensionsMap: &dims, Label: jsii.String(label),
	})
}

// alarm is one row of a tier's alarm table: its name (the construct id, and
// the key of Monitoring.Alarms), what it watches, and when it goes off: the
// metric at or beyond threshold (op) for periods periods running.
type alarm struct {
	name        string
	metric      awscloudwatch.IMetric
	threshold   float64
	op          awscloudwatch.ComparisonOperator
	periods     int
	description string
}

// alarms creates each alarm of a table, in order, notifying the topic on
// ALARM and OK.
func (w *watch) alarms(table ...alarm) {
	for _, spec := range table {
		a := awscloudwatch.NewAlarm(w.this, jsii.String(spec.name), &awscloudwatch.AlarmProps{
			Metric:             spec.metric,
			Threshold:          jsii.Number(spec.threshold),
			ComparisonOperator: spec.op,
			EvaluationPeriods:  jsii.Number(float64(spec.periods)),
			DatapointsToAlarm:  jsii.Number(float64(spec.periods)),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(w.props.Title + ": " + spec.description),
		})
		a.AddAlarmAction(w.action)
		a.AddOkAction(w.action)
		w.m.Alarms[spec.name] = a
		w.order = append(w.order, spec.name)
	}
}

// loadBalancer: 5xx of the load balancer and of the servers, unhealthy
// targets, p99 response time.
func (w *watch) loadBalancer() {
	props, s, g := w.props, w.s, &w.g
	lb := props.LoadBalancer.Metrics()
	tg := map[string]*string{"LoadBalancer": props.LoadBalancer.LoadBalancerFullName(), "TargetGroup": props.Targets.TargetGroupFullName()}
	g.requests = lb.RequestCount(options("Sum", w.five, "requests"))
	g.elb5xx = lb.HttpCodeElb(elbv2.HttpCodeElb_ELB_5XX_COUNT, options("Sum", w.five, "load balancer 5xx"))
	g.target5xx = lb.HttpCodeTarget(elbv2.HttpCodeTarget_TARGET_5XX_COUNT, options("Sum", w.five, "web server 5xx"))
	g.unhealthy = w.metric("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", w.one, tg, "unhealthy")
	g.healthy = w.metric("AWS/ApplicationELB", "HealthyHostCount", "Minimum", w.one, tg, "healthy")
	g.p99 = lb.TargetResponseTime(options("p99", w.five, "p99"))
	g.p50 = lb.TargetResponseTime(options("p50", w.five, "p50"))
	g.seconds = float64(s.TargetResponseMillis) / 1000
	table := []alarm{
		{"LoadBalancer5xx", g.elb5xx, float64(s.LoadBalancer5xx), atLeast, 1,
			fmt.Sprintf("the load balancer returned %d or more 5xx responses itself in 5 minutes (no healthy web server?)", s.LoadBalancer5xx)},
		{"Target5xx", g.target5xx, float64(s.Target5xx), atLeast, 1,
			fmt.Sprintf("the web servers returned %d or more 5xx responses in 5 minutes", s.Target5xx)},
		{"UnhealthyHosts", g.unhealthy, float64(s.UnhealthyHosts), atLeast, 5,
			fmt.Sprintf("%d or more web servers failed their health check for 5 minutes", s.UnhealthyHosts)},
		{"TargetResponseTime", g.p99, g.seconds, atLeast, 2,
			fmt.Sprintf("the web servers' p99 response time was %g s or more for 10 minutes", g.seconds)},
	}
	w.alarms(table...)
	for _, a := range table {
		w.m.LoadBalancerAlarms = append(w.m.LoadBalancerAlarms, a.name)
	}
}

// group: fewer instances in service than desired.
func (w *watch) group() {
	props, s, g := w.props, w.s, &w.g
	group := map[string]*string{"AutoScalingGroupName": props.Instances.AutoScalingGroupName()}
	g.desired = w.metric("AWS/AutoScaling", "GroupDesiredCapacity", "Maximum", w.one, group, "desired")
	g.inService = w.metric("AWS/AutoScaling", "GroupInServiceInstances", "Minimum", w.one, group, "in service")
	shortfall := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("desired - inService"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"desired": g.desired, "inService": g.inService},
		Period:       w.one,
		Label:        jsii.String("instances short"),
	})
	w.alarms(alarm{"InServiceShortfall", shortfall, 1, atLeast, s.InServiceShortfallMinutes,
		fmt.Sprintf("the Auto Scaling group had fewer instances in service than desired for %d minutes", s.InServiceShortfallMinutes)})
}

// database: CPU, free storage and memory, connections.
func (w *watch) database() {
	db, s, g := w.props.Database, w.s, &w.g
	g.cpu = db.MetricCPUUtilization(options("Average", w.five, "CPU %"))
	g.storage = db.MetricFreeStorageSpace(options("Minimum", w.five, "free storage (bytes)"))
	g.memory = db.MetricFreeableMemory(options("Average", w.five, "freeable memory (bytes)"))
	g.connections = db.MetricDatabaseConnections(options("Maximum", w.five, "connections"))
	gib, mib := float64(1<<30), float64(1<<20)
	w.alarms(
		alarm{"DatabaseCpu", g.cpu, float64(s.DatabaseCpuPercent), atLeast, 3,
			fmt.Sprintf("the database's CPU averaged %d%% or more for 15 minutes", s.DatabaseCpuPercent)},
		alarm{"DatabaseFreeStorage", g.storage, float64(s.DatabaseFreeStorageGiB) * gib, atMost, 1,
			fmt.Sprintf("the database has %d GiB or less of free storage (it grows to its maximum on its own; is the maximum near?)", s.DatabaseFreeStorageGiB)},
		alarm{"DatabaseFreeMemory", g.memory, float64(s.DatabaseFreeMemoryMiB) * mib, atMost, 3,
			fmt.Sprintf("the database had %d MiB or less of freeable memory for 15 minutes", s.DatabaseFreeMemoryMiB)},
		alarm{"DatabaseConnections", g.connections, float64(s.DatabaseConnections), atLeast, 1,
			fmt.Sprintf("the database had %d or more connections open", s.DatabaseConnections)},
	)
}

// table: read and write throttle events count every throttled request,
// w.one of a batch too (ThrottledRequests counts a batch only when all of it
// is throttled, and cmd/forum load writes with BatchWriteItem). System
// errors are counted per operation; the alarm adds up the operations the
// application uses. METRICS("errors") sums only the metrics whose id
// contains "errors": in a graph, METRICS() would take every metric of it.
func (w *watch) table() {
	table, s, g := w.props.Table, w.s, &w.g
	g.writeThrottles = table.Metric(jsii.String("WriteThrottleEvents"), options("Sum", w.five, "write throttle events"))
	g.readThrottles = table.Metric(jsii.String("ReadThrottleEvents"), options("Sum", w.five, "read throttle events"))
	using := map[string]awscloudwatch.IMetric{}
	for _, op := range tableOperations {
		perOperation := options("Sum", w.five, op)
		perOperation.DimensionsMap = &map[string]*string{"TableName": table.TableName(), "Operation": jsii.String(op)}
		using[systemErrorsId+op] = table.Metric(jsii.String("SystemErrors"), perOperation)
	}
	g.systemErrors = awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(SystemErrorsExpression), UsingMetrics: &using, Period: w.five, Label: jsii.String("system errors"),
	})
	w.alarms(
		alarm{"TableWriteThrottleEvents", g.writeThrottles, float64(s.TableWriteThrottleEvents), atLeast, 1,
			fmt.Sprintf("%d or more write requests to the table were throttled in 5 minutes", s.TableWriteThrottleEvents)},
		alarm{"TableReadThrottleEvents", g.readThrottles, float64(s.TableReadThrottleEvents), atLeast, 1,
			fmt.Sprintf("%d or more read requests to the table were throttled in 5 minutes", s.TableReadThrottleEvents)},
		alarm{"TableSystemErrors", g.systemErrors, float64(s.TableSystemErrors), atLeast, 1,
			fmt.Sprintf("DynamoDB failed %d or more requests to the table with a system error in 5 minutes", s.TableSystemErrors)},
	)
	g.reads = table.MetricConsumedReadCapacityUnits(options("Sum", w.five, "read units"))
	g.writes = table.MetricConsumedWriteCapacityUnits(options("Sum", w.five, "write units"))
}

// natGateways: per gateway, port allocation errors and dropped packets.
func (w *watch) natGateways() {
	props, s, g := w.props, w.s, &w.g
	for i, nat := range props.NatGatewayIds {
		dims := map[string]*string{"NatGatewayId": nat}
		n := fmt.Sprint(i + 1)
		pe := w.metric("AWS/NATGateway", "ErrorPortAllocation", "Sum", w.five, dims, "NAT "+n+" port allocation errors")
		dr := w.metric("AWS/NATGateway", "PacketsDropCount", "Sum", w.five, dims, "NAT "+n+" dropped packets")
		g.portErrors, g.drops = append(g.portErrors, pe), append(g.drops, dr)
		g.bytesOut = append(g.bytesOut, w.metric("AWS/NATGateway", "BytesOutToDestination", "Sum", w.five, dims, "NAT "+n+" bytes out"))
		w.alarms(
			alarm{"NatPortAllocationErrors" + n, pe, float64(s.NatPortAllocationErrors), atLeast, 1,
				fmt.Sprintf("NAT gateway %s could not allocate a source port %d or more times in 5 minutes", n, s.NatPortAllocationErrors)},
			alarm{"NatDroppedPackets" + n, dr, float64(s.NatDroppedPackets), atLeast, 1,
				fmt.Sprintf("NAT gateway %s dropped %d or more packets in 5 minutes", n, s.NatDroppedPackets)},
		)
	}
}

// firewall: requests the web ACL blocked, when there is one. AWS WAF's
// metrics of a regional web ACL carry the dimensions WebACL, Region and Rule,
// Rule ALL for the whole web ACL (AWS WAF Developer Guide, "AWS WAF metrics
// and dimensions").
func (w *watch) firewall() {
	if w.props.WebAclName == "" {
		return
	}
	s, g := w.s, &w.g
	dims := map[string]*string{"WebACL": jsii.String(w.props.WebAclName), "Region": awscdk.Stack_Of(w.this).Region(), "Rule": jsii.String("ALL")}
	g.blocked = w.metric("AWS/WAFV2", "BlockedRequests", "Sum", w.five, dims, "blocked")
	g.allowed = w.metric("AWS/WAFV2", "AllowedRequests", "Sum", w.five, dims, "allowed")
	w.alarms(alarm{"FirewallBlockedRequests", g.blocked, float64(s.FirewallBlockedRequests), atLeast, 1,
		fmt.Sprintf("the web application firewall blocked %d or more requests in 5 minutes (an attack, or a rule that blocks real users?)", s.FirewallBlockedRequests)})
}

// dashboard, as an operator reads it: what is alarming, then the path
// of a request from the load balancer down to the data, then the way out.
func (w *watch) dashboard() {
	props, s, g := w.props, w.s, &w.g
	var alarms []interfacesawscloudwatch.IAlarmRef
	for _, name := range w.order {
		alarms = append(alarms, w.m.Alarms[name])
	}
	line := func(v float64, label string) *[]*awscloudwatch.HorizontalAnnotation {
		return &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(v), Label: jsii.String(label)}}
	}
	graph := func(title string, left []awscloudwatch.IMetric, annotation *[]*awscloudwatch.HorizontalAnnotation) awscloudwatch.GraphWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, LeftAnnotations: annotation, Width: jsii.Number(6), Height: jsii.Number(6),
		})
	}
	dashboard := awscloudwatch.NewDashboard(w.this, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(3)),
	})
	dashboard.AddWidgets(
		awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
			Markdown: jsii.String("# " + props.Title + "\nTop down: load balancer, web tier, database, Forum table, NAT gateways. " +
				"Every alarm notifies the alarm topic."),
			Width: jsii.Number(24), Height: jsii.Number(2),
		}))
	dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarms"), Alarms: &alarms, Width: jsii.Number(24), Height: jsii.Number(4),
	}))
	dashboard.AddWidgets(
		graph("Load balancer: requests", []awscloudwatch.IMetric{g.requests}, nil),
		graph("Load balancer: 5xx", []awscloudwatch.IMetric{g.elb5xx, g.target5xx}, line(float64(min(s.LoadBalancer5xx, s.Target5xx)), "alarm")),
		graph("Web servers: response time (s)", []awscloudwatch.IMetric{g.p50, g.p99}, line(g.seconds, "p99 alarm")),
		graph("Web servers: health", []awscloudwatch.IMetric{g.healthy, g.unhealthy}, line(float64(s.UnhealthyHosts), "unhealthy alarm")),
	)
	dashboard.AddWidgets(
		graph("Web tier: instances", []awscloudwatch.IMetric{g.desired, g.inService}, nil),
		graph("Database: CPU %", []awscloudwatch.IMetric{g.cpu}, line(float64(s.DatabaseCpuPercent), "alarm")),
		graph("Database: connections", []awscloudwatch.IMetric{g.connections}, line(float64(s.DatabaseConnections), "alarm")),
		graph("Database: free storage and memory (bytes)", []awscloudwatch.IMetric{g.storage, g.memory}, nil),
	)
	dashboard.AddWidgets(
		graph("Forum table: throttles and system errors", []awscloudwatch.IMetric{g.writeThrottles, g.readThrottles, g.systemErrors}, nil),
		graph("Forum table: consumed capacity", []awscloudwatch.IMetric{g.reads, g.writes}, nil),
		graph("NAT gateways: port allocation errors, dropped packets", append(append([]awscloudwatch.IMetric{}, g.portErrors...), g.drops...), nil),
		graph("NAT gateways: bytes out", g.bytesOut, nil),
	)
	if g.blocked != nil {
		dashboard.AddWidgets(graph("Firewall: blocked and allowed requests", []awscloudwatch.IMetric{g.blocked, g.allowed}, line(float64(s.FirewallBlockedRequests), "alarm")))
	}
	w.m.Dashboard = dashboard
	stack := awscdk.Stack_Of(w.this)
	w.m.DashboardUrl = fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s",
		*stack.Region(), *stack.Region(), *dashboard.DashboardName())
}

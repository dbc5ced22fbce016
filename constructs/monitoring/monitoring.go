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
	"net/mail"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/keypolicy"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the alarm thresholds of one environment, and who is told.
// Every threshold is required (1 or more) unless its comment says otherwise;
// each alarm's metric, statistic and period are in the README's Operations.
type Settings struct {
	// AlarmEmail, optional, is subscribed to the alarm topic (the address must
	// confirm the subscription). Default empty: no subscription; subscribe
	// later to the topic whose ARN the app stack outputs.
	AlarmEmail string
	// LoadBalancer5xx: 5xx responses the load balancer itself returns (no
	// healthy target, a target that does not answer) in 5 minutes.
	LoadBalancer5xx int
	// Target5xx: 5xx responses the web servers return, in 5 minutes.
	Target5xx int
	// UnhealthyHosts: targets failing their health check, 5 minutes running.
	UnhealthyHosts int
	// TargetResponseMillis: the web servers' p99 response time, in
	// milliseconds, over 5 minutes, two periods running.
	TargetResponseMillis int
	// InServiceShortfallMinutes: how long the Auto Scaling group may have
	// fewer instances in service than it wants before the alarm, in minutes,
	// 1 to 60. A new instance takes some minutes to boot, install and signal.
	InServiceShortfallMinutes int
	// DatabaseCpuPercent: average CPU over 5 minutes, three periods running, 1 to 100.
	DatabaseCpuPercent int
	// DatabaseFreeStorageGiB: free storage below this.
	DatabaseFreeStorageGiB int
	// DatabaseFreeMemoryMiB: freeable memory below this, three periods running.
	DatabaseFreeMemoryMiB int
	// DatabaseConnections: open connections at or above this.
	DatabaseConnections int
	// TableWriteThrottleEvents: write requests to the table (or its indexes)
	// throttled in 5 minutes. Each throttled request of a batch counts, which
	// DynamoDB's ThrottledRequests does not: it counts a BatchWriteItem only
	// when every request in it is throttled.
	TableWriteThrottleEvents int
	// TableReadThrottleEvents: read requests to the table (or its indexes)
	// throttled in 5 minutes, each request of a batch counted.
	TableReadThrottleEvents int
	// TableSystemErrors: requests that failed with an HTTP 500 of DynamoDB in 5 minutes.
	TableSystemErrors int
	// NatPortAllocationErrors: connections a NAT gateway could not open, for
	// want of a source port, in 5 minutes (per gateway).
	NatPortAllocationErrors int
	// NatDroppedPackets: packets a NAT gateway dropped in 5 minutes (per gateway).
	NatDroppedPackets int
}

// Validate reports every problem of the settings, one line each, naming the
// field and its value.
func (s *Settings) Validate() error { return s.ValidateAs("") }

// ValidateAs is Validate with every field name prefixed by prefix, for
// settings that are part of a larger configuration (e.g. "Monitoring.").
func (s *Settings) ValidateAs(prefix string) error {
	var problems validate.Problems
	if s.AlarmEmail != "" {
		if !isEmail(s.AlarmEmail) {
			problems.Add("%sAlarmEmail %q is not an email address like ops@example.com", prefix, s.AlarmEmail)
		}
	}
	for _, t := range []struct {
		field    string
		value    int
		min, max int
	}{
		{"LoadBalancer5xx", s.LoadBalancer5xx, 1, 1 << 30},
		{"Target5xx", s.Target5xx, 1, 1 << 30},
		{"UnhealthyHosts", s.UnhealthyHosts, 1, 1000},
		{"TargetResponseMillis", s.TargetResponseMillis, 1, 3_600_000},
		{"InServiceShortfallMinutes", s.InServiceShortfallMinutes, 1, 60},
		{"DatabaseCpuPercent", s.DatabaseCpuPercent, 1, 100},
		{"DatabaseFreeStorageGiB", s.DatabaseFreeStorageGiB, 1, 65536},
		{"DatabaseFreeMemoryMiB", s.DatabaseFreeMemoryMiB, 1, 4 << 20},
		{"DatabaseConnections", s.DatabaseConnections, 1, 100_000},
		{"TableWriteThrottleEvents", s.TableWriteThrottleEvents, 1, 1 << 30},
		{"TableReadThrottleEvents", s.TableReadThrottleEvents, 1, 1 << 30},
		{"TableSystemErrors", s.TableSystemErrors, 1, 1 << 30},
		{"NatPortAllocationErrors", s.NatPortAllocationErrors, 1, 1 << 30},
		{"NatDroppedPackets", s.NatDroppedPackets, 1, 1 << 30},
	} {
		if t.value < t.min || t.value > t.max {
			problems.Add("%s%s %d: must be from %d to %d", prefix, t.field, t.value, t.min, t.max)
		}
	}
	return problems.Err()
}

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
	if email != "" && !isEmail(email) {
		validate.Props("monitoring.NewAlarmTopic", id, fmt.Errorf("email %q is not an email address like ops@example.com", email))
	}
	this := constructs.NewConstruct(scope, &id)
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
	if email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return &AlarmTopic{Construct: this, Topic: topic, Key: key}
}

// isEmail accepts a bare address, ops@example.com: no display name, no brackets.
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// Props configures Monitoring. Every field is required unless its comment
// says otherwise.
type Props struct {
	// Topic receives every alarm's ALARM and OK notifications.
	Topic        awssns.ITopic
	LoadBalancer elbv2.ApplicationLoadBalancer
	// Targets is the load balancer's target group (the web tier).
	Targets   elbv2.ApplicationTargetGroup
	Instances awsautoscaling.IAutoScalingGroup
	Database  awsrds.IDatabaseInstance
	Table     awsdynamodb.ITable
	// NatGateways, one alarm pair each; at least one.
	NatGateways []awsec2.CfnNatGateway
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
	if len(p.NatGateways) == 0 {
		problems.Add("NatGateways is empty: the private subnets' outbound traffic goes through at least one")
	}
	for i, n := range p.NatGateways {
		if n == nil {
			problems.Add("NatGateways[%d] is nil", i)
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
	// and per NAT gateway i (from 1) NatPortAllocationErrors<i>,
	// NatDroppedPackets<i>.
	Alarms    map[string]awscloudwatch.Alarm
	Dashboard awscloudwatch.Dashboard
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
	m := &Monitoring{Construct: this, Alarms: map[string]awscloudwatch.Alarm{}}
	s := props.Settings
	five, one := awscdk.Duration_Minutes(jsii.Number(5)), awscdk.Duration_Minutes(jsii.Number(1))
	action := awscloudwatchactions.NewSnsAction(props.Topic)
	metric := func(namespace, name, statistic string, period awscdk.Duration, dims map[string]*string, label string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(namespace), MetricName: jsii.String(name), Statistic: jsii.String(statistic),
			Period: period, DimensionsMap: &dims, Label: jsii.String(label),
		})
	}
	alarm := func(name string, m2 awscloudwatch.IMetric, threshold float64, op awscloudwatch.ComparisonOperator, periods int, description string) awscloudwatch.Alarm {
		a := awscloudwatch.NewAlarm(this, jsii.String(name), &awscloudwatch.AlarmProps{
			Metric:             m2,
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: op,
			EvaluationPeriods:  jsii.Number(float64(periods)),
			DatapointsToAlarm:  jsii.Number(float64(periods)),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(props.Title + ": " + description),
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
		m.Alarms[name] = a
		return a
	}
	atLeast, atMost := awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD

	// Load balancer and web tier.
	lb := map[string]*string{"LoadBalancer": props.LoadBalancer.LoadBalancerFullName()}
	tg := map[string]*string{"LoadBalancer": props.LoadBalancer.LoadBalancerFullName(), "TargetGroup": props.Targets.TargetGroupFullName()}
	requests := metric("AWS/ApplicationELB", "RequestCount", "Sum", five, lb, "requests")
	elb5xx := metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", five, lb, "load balancer 5xx")
	target5xx := metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", five, lb, "web server 5xx")
	unhealthy := metric("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", one, tg, "unhealthy")
	healthy := metric("AWS/ApplicationELB", "HealthyHostCount", "Minimum", one, tg, "healthy")
	p99 := metric("AWS/ApplicationELB", "TargetResponseTime", "p99", five, lb, "p99")
	p50 := metric("AWS/ApplicationELB", "TargetResponseTime", "p50", five, lb, "p50")
	alarm("LoadBalancer5xx", elb5xx, float64(s.LoadBalancer5xx), atLeast, 1,
		fmt.Sprintf("the load balancer returned %d or more 5xx responses itself in 5 minutes (no healthy web server?)", s.LoadBalancer5xx))
	alarm("Target5xx", target5xx, float64(s.Target5xx), atLeast, 1,
		fmt.Sprintf("the web servers returned %d or more 5xx responses in 5 minutes", s.Target5xx))
	alarm("UnhealthyHosts", unhealthy, float64(s.UnhealthyHosts), atLeast, 5,
		fmt.Sprintf("%d or more web servers failed their health check for 5 minutes", s.UnhealthyHosts))
	seconds := float64(s.TargetResponseMillis) / 1000
	alarm("TargetResponseTime", p99, seconds, atLeast, 2,
		fmt.Sprintf("the web servers' p99 response time was %g s or more for 10 minutes", seconds))

	group := map[string]*string{"AutoScalingGroupName": props.Instances.AutoScalingGroupName()}
	desired := metric("AWS/AutoScaling", "GroupDesiredCapacity", "Maximum", one, group, "desired")
	inService := metric("AWS/AutoScaling", "GroupInServiceInstances", "Minimum", one, group, "in service")
	shortfall := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("desired - inService"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"desired": desired, "inService": inService},
		Period:       one,
		Label:        jsii.String("instances short"),
	})
	alarm("InServiceShortfall", shortfall, 1, atLeast, s.InServiceShortfallMinutes,
		fmt.Sprintf("the Auto Scaling group had fewer instances in service than desired for %d minutes", s.InServiceShortfallMinutes))

	// Database.
	db := map[string]*string{"DBInstanceIdentifier": props.Database.InstanceIdentifier()}
	cpu := metric("AWS/RDS", "CPUUtilization", "Average", five, db, "CPU %")
	storage := metric("AWS/RDS", "FreeStorageSpace", "Minimum", five, db, "free storage (bytes)")
	memory := metric("AWS/RDS", "FreeableMemory", "Average", five, db, "freeable memory (bytes)")
	connections := metric("AWS/RDS", "DatabaseConnections", "Maximum", five, db, "connections")
	alarm("DatabaseCpu", cpu, float64(s.DatabaseCpuPercent), atLeast, 3,
		fmt.Sprintf("the database's CPU averaged %d%% or more for 15 minutes", s.DatabaseCpuPercent))
	gib, mib := float64(1<<30), float64(1<<20)
	alarm("DatabaseFreeStorage", storage, float64(s.DatabaseFreeStorageGiB)*gib, atMost, 1,
		fmt.Sprintf("the database has %d GiB or less of free storage (it grows to its maximum on its own; is the maximum near?)", s.DatabaseFreeStorageGiB))
	alarm("DatabaseFreeMemory", memory, float64(s.DatabaseFreeMemoryMiB)*mib, atMost, 3,
		fmt.Sprintf("the database had %d MiB or less of freeable memory for 15 minutes", s.DatabaseFreeMemoryMiB))
	alarm("DatabaseConnections", connections, float64(s.DatabaseConnections), atLeast, 1,
		fmt.Sprintf("the database had %d or more connections open", s.DatabaseConnections))

	// Table: read and write throttle events count every throttled request,
	// one of a batch too (ThrottledRequests counts a batch only when all of it
	// is throttled, and cmd/forum load writes with BatchWriteItem). System
	// errors are counted per operation; the alarm adds up the operations the
	// application uses. METRICS("errors") sums only the metrics whose id
	// contains "errors": in a graph, METRICS() would take every metric of it.
	tableDims := map[string]*string{"TableName": props.Table.TableName()}
	writeThrottles := metric("AWS/DynamoDB", "WriteThrottleEvents", "Sum", five, tableDims, "write throttle events")
	readThrottles := metric("AWS/DynamoDB", "ReadThrottleEvents", "Sum", five, tableDims, "read throttle events")
	using := map[string]awscloudwatch.IMetric{}
	for _, op := range tableOperations {
		using[systemErrorsId+op] = metric("AWS/DynamoDB", "SystemErrors", "Sum", five,
			map[string]*string{"TableName": props.Table.TableName(), "Operation": jsii.String(op)}, op)
	}
	systemErrors := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(SystemErrorsExpression), UsingMetrics: &using, Period: five, Label: jsii.String("system errors"),
	})
	alarm("TableWriteThrottleEvents", writeThrottles, float64(s.TableWriteThrottleEvents), atLeast, 1,
		fmt.Sprintf("%d or more write requests to the table were throttled in 5 minutes", s.TableWriteThrottleEvents))
	alarm("TableReadThrottleEvents", readThrottles, float64(s.TableReadThrottleEvents), atLeast, 1,
		fmt.Sprintf("%d or more read requests to the table were throttled in 5 minutes", s.TableReadThrottleEvents))
	alarm("TableSystemErrors", systemErrors, float64(s.TableSystemErrors), atLeast, 1,
		fmt.Sprintf("DynamoDB failed %d or more requests to the table with a system error in 5 minutes", s.TableSystemErrors))
	reads := metric("AWS/DynamoDB", "ConsumedReadCapacityUnits", "Sum", five, tableDims, "read units")
	writes := metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum", five, tableDims, "write units")

	// NAT gateways.
	var portErrors, drops, bytesOut []awscloudwatch.IMetric
	for i, nat := range props.NatGateways {
		dims := map[string]*string{"NatGatewayId": nat.Ref()}
		n := fmt.Sprint(i + 1)
		pe := metric("AWS/NATGateway", "ErrorPortAllocation", "Sum", five, dims, "NAT "+n+" port allocation errors")
		dr := metric("AWS/NATGateway", "PacketsDropCount", "Sum", five, dims, "NAT "+n+" dropped packets")
		portErrors, drops = append(portErrors, pe), append(drops, dr)
		bytesOut = append(bytesOut, metric("AWS/NATGateway", "BytesOutToDestination", "Sum", five, dims, "NAT "+n+" bytes out"))
		alarm("NatPortAllocationErrors"+n, pe, float64(s.NatPortAllocationErrors), atLeast, 1,
			fmt.Sprintf("NAT gateway %s could not allocate a source port %d or more times in 5 minutes", n, s.NatPortAllocationErrors))
		alarm("NatDroppedPackets"+n, dr, float64(s.NatDroppedPackets), atLeast, 1,
			fmt.Sprintf("NAT gateway %s dropped %d or more packets in 5 minutes", n, s.NatDroppedPackets))
	}

	// The dashboard, as an operator reads it: what is alarming, then the path
	// of a request from the load balancer down to the data, then the way out.
	var alarms []interfacesawscloudwatch.IAlarmRef
	for _, name := range m.alarmNames() {
		alarms = append(alarms, m.Alarms[name])
	}
	line := func(v float64, label string) *[]*awscloudwatch.HorizontalAnnotation {
		return &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(v), Label: jsii.String(label)}}
	}
	graph := func(title string, left []awscloudwatch.IMetric, annotation *[]*awscloudwatch.HorizontalAnnotation) awscloudwatch.GraphWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, LeftAnnotations: annotation, Width: jsii.Number(6), Height: jsii.Number(6),
		})
	}
	dashboard := awscloudwatch.NewDashboard(this, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
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
		graph("Load balancer: requests", []awscloudwatch.IMetric{requests}, nil),
		graph("Load balancer: 5xx", []awscloudwatch.IMetric{elb5xx, target5xx}, line(float64(min(s.LoadBalancer5xx, s.Target5xx)), "alarm")),
		graph("Web servers: response time (s)", []awscloudwatch.IMetric{p50, p99}, line(seconds, "p99 alarm")),
		graph("Web servers: health", []awscloudwatch.IMetric{healthy, unhealthy}, line(float64(s.UnhealthyHosts), "unhealthy alarm")),
	)
	dashboard.AddWidgets(
		graph("Web tier: instances", []awscloudwatch.IMetric{desired, inService}, nil),
		graph("Database: CPU %", []awscloudwatch.IMetric{cpu}, line(float64(s.DatabaseCpuPercent), "alarm")),
		graph("Database: connections", []awscloudwatch.IMetric{connections}, line(float64(s.DatabaseConnections), "alarm")),
		graph("Database: free storage and memory (bytes)", []awscloudwatch.IMetric{storage, memory}, nil),
	)
	dashboard.AddWidgets(
		graph("Forum table: throttles and system errors", []awscloudwatch.IMetric{writeThrottles, readThrottles, systemErrors}, nil),
		graph("Forum table: consumed capacity", []awscloudwatch.IMetric{reads, writes}, nil),
		graph("NAT gateways: port allocation errors, dropped packets", append(append([]awscloudwatch.IMetric{}, portErrors...), drops...), nil),
		graph("NAT gateways: bytes out", bytesOut, nil),
	)
	m.Dashboard = dashboard
	stack := awscdk.Stack_Of(this)
	m.DashboardUrl = fmt.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s",
		*stack.Region(), *stack.Region(), *dashboard.DashboardName())
	return m
}

// alarmNames lists the alarms in the order of the dashboard: from the load
// balancer down to the data, then the NAT gateways.
func (m *Monitoring) alarmNames() []string {
	names := []string{"LoadBalancer5xx", "Target5xx", "UnhealthyHosts", "TargetResponseTime", "InServiceShortfall",
		"DatabaseCpu", "DatabaseFreeStorage", "DatabaseFreeMemory", "DatabaseConnections",
		"TableWriteThrottleEvents", "TableReadThrottleEvents", "TableSystemErrors"}
	for i := 1; ; i++ {
		if _, ok := m.Alarms[fmt.Sprint("NatPortAllocationErrors", i)]; !ok {
			return names
		}
		names = append(names, fmt.Sprint("NatPortAllocationErrors", i), fmt.Sprint("NatDroppedPackets", i))
	}
}

package test

import (
	"encoding/json"
	"fmt"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// alarmWant is what one alarm must be: its metric (or, for math, the metrics
// it adds up), statistic, period, threshold, comparison and periods running.
type alarmWant struct {
	namespace, metric, statistic string
	period                       int
	threshold                    float64
	comparison                   string
	periods                      int
	expression                   string // for a math alarm
}

// TestAlarms checks every alarm of every environment: metric, dimensions'
// names, statistic, period, threshold (from the environment's Monitoring
// settings), comparison, evaluation, and that it notifies the environment's
// topic on ALARM and on OK. No other alarm exists.
func TestAlarms(t *testing.T) {
	const ge, le = "GreaterThanOrEqualToThreshold", "LessThanOrEqualToThreshold"
	for name, e := range synthAll().all {
		app := e.stacks["App"]
		m := e.env.Monitoring
		want := map[string]alarmWant{
			"LoadBalancer5xx":          {"AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", 300, float64(m.LoadBalancer5xx), ge, 1, ""},
			"Target5xx":                {"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", 300, float64(m.Target5xx), ge, 1, ""},
			"UnhealthyHosts":           {"AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", 60, float64(m.UnhealthyHosts), ge, 5, ""},
			"TargetResponseTime":       {"AWS/ApplicationELB", "TargetResponseTime", "p99", 300, float64(m.TargetResponseMillis) / 1000, ge, 2, ""},
			"InServiceShortfall":       {"AWS/AutoScaling", "GroupDesiredCapacity,GroupInServiceInstances", "", 60, 1, ge, m.InServiceShortfallMinutes, "desired - inService"},
			"DatabaseCpu":              {"AWS/RDS", "CPUUtilization", "Average", 300, float64(m.DatabaseCpuPercent), ge, 3, ""},
			"DatabaseFreeStorage":      {"AWS/RDS", "FreeStorageSpace", "Minimum", 300, float64(m.DatabaseFreeStorageGiB) * (1 << 30), le, 1, ""},
			"DatabaseFreeMemory":       {"AWS/RDS", "FreeableMemory", "Average", 300, float64(m.DatabaseFreeMemoryMiB) * (1 << 20), le, 3, ""},
			"DatabaseConnections":      {"AWS/RDS", "DatabaseConnections", "Maximum", 300, float64(m.DatabaseConnections), ge, 1, ""},
			"TableWriteThrottleEvents": {"AWS/DynamoDB", "WriteThrottleEvents", "Sum", 300, float64(m.TableWriteThrottleEvents), ge, 1, ""},
			"TableReadThrottleEvents":  {"AWS/DynamoDB", "ReadThrottleEvents", "Sum", 300, float64(m.TableReadThrottleEvents), ge, 1, ""},
			"TableSystemErrors":        {"AWS/DynamoDB", "SystemErrors", "", 300, float64(m.TableSystemErrors), ge, 1, `SUM(METRICS("errors"))`},
		}
		for i := 1; i <= e.env.Network.NatGateways; i++ {
			want[fmt.Sprint("NatPortAllocationErrors", i)] = alarmWant{"AWS/NATGateway", "ErrorPortAllocation", "Sum", 300, float64(m.NatPortAllocationErrors), ge, 1, ""}
			want[fmt.Sprint("NatDroppedPackets", i)] = alarmWant{"AWS/NATGateway", "PacketsDropCount", "Sum", 300, float64(m.NatDroppedPackets), ge, 1, ""}
		}
		if e.env.Web.Firewall.On() {
			want["FirewallBlockedRequests"] = alarmWant{"AWS/WAFV2", "BlockedRequests", "Sum", 300, float64(m.FirewallBlockedRequests), ge, 1, ""}
		}
		topic := onlyID(t, app, "AWS::SNS::Topic")
		alarms := app.resources("AWS::CloudWatch::Alarm")
		if len(alarms) != len(want) {
			t.Errorf("%s: %d alarms, want %d", name, len(alarms), len(want))
		}
		seen := map[string]bool{}
		for id, body := range alarms {
			p := props(body)
			alarmName := strings.TrimSuffix(regexp.MustCompile(`^Monitoring(.+?)[0-9A-F]{8}$`).ReplaceAllString(id, "$1"), "")
			w, ok := want[alarmName]
			if !ok {
				t.Errorf("%s: unexpected alarm %s", name, id)
				continue
			}
			seen[alarmName] = true
			what := name + " " + alarmName
			if p["ComparisonOperator"] != w.comparison || num(p["EvaluationPeriods"]) != w.periods || num(p["DatapointsToAlarm"]) != w.periods {
				t.Errorf("%s: %v over %v of %v periods, want %s over %d of %d", what, p["ComparisonOperator"], p["DatapointsToAlarm"], p["EvaluationPeriods"], w.comparison, w.periods, w.periods)
			}
			if got, _ := p["Threshold"].(float64); got != w.threshold {
				t.Errorf("%s: threshold %v, want %v", what, p["Threshold"], w.threshold)
			}
			if p["TreatMissingData"] != "notBreaching" {
				t.Errorf("%s: missing data %v, want notBreaching", what, p["TreatMissingData"])
			}
			for _, actions := range []string{"AlarmActions", "OKActions"} {
				list, _ := p[actions].([]any)
				if len(list) != 1 || ref(list[0]) != topic {
					t.Errorf("%s: %s %v, want the topic %s", what, actions, p[actions], topic)
				}
			}
			checkAlarmMetric(t, what, p, w)
		}
		for n := range want {
			if !seen[n] {
				t.Errorf("%s: no %s alarm", name, n)
			}
		}
	}
}

// checkAlarmMetric checks an alarm's metric (the CDK writes a labelled one as
// a one-element Metrics list), or the metrics and expression of a math alarm.
func checkAlarmMetric(t *testing.T, what string, p map[string]any, w alarmWant) {
	t.Helper()
	var expression string
	names := map[string]bool{}
	for _, q := range asList(p["Metrics"]) {
		if e, ok := q["Expression"].(string); ok {
			expression = e
			continue
		}
		stat := q["MetricStat"].(map[string]any)
		metric := stat["Metric"].(map[string]any)
		if metric["Namespace"] != w.namespace || num(stat["Period"]) != w.period {
			t.Errorf("%s: metric %v every %v s, want %s every %d s", what, metric["Namespace"], stat["Period"], w.namespace, w.period)
		}
		if w.statistic != "" && stat["Stat"] != w.statistic {
			t.Errorf("%s: statistic %v, want %s", what, stat["Stat"], w.statistic)
		}
		if dims, _ := metric["Dimensions"].([]any); len(dims) == 0 {
			t.Errorf("%s: no dimensions: the alarm would watch the whole account", what)
		}
		names[metric["MetricName"].(string)] = true
	}
	got := sortedKeys(names)
	want := strings.Split(w.metric, ",")
	sort.Strings(want)
	if expression != w.expression || !slices.Equal(got, want) {
		t.Errorf("%s: expression %q over %q, want %q over %q", what, expression, got, w.expression, want)
	}
}

// TestAlarmTopic: one KMS-encrypted topic per environment, refusing plain
// HTTP, admitting CloudWatch alarms of the account; its key admits CloudWatch
// and the Auto Scaling service-linked role; the Auto Scaling group notifies
// it; no subscription without Monitoring.AlarmEmail.
func TestAlarmTopic(t *testing.T) {
	for name, e := range synthAll().all {
		app := e.stacks["App"]
		topicID := onlyID(t, app, "AWS::SNS::Topic")
		topic := props(app.resources("AWS::SNS::Topic")[topicID])
		keyID := ref(topic["KmsMasterKeyId"])
		key, ok := app.resources("AWS::KMS::Key")[keyID]
		if !ok {
			t.Errorf("%s: the topic is not encrypted with a key of the app stack: %v", name, topic["KmsMasterKeyId"])
			continue
		}
		policy, _ := json.Marshal(props(key)["KeyPolicy"])
		for _, want := range []string{`"Service":"cloudwatch.amazonaws.com"`, "AWSServiceRoleForAutoScaling", `"kms:CreateGrant"`} {
			if !strings.Contains(string(policy), want) {
				t.Errorf("%s: the topic key's policy lacks %s", name, want)
			}
		}
		topicPolicy, _ := json.Marshal(app.one(t, "AWS::SNS::TopicPolicy"))
		for _, want := range []string{`"aws:SecureTransport":"false"`, `"Service":"cloudwatch.amazonaws.com"`, `"sns:Publish"`} {
			if !strings.Contains(string(topicPolicy), want) {
				t.Errorf("%s: the topic policy lacks %s", name, want)
			}
		}
		if n := len(app.resources("AWS::SNS::Subscription")); (e.env.Monitoring.AlarmEmail == "") != (n == 0) {
			t.Errorf("%s: %d subscriptions with AlarmEmail %q", name, n, e.env.Monitoring.AlarmEmail)
		}
		asg := app.one(t, "AWS::AutoScaling::AutoScalingGroup")
		notes := asList(asg["NotificationConfigurations"])
		if len(notes) != 1 || ref(notes[0]["TopicARN"]) != topicID || len(asAny(notes[0]["NotificationTypes"])) != 4 {
			t.Errorf("%s: Auto Scaling notifications %v, want launch, terminate and their errors to %s", name, asg["NotificationConfigurations"], topicID)
		}
		metrics, _ := json.Marshal(asg["MetricsCollection"])
		for _, m := range []string{"GroupDesiredCapacity", "GroupInServiceInstances"} {
			if !strings.Contains(string(metrics), m) {
				t.Errorf("%s: the group does not collect %s, which the shortfall alarm reads", name, m)
			}
		}
	}
}

// TestDashboard: one dashboard per environment, its widgets top-down from the
// load balancer to the NAT gateways, every alarm on it, and its URL output.
func TestDashboard(t *testing.T) {
	for name, e := range synthAll().all {
		app := e.stacks["App"]
		body, _ := json.Marshal(app.one(t, "AWS::CloudWatch::Dashboard")["DashboardBody"])
		text := string(body)
		last := -1
		for _, title := range []string{"Alarms", "Load balancer: requests", "Load balancer: 5xx", "Web servers: response time",
			"Web servers: health", "Web tier: instances", "Database: CPU", "Database: connections", "Database: free storage",
			"Forum table: throttles", "Forum table: consumed capacity", "NAT gateways: port allocation", "NAT gateways: bytes out"} {
			i := strings.Index(text, title)
			if i < 0 {
				t.Errorf("%s: the dashboard has no %q widget", name, title)
			} else if i < last {
				t.Errorf("%s: %q comes before the widget above it", name, title)
			} else {
				last = i
			}
		}
		for id := range app.resources("AWS::CloudWatch::Alarm") {
			if !strings.Contains(text, id) {
				t.Errorf("%s: alarm %s is not on the dashboard", name, id)
			}
		}
		url, _ := json.Marshal(app.json["Outputs"].(map[string]any)["DashboardUrl"])
		if !strings.Contains(string(url), "#dashboards:name=") || !strings.Contains(string(url), onlyID(t, app, "AWS::CloudWatch::Dashboard")) {
			t.Errorf("%s: DashboardUrl %s does not open the dashboard", name, url)
		}
	}
}

// TestAlarmEmail: with Monitoring.AlarmEmail, the address is subscribed to
// the topic by email (variantApp's synthesis).
func TestAlarmEmail(t *testing.T) {
	tpl := variantApp(t)
	if tpl == nil {
		return
	}
	check(t, "email subscription to the alarm topic", func() {
		tpl.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
			"Protocol": "email", "Endpoint": "ops@example.com",
			"TopicArn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^AlarmsTopic"))},
		})
	})
}

// TestDashboardMetricFilters: every METRICS("x") of a dashboard graph takes
// only the metrics it means, those whose id contains x (CloudWatch's metric
// math), and no graph uses a bare METRICS(), which would take every metric of
// the graph: the table widget once drew the sum of everything twice.
func TestDashboardMetricFilters(t *testing.T) {
	filter := regexp.MustCompile(`METRICS\("([^"]*)"\)`)
	for name, e := range synthAll().all {
		var body strings.Builder
		for _, part := range asAny(asAny(e.stacks["App"].one(t, "AWS::CloudWatch::Dashboard")["DashboardBody"].(map[string]any)["Fn::Join"])[1]) {
			if s, ok := part.(string); ok {
				body.WriteString(s)
			} else {
				body.WriteString("TOKEN") // a reference: a name or an id, inside a string
			}
		}
		var dashboard struct {
			Widgets []struct {
				Properties struct {
					Title   string  `json:"title"`
					Metrics [][]any `json:"metrics"`
				} `json:"properties"`
			} `json:"widgets"`
		}
		if err := json.Unmarshal([]byte(body.String()), &dashboard); err != nil {
			t.Fatalf("%s: dashboard body: %v", name, err)
		}
		filtered := 0
		for _, w := range dashboard.Widgets {
			var ids, expressions []string
			for _, m := range w.Properties.Metrics {
				opts, _ := m[len(m)-1].(map[string]any)
				if id, ok := opts["id"].(string); ok && opts["expression"] == nil {
					ids = append(ids, id)
				}
				if x, ok := opts["expression"].(string); ok {
					expressions = append(expressions, x)
				}
			}
			for _, x := range expressions {
				if strings.Contains(x, "METRICS()") {
					t.Errorf("%s: %q: %s sums every metric of the graph", name, w.Properties.Title, x)
				}
				for _, f := range filter.FindAllStringSubmatch(x, -1) {
					filtered++
					var matched []string
					for _, id := range ids {
						if strings.Contains(id, f[1]) {
							matched = append(matched, id)
						}
					}
					if len(matched) != 8 || !slices.ContainsFunc(matched, func(id string) bool { return id == f[1]+"BatchWriteItem" }) {
						t.Errorf("%s: %q: %s takes %q, want the 8 per-operation SystemErrors metrics", name, w.Properties.Title, x, matched)
					}
				}
			}
		}
		if filtered == 0 {
			t.Errorf("%s: no METRICS(\"...\") filter on the dashboard, want the table's system errors", name)
		}
	}
}

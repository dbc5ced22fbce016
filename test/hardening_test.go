package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/validate"
)

// TestKeysLimitGrants: every KMS key of every stack, in every environment,
// denies kms:CreateGrant unless the grant is for an AWS resource or the
// caller an AWS service (CT.KMS.PR.3).
func TestKeysLimitGrants(t *testing.T) {
	want := map[string]any{
		"Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": "kms:CreateGrant", "Resource": "*",
		"Sid": "GrantsOnlyForAwsResources",
		"Condition": map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}},
	}
	wantJSON, _ := json.Marshal(want)
	keys, wantKeys := 0, 0
	for name, e := range synthAll().all {
		wantKeys += 6
		if e.env.Web.Firewall.On() {
			wantKeys++
		}
		if e.env.Backup.CopyRegion != "" {
			wantKeys++
		}
		for _, s := range e.stacks {
			for id, key := range s.resources("AWS::KMS::Key") {
				keys++
				found := false
				for _, st := range asList(props(key)["KeyPolicy"].(map[string]any)["Statement"]) {
					got, _ := json.Marshal(st)
					found = found || string(got) == string(wantJSON)
				}
				if !found {
					t.Errorf("%s: %s/%s does not limit kms:CreateGrant to AWS resources", name, s.name, id)
				}
			}
		}
	}
	if keys != wantKeys {
		t.Errorf("%d keys, want %d: 6 per environment (database, table, data bucket, flow logs, alarm topic, backup vault), the web ACL's log group's and the backup copy vault's where there are", keys, wantKeys)
	}
}

// TestFlowLogsEncrypted: the flow-log group is encrypted with a retained,
// rotating key of the network stack that CloudWatch Logs of the region may use.
func TestFlowLogsEncrypted(t *testing.T) {
	for name, e := range synthAll().all {
		net := e.stacks["Network"]
		group := net.one(t, "AWS::Logs::LogGroup")
		keyID := onlyID(t, net, "AWS::KMS::Key")
		if att, _ := group["KmsKeyId"].(map[string]any)["Fn::GetAtt"].([]any); len(att) != 2 || att[0] != keyID || att[1] != "Arn" {
			t.Errorf("%s: flow-log group KmsKeyId %v, want %s's ARN", name, group["KmsKeyId"], keyID)
		}
		key := net.resources("AWS::KMS::Key")[keyID]
		policy, _ := json.Marshal(props(key)["KeyPolicy"])
		if key["DeletionPolicy"] != "RetainExceptOnCreate" || props(key)["EnableKeyRotation"] != true ||
			!strings.Contains(string(policy), fmt.Sprintf(`"Service":"logs.%s.amazonaws.com"`, e.env.Region)) ||
			!strings.Contains(string(policy), "kms:EncryptionContext:aws:logs:arn") {
			t.Errorf("%s: flow-log key: retained %v, rotation %v, policy %s", name, key["DeletionPolicy"], props(key)["EnableKeyRotation"], policy)
		}
	}
}

// TestBucketEvents: both buckets send their object events to EventBridge,
// without the CDK's Lambda-backed notifications resource.
func TestBucketEvents(t *testing.T) {
	for name, e := range synthAll().all {
		data := e.stacks["Data"]
		for id, b := range data.resources("AWS::S3::Bucket") {
			got, _ := json.Marshal(props(b)["NotificationConfiguration"])
			if string(got) != `{"EventBridgeConfiguration":{"EventBridgeEnabled":true}}` {
				t.Errorf("%s: %s notifications %s, want EventBridge", name, id, got)
			}
		}
		if n := len(data.resources("Custom::S3BucketNotifications")); n != 0 {
			t.Errorf("%s: %d Lambda-backed bucket notifications", name, n)
		}
	}
}

// TestWebTierZonesAndTypes: the Auto Scaling group lists its zones (those of
// its private subnets) and launches from a mixed-instances policy: the
// configured type first, the alternate when a zone lacks capacity, all on demand.
func TestWebTierZonesAndTypes(t *testing.T) {
	for name, e := range synthAll().all {
		asg := e.stacks["App"].one(t, "AWS::AutoScaling::AutoScalingGroup")
		var zones []any
		for _, s := range e.env.Network.Subnets {
			if !s.Public {
				zones = append(zones, s.AvailabilityZone)
			}
		}
		if !slices.Equal(asAny(asg["AvailabilityZones"]), zones) {
			t.Errorf("%s: AvailabilityZones %v, want %v", name, asg["AvailabilityZones"], zones)
		}
		if _, ok := asg["LaunchTemplate"]; ok {
			t.Errorf("%s: the group has a LaunchTemplate beside its mixed-instances policy", name)
		}
		policy, _ := json.Marshal(asg["MixedInstancesPolicy"])
		want := fmt.Sprintf(`"Overrides":[{"InstanceType":%q},{"InstanceType":%q}]`, e.env.Web.InstanceType, e.env.Web.AlternateInstanceType)
		for _, w := range []string{want, `"OnDemandAllocationStrategy":"prioritized"`, `"OnDemandPercentageAboveBaseCapacity":100`, `"LaunchTemplateSpecification"`} {
			if !strings.Contains(string(policy), w) {
				t.Errorf("%s: the mixed-instances policy lacks %s: %s", name, w, policy)
			}
		}
	}
}

// TestWebImageArchitecture: each environment's servers boot the Amazon Linux
// 2023 image of their types' architecture (an x86_64 image does not start on
// Graviton, and the launch would fail only in the deploy), and the shipped
// environments cover both.
func TestWebImageArchitecture(t *testing.T) {
	seen := map[string]bool{}
	for name, e := range synthAll().all {
		app := e.stacks["App"]
		lt := app.one(t, "AWS::EC2::LaunchTemplate")["LaunchTemplateData"].(map[string]any)
		param := ref(lt["ImageId"])
		def, _ := app.json["Parameters"].(map[string]any)[param].(map[string]any)["Default"].(string)
		want := "x86_64"
		if validate.Arm64(e.env.Web.InstanceType) {
			want = "arm64"
		}
		seen[want] = true
		if !strings.HasPrefix(def, "/aws/service/ami-amazon-linux-latest/al2023-ami-") || !strings.HasSuffix(def, "-"+want) {
			t.Errorf("%s: %s runs the image of %q, want Amazon Linux 2023 for %s", name, e.env.Web.InstanceType, def, want)
		}
	}
	if !seen["arm64"] || !seen["x86_64"] {
		t.Errorf("the environments cover only %v of arm64 and x86_64", seen)
	}
}

// TestDatabaseLogsAndMonitoring: in every environment, the parameter group
// writes what is exported, the option group holds the audit plugin, the
// exports are exactly the logs written, each kept the configured days, and
// enhanced monitoring runs at the configured interval with a role that may
// write only the instance's own stream.
func TestDatabaseLogsAndMonitoring(t *testing.T) {
	for name, e := range synthAll().all {
		data, d := e.stacks["Data"], e.env.Database
		db := data.one(t, "AWS::RDS::DBInstance")
		logs := []any{"audit", "error", "slowquery"}
		general := "0"
		if d.GeneralLog {
			logs, general = append(logs, "general"), "1"
		}
		if !slices.Equal(asAny(db["EnableCloudwatchLogsExports"]), logs) {
			t.Errorf("%s: exports %v, want %v", name, db["EnableCloudwatchLogsExports"], logs)
		}
		if n := len(data.resources("Custom::LogRetention")); n != len(logs) {
			t.Errorf("%s: %d log retentions, want one per export (%d)", name, n, len(logs))
		}
		params := data.one(t, "AWS::RDS::DBParameterGroup")["Parameters"].(map[string]any)
		for k, v := range map[string]string{"general_log": general, "slow_query_log": "1", "log_output": "FILE",
			"long_query_time": fmt.Sprint(d.SlowQuerySeconds), "require_secure_transport": "ON"} {
			if params[k] != v {
				t.Errorf("%s: parameter %s = %v, want %s", name, k, params[k], v)
			}
		}
		if ref(db["OptionGroupName"]) != onlyID(t, data, "AWS::RDS::OptionGroup") {
			t.Errorf("%s: the instance does not use the audit option group", name)
		}
		if num(db["MonitoringInterval"]) != d.MonitoringSeconds {
			t.Errorf("%s: MonitoringInterval %v, want %d", name, db["MonitoringInterval"], d.MonitoringSeconds)
		}
		role := ref(db["MonitoringRoleArn"])
		roleBody := data.resources("AWS::IAM::Role")[role]
		if trust, _ := json.Marshal(props(roleBody)["AssumeRolePolicyDocument"]); !strings.Contains(string(trust), "monitoring.rds.amazonaws.com") || props(roleBody)["ManagedPolicyArns"] != nil {
			t.Errorf("%s: monitoring role %s trusts %s, managed policies %v", name, role, trust, props(roleBody)["ManagedPolicyArns"])
		}
		// The permissions are inline in the role, so they exist when the
		// instance is created (TestCreateTimeRolesHoldTheirPermissions).
		for id, p := range data.resources("AWS::IAM::Policy") {
			if roles := asAny(props(p)["Roles"]); len(roles) == 1 && ref(roles[0]) == role {
				t.Errorf("%s: policy %s attaches to the monitoring role after the role exists", name, id)
			}
		}
		policy, _ := json.Marshal(props(roleBody)["Policies"])
		for _, w := range []string{`log-group:RDSOSMetrics"`, `log-group:RDSOSMetrics:log-stream:*"`, "logs:PutLogEvents", "logs:CreateLogStream"} {
			if !strings.Contains(string(policy), w) {
				t.Errorf("%s: the monitoring role's policy lacks %s: %s", name, w, policy)
			}
		}
		if strings.Contains(string(policy), `"*"`) || strings.Count(string(policy), `:*"`) != 1 {
			t.Errorf("%s: the monitoring role's policy has a wildcard beyond RDSOSMetrics' streams: %s", name, policy)
		}
	}
}

// TestLogRetentionOutsideVpc: the CDK's LogRetention function runs outside
// the VPC, so deleting the data stack leaves no Lambda network interface in
// the private subnets to block the network stack's delete (Tear down).
// TestNoFunctionInTheVpcOutsideTheNetwork covers every function.
func TestLogRetentionOutsideVpc(t *testing.T) {
	for name, e := range synthAll().all {
		data := e.stacks["Data"]
		fn := data.one(t, "AWS::Lambda::Function")
		if fn["VpcConfig"] != nil {
			t.Errorf("%s: the LogRetention function has a VpcConfig: %v", name, fn["VpcConfig"])
		}
		all, _ := json.Marshal(data.resources("AWS::IAM::Policy"))
		if strings.Contains(string(all), "ec2:CreateNetworkInterface") {
			t.Errorf("%s: a role of the data stack may still create network interfaces", name)
		}
		// For one release (CHANGELOG): Lambda deletes the interfaces the
		// function had in the VPC with the function's role.
		if !strings.Contains(string(all), "ec2:DeleteNetworkInterface") {
			t.Errorf("%s: the LogRetention function's role may not delete the network interfaces it had in the VPC", name)
		}
	}
}

// TestNoFunctionInTheVpcOutsideTheNetwork: no stack that is deleted before
// the network stack holds a Lambda function in the VPC. Deleting such a stack
// deletes the function and its role at once, while Lambda's network
// interfaces linger in the subnets for up to about 20 minutes, and can be
// orphaned without the role (aws/aws-cdk#6701); the network stack's delete
// right after fails on the subnets and the group they use.
func TestNoFunctionInTheVpcOutsideTheNetwork(t *testing.T) {
	all := map[string]map[string]map[string]any{"pipeline": pipelineTemplates(t)}
	for name, e := range synthAll().all {
		all[name] = stageTemplates(e)
	}
	functions := 0
	for stage, templates := range all {
		for name, tpl := range templates {
			resources, _ := tpl["Resources"].(map[string]any)
			for id, r := range resources {
				body := r.(map[string]any)
				if body["Type"] != "AWS::Lambda::Function" {
					continue
				}
				functions++
				p, _ := body["Properties"].(map[string]any)
				if p["VpcConfig"] != nil && !strings.HasSuffix(name, "Network") {
					t.Errorf("%s: %s: function %s is in the VPC: the stack's delete leaves its network interfaces behind the network stack's", stage, name, id)
				}
			}
		}
	}
	if functions < len(synthAll().all) {
		t.Errorf("%d Lambda functions in every stage: the test sees none of the LogRetention functions", functions)
	}
}

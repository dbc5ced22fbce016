package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/web"
)

// imports matches a cross-stack reference (stacks.TemplateFlags): an
// Fn::ImportValue of an export of the network or data stack whose name
// contains part.
func imports(part string) assertions.Matcher {
	return assertions.Match_ObjectEquals(&map[string]any{
		"Fn::ImportValue": assertions.Match_StringLikeRegexp(jsii.String("^project-1-(Network|Data):.*" + part + ".*")),
	})
}

// TestCrossStackReferencesAreImports: every value a stack reads from another
// is an export of a stack of the same stage, read with Fn::ImportValue, so
// CloudFormation refuses a deploy that would change or delete it while it is
// read. No Fn::GetStackOutput stands anywhere: its consumer is not updated
// when the value changes, and it may not stand inside another intrinsic
// function in every region (aws/aws-cdk#37948).
func TestCrossStackReferencesAreImports(t *testing.T) {
	all := map[string]map[string]map[string]any{"pipeline": pipelineTemplates(t)}
	for name, e := range synthAll().all {
		all[name] = stageTemplates(e)
	}
	for stage, templates := range all {
		exports := map[string]bool{}
		for _, tpl := range templates {
			outputs, _ := tpl["Outputs"].(map[string]any)
			for _, o := range outputs {
				if e, _ := o.(map[string]any)["Export"].(map[string]any); e != nil {
					exports[fmt.Sprint(e["Name"])] = true
				}
			}
		}
		for name, tpl := range templates {
			for _, problem := range crossStackProblems(tpl, exports) {
				t.Errorf("%s: %s: %s", stage, name, problem)
			}
		}
	}
}

// crossStackProblems lists the Fn::GetStackOutput uses of tpl, and its
// Fn::ImportValue uses of a name that is not in exports.
func crossStackProblems(tpl map[string]any, exports map[string]bool) []string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if arg, ok := x["Fn::GetStackOutput"]; ok {
				out = append(out, fmt.Sprintf("%s reads %v with Fn::GetStackOutput", path, arg))
			}
			if arg, ok := x["Fn::ImportValue"]; ok && !exports[fmt.Sprint(arg)] {
				out = append(out, fmt.Sprintf("%s imports %v, which no stack of the stage exports", path, arg))
			}
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", tpl)
	slices.Sort(out)
	return out
}

// TestCrossStackProblems: the check above finds a weak reference, nested in
// Fn::Join or not, and an import of a name nobody exports.
func TestCrossStackProblems(t *testing.T) {
	gso := map[string]any{"Fn::GetStackOutput": map[string]any{"StackName": "n", "OutputName": "o"}}
	tpl := map[string]any{"Resources": map[string]any{
		"A": map[string]any{"Properties": map[string]any{"X": gso}},
		"B": map[string]any{"Properties": map[string]any{"Y": map[string]any{"Fn::Join": []any{"", []any{gso, "/*"}}}}},
		"C": map[string]any{"Properties": map[string]any{"Z": map[string]any{"Fn::ImportValue": "gone"}}},
		"D": map[string]any{"Properties": map[string]any{"Z": map[string]any{"Fn::ImportValue": "there"}}},
	}}
	got := crossStackProblems(tpl, map[string]bool{"there": true})
	if len(got) != 3 {
		t.Errorf("want the two weak references and the dangling import, got %q", got)
	}
}

func TestStacksAndDependencies(t *testing.T) {
	st := synthAll().stage
	deps := func(s awscdk.Stack) []string {
		var out []string
		for _, d := range *s.Dependencies() {
			out = append(out, *d.StackName())
		}
		return out
	}
	if got := deps(st.App.Stack); !slices.Equal(got, []string{"project-1-Network", "project-1-Data"}) && !slices.Equal(got, []string{"project-1-Data", "project-1-Network"}) {
		t.Errorf("app stack depends on %q, want the network and data stacks", got)
	}
	if got := deps(st.Data.Stack); !slices.Equal(got, []string{"project-1-Network"}) {
		t.Errorf("data stack depends on %q, want only the network stack", got)
	}
	if got := deps(st.Network.Stack); len(got) != 0 {
		t.Errorf("network stack depends on %q, want nothing", got)
	}
	if !*st.Data.Stack.TerminationProtection() {
		t.Error("the data stack has no termination protection")
	}
}

func TestLoadBalancer(t *testing.T) {
	tpl := stack(t, "App").Template()
	check(t, "internet-facing ALB in the public subnets with the ALB group", func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{
			"Scheme":         "internet-facing",
			"Type":           "application",
			"Subnets":        []any{imports("NetworkPublicSubnet1"), imports("NetworkPublicSubnet2")},
			"SecurityGroups": []any{imports("SecurityGroupsAlb")},
			"LoadBalancerAttributes": assertions.Match_ArrayWith(&[]any{ // in the order the CDK writes them
				map[string]any{"Key": "deletion_protection.enabled", "Value": "true"},
				map[string]any{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
				map[string]any{"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"},
				map[string]any{"Key": "access_logs.s3.enabled", "Value": "true"},
				map[string]any{"Key": "access_logs.s3.bucket", "Value": imports("LogBucket")},
				map[string]any{"Key": "access_logs.s3.prefix", "Value": "alb"},
			}),
		})
	})
	check(t, "HTTP 80 forwards to the web tier (no certificate in project-1)", func() {
		tpl.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port":           80,
			"Protocol":       "HTTP",
			"DefaultActions": []any{assertions.Match_ObjectLike(&map[string]any{"Type": "forward"})},
		})
	})
	check(t, "health-checked target group on port 80", func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), map[string]any{
			"Port": 80, "Protocol": "HTTP", "TargetType": "instance",
			"HealthCheckPath": "/", "Matcher": map[string]any{"HttpCode": "200"},
		})
	})
}

// TestHttpsWithCertificate: project-1 with a certificate (variantApp's
// synthesis) has HTTPS on 443 with a TLS 1.2+ policy, and HTTP 80 redirecting to it.
func TestHttpsWithCertificate(t *testing.T) {
	tpl := variantApp(t)
	if tpl == nil {
		return
	}
	check(t, "HTTPS listener", func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port": 443, "Protocol": "HTTPS",
			"SslPolicy":    "ELBSecurityPolicy-TLS13-1-2-2021-06",
			"Certificates": []any{map[string]any{"CertificateArn": variantCertificate}},
		})
	})
	check(t, "HTTP redirects to HTTPS", func() {
		tpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port": 80, "Protocol": "HTTP",
			"DefaultActions": []any{map[string]any{"Type": "redirect", "RedirectConfig": map[string]any{
				"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}},
		})
	})
}

func TestWebTier(t *testing.T) {
	s := stack(t, "App")
	tpl := s.Template()
	check(t, "launch template", func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::LaunchTemplate"), map[string]any{
			"LaunchTemplateData": assertions.Match_ObjectLike(&map[string]any{
				"ImageId":         map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("SsmParameterValue.*al2023.*arm64.*"))},
				"InstanceType":    "c7g.medium",
				"MetadataOptions": map[string]any{"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1, "HttpTokens": "required"},
				"Monitoring":      map[string]any{"Enabled": true},
				"KeyName":         assertions.Match_Absent(),
				"NetworkInterfaces": []any{map[string]any{"AssociatePublicIpAddress": false, "DeviceIndex": 0,
					"Groups": []any{imports("SecurityGroupsWeb")}}},
				"BlockDeviceMappings": []any{map[string]any{"DeviceName": "/dev/xvda", "Ebs": map[string]any{
					"DeleteOnTermination": true, "Encrypted": true, "VolumeSize": 8, "VolumeType": "gp3"}}},
			}),
		})
	})
	check(t, "Auto Scaling group: two private subnets, one instance per zone, ELB health, rolling update", func() {
		tpl.HasResource(jsii.String("AWS::AutoScaling::AutoScalingGroup"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"VPCZoneIdentifier": []any{imports("NetworkPrivateSubnet1"), imports("NetworkPrivateSubnet2")},
				"MinSize":           "2",
				"MaxSize":           "4",
				"DesiredCapacity":   assertions.Match_Absent(),
				"HealthCheckType":   "ELB",
			}),
			"UpdatePolicy": map[string]any{"AutoScalingRollingUpdate": map[string]any{
				"MaxBatchSize": 1, "MinInstancesInService": 2, "PauseTime": "PT30M", "WaitOnResourceSignals": true,
				"SuspendProcesses": assertions.Match_AnyValue()}},
			"CreationPolicy": map[string]any{"ResourceSignal": map[string]any{"Count": 2, "Timeout": "PT15M"}},
		})
	})
	lt := onlyID(t, s, "AWS::EC2::LaunchTemplate")
	userData, _ := json.Marshal(props(s.resources("AWS::EC2::LaunchTemplate")[lt])["LaunchTemplateData"].(map[string]any)["UserData"])
	for _, want := range []string{"dnf install -y httpd", "systemctl enable --now httpd", "cfn-signal"} {
		if !strings.Contains(string(userData), want) {
			t.Errorf("user data lacks %q: %s", want, userData)
		}
	}
}

func TestWebRoleIsLeastPrivilege(t *testing.T) {
	s := stack(t, "App")
	tpl := s.Template()
	check(t, "only the Session Manager managed policy", func() {
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"AssumeRolePolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": []any{assertions.Match_ObjectLike(&map[string]any{
				"Principal": map[string]any{"Service": "ec2.amazonaws.com"}})}}),
			"ManagedPolicyArns": []any{map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMManagedInstanceCore"}}}},
		})
	})
	policies := s.resources("AWS::IAM::Policy")
	if len(policies) != 1 {
		t.Fatalf("%d IAM policies in the app stack, want 1 (the web role's)", len(policies))
	}
	var sawS3, sawTable, sawSecret, sawKms bool
	for _, p := range policies {
		for _, st := range asList(props(p)["PolicyDocument"].(map[string]any)["Statement"]) {
			raw, _ := json.Marshal(st)
			text := string(raw)
			for _, r := range asAny(st["Resource"]) {
				if r == "*" {
					t.Errorf("statement on *: %s", text)
				}
			}
			switch {
			case strings.Contains(text, "s3:"):
				sawS3 = strings.Contains(text, "DataBucket") && strings.Contains(text, `"/*"`)
			case strings.Contains(text, "dynamodb:"):
				sawTable = strings.Contains(text, "ForumTable") && !strings.Contains(text, "dynamodb:*")
			case strings.Contains(text, "secretsmanager:"):
				sawSecret = strings.Contains(text, "DatabaseSecret")
			case strings.Contains(text, "kms:ViaService"):
				sawKms = strings.Contains(text, "DatabaseKey")
			}
		}
	}
	if !sawS3 || !sawTable || !sawSecret || !sawKms {
		t.Errorf("grants: S3 read on the data bucket %v, table read/write %v, secret read %v, secret key decrypt via Secrets Manager %v; want all", sawS3, sawTable, sawSecret, sawKms)
	}
}

// webRoleActions is every action the web role may hold, and what for. The
// role must hold exactly these; a new one (s3:* on the bucket, say) fails here
// before it reaches cdk-nag.
var webRoleActions = map[string]string{
	"s3:GetBucket*": "the spec's S3 read", "s3:GetObject*": "the spec's S3 read", "s3:List*": "the spec's S3 read",
	"kms:Decrypt": "read the bucket's objects, the table, and the secret (via Secrets Manager)", "kms:DescribeKey": "the same",
	"kms:Encrypt": "write the table", "kms:GenerateDataKey*": "write the table", "kms:ReEncrypt*": "write the table",
	"dynamodb:BatchGetItem": "read the table", "dynamodb:GetItem": "read the table", "dynamodb:Query": "read the table",
	"dynamodb:Scan": "read the table", "dynamodb:GetRecords": "read the table", "dynamodb:GetShardIterator": "read the table",
	"dynamodb:DescribeTable": "read the table", "dynamodb:ConditionCheckItem": "read the table",
	"dynamodb:BatchWriteItem": "write the table", "dynamodb:PutItem": "write the table",
	"dynamodb:UpdateItem": "write the table", "dynamodb:DeleteItem": "write the table",
	"secretsmanager:GetSecretValue": "read the database secret", "secretsmanager:DescribeSecret": "read the database secret",
	"cloudformation:SignalResource": "signal the Auto Scaling group's creation and rolling update (cfn-signal)",
}

// TestWebRoleActions: in every environment, the web role's inline policy
// holds exactly webRoleActions.
func TestWebRoleActions(t *testing.T) {
	for name, e := range synthAll().all {
		got := map[string]bool{}
		for _, p := range e.stacks["App"].resources("AWS::IAM::Policy") {
			for _, st := range asList(props(p)["PolicyDocument"].(map[string]any)["Statement"]) {
				for _, a := range asAny(st["Action"]) {
					got[fmt.Sprint(a)] = true
				}
			}
		}
		for a := range got {
			if _, ok := webRoleActions[a]; !ok {
				t.Errorf("%s: the web role holds %s, which is not in the allowed actions", name, a)
			}
		}
		for a := range webRoleActions {
			if !got[a] {
				t.Errorf("%s: the web role lacks %s (%s)", name, a, webRoleActions[a])
			}
		}
	}
}

func asAny(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func TestDatabase(t *testing.T) {
	s := stack(t, "Data")
	tpl := s.Template()
	check(t, "RDS MySQL 8.4", func() {
		tpl.HasResource(jsii.String("AWS::RDS::DBInstance"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"Engine":                          "mysql",
				"EngineVersion":                   "8.4",
				"DBInstanceClass":                 "db.t3.micro",
				"Port":                            "3306",
				"StorageEncrypted":                true,
				"KmsKeyId":                        map[string]any{"Fn::GetAtt": []any{"DatabaseKey7576F140", "Arn"}},
				"StorageType":                     "gp3",
				"BackupRetentionPeriod":           7,
				"AutoMinorVersionUpgrade":         true,
				"CopyTagsToSnapshot":              true,
				"MultiAZ":                         true,
				"DeletionProtection":              true,
				"PubliclyAccessible":              false,
				"EnableIAMDatabaseAuthentication": true,
				"EnableCloudwatchLogsExports":     []any{"audit", "error", "slowquery", "general"},
				"MonitoringInterval":              60,
				"MonitoringRoleArn":               map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^DatabaseMonitoringRole")), "Arn"}},
				"OptionGroupName":                 map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DatabaseOptions"))},
				"VPCSecurityGroups":               []any{imports("SecurityGroupsDatabase")},
				"MasterUserPassword":              map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{"{{resolve:secretsmanager:"})}},
			}),
			"DeletionPolicy":      "Snapshot",
			"UpdateReplacePolicy": "Snapshot",
		})
	})
	check(t, "private subnet group", func() {
		tpl.HasResourceProperties(jsii.String("AWS::RDS::DBSubnetGroup"), map[string]any{
			"SubnetIds": []any{imports("NetworkPrivateSubnet1"), imports("NetworkPrivateSubnet2")},
		})
	})
	check(t, "TLS required; slow-query (2 s) and general logs written to files", func() {
		tpl.HasResourceProperties(jsii.String("AWS::RDS::DBParameterGroup"), map[string]any{
			"Family":      "mysql8.4",
			"Description": "project-1 MySQL: TLS required", // create-only: a new one would replace the group
			"Parameters": map[string]any{"require_secure_transport": "ON", "log_output": "FILE",
				"slow_query_log": "1", "long_query_time": "2", "general_log": "1"},
		})
	})
	check(t, "audit log: the MariaDB Audit Plugin, connections, DDL and DCL", func() {
		tpl.ResourceCountIs(jsii.String("AWS::RDS::OptionGroup"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::RDS::OptionGroup"), map[string]any{
			"EngineName": "mysql", "MajorEngineVersion": "8.4",
			"OptionConfigurations": []any{map[string]any{"OptionName": "MARIADB_AUDIT_PLUGIN",
				"OptionSettings": []any{map[string]any{"Name": "SERVER_AUDIT_EVENTS", "Value": "CONNECT,QUERY_DDL,QUERY_DCL"}}}},
		})
	})
	check(t, "logs kept 90 days, one retention per exported log", func() {
		tpl.ResourcePropertiesCountIs(jsii.String("Custom::LogRetention"), map[string]any{"RetentionInDays": 90}, jsii.Number(4))
		for _, log := range []string{"audit", "error", "slowquery", "general"} {
			tpl.HasResourceProperties(jsii.String("Custom::LogRetention"), map[string]any{
				"LogGroupName": map[string]any{"Fn::Join": []any{"", []any{"/aws/rds/instance/", map[string]any{"Ref": "DatabaseInstanceAA8A5FDE"}, "/" + log}}},
			})
		}
	})
	check(t, "generated secret, KMS-encrypted, retained", func() {
		tpl.HasResource(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"GenerateSecretString": assertions.Match_ObjectLike(&map[string]any{"GenerateStringKey": "password"}),
				"KmsKeyId":             map[string]any{"Fn::GetAtt": []any{"DatabaseKey7576F140", "Arn"}},
			}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
	})
}

// TestNoPlaintextPassword: no template carries a password value.
func TestNoPlaintextPassword(t *testing.T) {
	for id, s := range synthAll().stacks {
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, c := range x {
					if strings.Contains(strings.ToLower(k), "password") {
						if _, literal := c.(string); literal {
							t.Errorf("%s: %s.%s is a literal string", id, path, k)
						}
					}
					walk(path+"."+k, c)
				}
			case []any:
				for _, c := range x {
					walk(path, c)
				}
			}
		}
		walk("", s.json)
	}
}

func TestForumTable(t *testing.T) {
	tpl := stack(t, "Data").Template()
	check(t, "Forum table", func() {
		tpl.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"TableName":                        "Forum",
				"KeySchema":                        []any{map[string]any{"AttributeName": "Name", "KeyType": "HASH"}},
				"AttributeDefinitions":             []any{map[string]any{"AttributeName": "Name", "AttributeType": "S"}},
				"BillingMode":                      "PAY_PER_REQUEST",
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"SSESpecification": map[string]any{"SSEEnabled": true, "SSEType": "KMS",
					"KMSMasterKeyId": map[string]any{"Fn::GetAtt": []any{"ForumTableKey5D226C3A", "Arn"}}},
				"DeletionProtectionEnabled": true,
			}),
			"DeletionPolicy":      "RetainExceptOnCreate",
			"UpdateReplacePolicy": "Retain",
		})
	})
}

func TestBuckets(t *testing.T) {
	tpl := stack(t, "Data").Template()
	check(t, "versioned data bucket", func() {
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true,
				"IgnorePublicAcls": true, "RestrictPublicBuckets": true},
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
				"BucketKeyEnabled": true,
				"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms",
					"KMSMasterKeyID": map[string]any{"Fn::GetAtt": []any{"DataBucketKeyF49B2630", "Arn"}}}}}},
			"LoggingConfiguration": map[string]any{"DestinationBucketName": map[string]any{"Ref": "LogBucketCC3B17E8"}, "LogFilePrefix": "data-bucket/"},
			"LifecycleConfiguration": map[string]any{"Rules": []any{map[string]any{"Id": "expire-noncurrent-versions",
				"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 90}, "Status": "Enabled"}}},
		})
	})
	check(t, "log bucket: SSE-S3 (ALB log delivery needs it), expiring", func() {
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
				"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}}}},
			"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"ExpirationInDays": 365})})},
		})
	})
	check(t, "both buckets refuse plain HTTP", func() {
		tpl.ResourcePropertiesCountIs(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Deny", "Action": "s3:*", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}})})},
		}, jsii.Number(2))
	})
}

func TestOutputs(t *testing.T) {
	for id, want := range map[string][]string{
		"App":  {"LoadBalancerUrl", "AutoScalingGroupName", "AlarmTopicArn", "DashboardUrl"},
		"Data": {"DatabaseEndpoint", "DatabaseSecretArn", "DataBucketName", "ForumTableName"},
	} {
		outputs, _ := stack(t, id).json["Outputs"].(map[string]any)
		for _, name := range want {
			if _, ok := outputs[name]; !ok {
				t.Errorf("stack %s has no output %s", id, name)
			}
		}
	}
}

// TestStatefulResourcesAreKept pins the logical ids of everything that holds
// data, and checks each survives deletion and replacement. A renamed construct
// id gives a new logical id: CloudFormation would create a new, empty resource
// and delete (or orphan) the old one. This test fails first.
func TestStatefulResourcesAreKept(t *testing.T) {
	resources := stack(t, "Data").json["Resources"].(map[string]any)
	// RetainExceptOnCreate: kept when the stack is deleted or the resource
	// replaced, but removed when the operation that created it rolls back, so
	// a failed first deploy can be retried. The database leaves a snapshot.
	retained := struct{ deletion, replace string }{"RetainExceptOnCreate", "Retain"}
	snapshot := struct{ deletion, replace string }{"Snapshot", "Snapshot"}
	for id, want := range map[string]struct {
		typ    string
		policy struct{ deletion, replace string }
	}{
		"DatabaseInstanceAA8A5FDE": {"AWS::RDS::DBInstance", snapshot},
		"DatabaseSecret3B817195":   {"AWS::SecretsManager::Secret", retained},
		"ForumTable1FBA2B20":       {"AWS::DynamoDB::Table", retained},
		"DataBucketE3889A50":       {"AWS::S3::Bucket", retained},
		"LogBucketCC3B17E8":        {"AWS::S3::Bucket", retained},
		"DataBucketKeyF49B2630":    {"AWS::KMS::Key", retained},
		"ForumTableKey5D226C3A":    {"AWS::KMS::Key", retained},
		"DatabaseKey7576F140":      {"AWS::KMS::Key", retained},
	} {
		body, ok := resources[id].(map[string]any)
		if !ok {
			t.Errorf("%s (%s) is gone: its logical id changed", id, want.typ)
			continue
		}
		if body["Type"] != want.typ || body["DeletionPolicy"] != want.policy.deletion || body["UpdateReplacePolicy"] != want.policy.replace {
			t.Errorf("%s: %v with DeletionPolicy %v and UpdateReplacePolicy %v, want %s with %s and %s",
				id, body["Type"], body["DeletionPolicy"], body["UpdateReplacePolicy"], want.typ, want.policy.deletion, want.policy.replace)
		}
	}
}

// TestSettingsOfTheWorkloadsTable: the README's workloads table settings that
// only the golden templates held before.
func TestSettingsOfTheWorkloadsTable(t *testing.T) {
	data, app := stack(t, "Data").Template(), stack(t, "App").Template()
	check(t, "database storage 20 GiB growing to 100", func() {
		data.HasResourceProperties(jsii.String("AWS::RDS::DBInstance"), map[string]any{"AllocatedStorage": "20", "MaxAllocatedStorage": 100})
	})
	check(t, "every KMS key rotates", func() {
		data.AllResourcesProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
	})
	check(t, "four KMS keys (database, table, data bucket, backup vault)", func() { data.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(4)) })
	check(t, "30 s deregistration delay", func() {
		app.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), map[string]any{
			"TargetGroupAttributes": assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}}),
		})
	})
	check(t, "the log bucket: versioned, public access blocked, SSE-S3", func() {
		data.HasResourceProperties(jsii.String("AWS::S3::Bucket"), assertions.Match_ObjectLike(&map[string]any{
			"LifecycleConfiguration": assertions.Match_ObjectLike(&map[string]any{
				"Rules": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Id": "expire-logs"})}),
			}),
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			},
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
				"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}}}},
		}))
	})
}

// TestImage: an environment without Web.ImageId (every one today) boots the
// image of the public parameter web.ImageParameter names, for its instance
// type's architecture, read at every deploy, and cmd/image reads the same
// one to pin it; a pinned image is the launch template's literal ImageId,
// with no parameter left to resolve (cmd/review then shows a new one as
// replaces-every-instance).
func TestImage(t *testing.T) {
	for name, e := range synthAll().all {
		app := e.stacks["App"]
		lt := onlyID(t, app, "AWS::EC2::LaunchTemplate")
		param := ref(props(app.resources("AWS::EC2::LaunchTemplate")[lt])["LaunchTemplateData"].(map[string]any)["ImageId"])
		p, _ := app.json["Parameters"].(map[string]any)[param].(map[string]any)
		if e.env.Web.ImageId != "" {
			t.Errorf("%s: pinned %s; this test expects the committed environments unpinned", name, e.env.Web.ImageId)
			continue
		}
		if p == nil || p["Type"] != "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" || p["Default"] != web.ImageParameter(e.env.Web.InstanceType) {
			t.Errorf("%s: the image is %v (parameter %v), want the parameter %s", name, param, p, web.ImageParameter(e.env.Web.InstanceType))
		}
	}
	tpl := variantApp(t)
	if tpl == nil {
		return
	}
	check(t, "a pinned image is the launch template's ImageId", func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::LaunchTemplate"), map[string]any{
			"LaunchTemplateData": assertions.Match_ObjectLike(&map[string]any{"ImageId": variantImage}),
		})
	})
	params, _ := (*tpl.ToJSON())["Parameters"].(map[string]any)
	for id, p := range params {
		if strings.Contains(fmt.Sprint(p), "ami-amazon-linux-latest") {
			t.Errorf("pinned, yet the template still reads the image parameter %s", id)
		}
	}
}

package test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/backup"
	"github.com/project-1/project-1/constructs/database"
	"github.com/project-1/project-1/constructs/firewall"
	"github.com/project-1/project-1/constructs/monitoring"
	"github.com/project-1/project-1/constructs/network"
	"github.com/project-1/project-1/constructs/storage"
	"github.com/project-1/project-1/constructs/web"
)

// parts is what the constructs take from one another, built once in a plain
// app (no cdk.json context), in a stack of us-east-1.
type parts struct {
	app     awscdk.App
	stack   awscdk.Stack
	vpc     *network.Vpc
	groups  *network.SecurityGroups
	key     awskms.IKey
	logs    awss3.IBucket
	bucket  awss3.IBucket
	table   awsdynamodb.ITable
	secret  awssecretsmanager.ISecret
	counter int
}

func newParts(t *testing.T) *parts {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), BuiltinCloudFormationValidation: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	p := &parts{app: app, stack: stack}
	net := appDefaultEnv().Network
	p.vpc = network.NewVpc(stack, "Network", &net)
	p.groups = network.NewSecurityGroups(stack, "Groups", &network.SecurityGroupsProps{Vpc: p.vpc.Vpc})
	p.key = awskms.NewKey(stack, jsii.String("Key"), nil)
	p.logs = storage.NewLogBucket(stack, "Logs", 30)
	p.bucket = storage.NewDataBucket(stack, "Data", &storage.DataBucketProps{Key: p.key, AccessLogs: p.logs, NoncurrentVersionDays: 30})
	p.table = storage.NewForumTable(stack, "Table", &storage.ForumTableProps{TableName: "Forum", Key: p.key})
	p.secret = awssecretsmanager.NewSecret(stack, jsii.String("Secret"), nil)
	return p
}

// id gives every construct of a test a new id.
func (p *parts) id() string { p.counter++; return fmt.Sprintf("C%d", p.counter) }

func (p *parts) mysql() *database.MysqlProps {
	return &database.MysqlProps{Vpc: p.vpc.Vpc, SecurityGroup: p.groups.Database, Key: p.key,
		Settings: database.Settings{InstanceType: "t3.micro", StorageGiB: 20, MaxStorageGiB: 100, BackupDays: 7, LogRetentionDays: 30}}
}

func (p *parts) web() *web.Props {
	return &web.Props{Vpc: p.vpc.Vpc, AlbSecurityGroup: p.groups.Alb, InstanceSecurityGroup: p.groups.Web, AccessLogs: p.logs,
		DataBucket: p.bucket, Table: p.table, DatabaseSecret: p.secret, DatabaseSecretKey: p.key,
		Settings: web.Settings{InstanceType: "t3.micro", Instances: 2, MaxInstances: 4}}
}

// built runs build and returns the message it panicked with ("" when it did
// not), failing the test when the panic is a Go runtime error.
func built(t *testing.T, build func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if err, ok := r.(runtime.Error); ok {
			t.Errorf("a Go runtime panic instead of a message: %v", err)
		}
		msg = fmt.Sprint(r)
	}()
	build()
	return ""
}

// TestConstructsRejectBadProps feeds every exported construct bad and missing
// input: each case panics with a message naming the constructor, the id, the
// field and the value, before anything is created, and never with a Go
// runtime error.
func TestConstructsRejectBadProps(t *testing.T) {
	p := newParts(t)
	vpcWith := func(change func(*network.VpcProps)) *network.VpcProps {
		props := appDefaultEnv().Network
		props.Subnets = append([]network.Subnet(nil), props.Subnets...)
		change(&props)
		return &props
	}
	mysqlWith := func(change func(*database.MysqlProps)) *database.MysqlProps { m := p.mysql(); change(m); return m }
	webWith := func(change func(*web.Props)) *web.Props { w := p.web(); change(w); return w }
	for _, tc := range []struct {
		name  string
		build func(id string)
		want  []string
	}{
		{"nil VpcProps", func(id string) { network.NewVpc(p.stack, id, nil) }, []string{"network.NewVpc", "Cidr", "Subnets"}},
		{"zones of another region", func(id string) {
			network.NewVpc(p.stack, id, vpcWith(func(v *network.VpcProps) {
				for i := range v.Subnets {
					v.Subnets[i].AvailabilityZone = strings.Replace(v.Subnets[i].AvailabilityZone, "us-east-1", "eu-west-1", 1)
				}
			}))
		}, []string{"network.NewVpc", "Subnets[0].AvailabilityZone", `"eu-west-1a"`, "us-east-1"}},
		{"nil security groups props", func(id string) { network.NewSecurityGroups(p.stack, id, nil) }, []string{"network.NewSecurityGroups", "Vpc is nil"}},
		{"nil MysqlProps", func(id string) { database.NewMysql(p.stack, id, nil) }, []string{"database.NewMysql", "Vpc is nil", "SecurityGroup is nil", "Key is nil", `InstanceType ""`}},
		{"storage above its maximum", func(id string) {
			database.NewMysql(p.stack, id, mysqlWith(func(m *database.MysqlProps) { m.StorageGiB, m.MaxStorageGiB = 200, 100 }))
		}, []string{"database.NewMysql", "MaxStorageGiB 100", "StorageGiB (200)"}},
		{"a nonsense instance type", func(id string) {
			database.NewMysql(p.stack, id, mysqlWith(func(m *database.MysqlProps) { m.InstanceType = "huge" }))
		}, []string{"database.NewMysql", `InstanceType "huge"`}},
		{"an RDS class with db.", func(id string) {
			database.NewMysql(p.stack, id, mysqlWith(func(m *database.MysqlProps) { m.InstanceType = "db.t3.micro" }))
		}, []string{`InstanceType "db.t3.micro"`, "without"}},
		{"a retention CloudWatch refuses", func(id string) {
			database.NewMysql(p.stack, id, mysqlWith(func(m *database.MysqlProps) { m.LogRetentionDays = 2 }))
		}, []string{"LogRetentionDays", "2 days"}},
		{"zero expiry days", func(id string) { storage.NewLogBucket(p.stack, id, 0) }, []string{"storage.NewLogBucket", "expireDays 0"}},
		{"a copy region without its vault", func(id string) {
			backup.NewPlan(p.stack, id, &backup.PlanProps{Settings: backup.Settings{RetentionDays: 35, CopyRegion: "eu-central-1", CopyRetentionDays: 35}})
		}, []string{"backup.NewPlan", "CopyVault is nil", `CopyRegion "eu-central-1"`}},
		{"nil PlanProps", func(id string) { backup.NewPlan(p.stack, id, nil) }, []string{"backup.NewPlan", "RetentionDays 0"}},
		{"an empty selection", func(id string) { backup.NewSelection(p.stack, id, &backup.SelectionProps{}) }, []string{"backup.NewSelection", "Plan is nil", "ResourceArns is empty"}},
		{"a copy vault with a bad name", func(id string) {
			backup.NewCopyVault(p.stack, id, &backup.CopyVaultProps{Name: "a vault", RetentionDays: 0})
		}, []string{"backup.NewCopyVault", `Name "a vault"`, "RetentionDays 0"}},
		{"a rate limit WAF refuses", func(id string) {
			firewall.NewWebAcl(p.stack, id, &firewall.Props{Name: "web", Settings: firewall.Settings{RateLimit: 5, LogRetentionDays: 365}})
		}, []string{"firewall.NewWebAcl", "RateLimit 5", "from 10"}},
		{"a web ACL without a rate limit", func(id string) { firewall.NewWebAcl(p.stack, id, &firewall.Props{Name: "web"}) }, []string{"firewall.NewWebAcl", "RateLimit 0"}},
		{"nil DataBucketProps", func(id string) { storage.NewDataBucket(p.stack, id, nil) }, []string{"storage.NewDataBucket", "Key is nil", "AccessLogs is nil", "NoncurrentVersionDays 0"}},
		{"an empty table name", func(id string) { storage.NewForumTable(p.stack, id, &storage.ForumTableProps{Key: p.key}) }, []string{"storage.NewForumTable", `TableName ""`}},
		{"nil web Props", func(id string) { web.NewWeb(p.stack, id, nil) }, []string{"web.NewWeb", "Vpc is nil", "DataBucket is nil", "Table is nil", "DatabaseSecretKey is nil", "Instances 0"}},
		{"no room for a rolling update", func(id string) {
			web.NewWeb(p.stack, id, webWith(func(w *web.Props) { w.MaxInstances = 2 }))
		}, []string{"web.NewWeb", "MaxInstances 2", "Instances (2)"}},
		{"an enhanced monitoring interval RDS refuses", func(id string) {
			database.NewMysql(p.stack, id, mysqlWith(func(m *database.MysqlProps) { m.MonitoringSeconds = 7; m.SlowQuerySeconds = -1 }))
		}, []string{"database.NewMysql", "MonitoringSeconds 7", "SlowQuerySeconds -1"}},
		{"an alternate type of another architecture", func(id string) {
			web.NewWeb(p.stack, id, webWith(func(w *web.Props) { w.AlternateInstanceType = "t4g.micro" }))
		}, []string{"web.NewWeb", `AlternateInstanceType "t4g.micro"`}},
		{"an image id that is none", func(id string) {
			web.NewWeb(p.stack, id, webWith(func(w *web.Props) { w.ImageId = "ami-latest" }))
		}, []string{"web.NewWeb", `ImageId "ami-latest"`}},
		{"nil monitoring Props", func(id string) { monitoring.NewMonitoring(p.stack, id, nil) },
			[]string{"monitoring.NewMonitoring", "Topic is nil", "LoadBalancer is nil", "Database is nil", "NatGatewayIds is empty", "Settings.LoadBalancer5xx 0"}},
		{"a malformed alarm email", func(id string) { monitoring.NewAlarmTopic(p.stack, id, "ops@") },
			[]string{"monitoring.NewAlarmTopic", `email "ops@"`}},
		{"a certificate of another region", func(id string) {
			web.NewWeb(p.stack, id, webWith(func(w *web.Props) {
				w.CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
			}))
		}, []string{"web.NewWeb", "CertificateArn", "eu-west-1", "us-east-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := p.id()
			msg := built(t, func() { tc.build(id) })
			if msg == "" {
				t.Fatal("no error")
			}
			for _, w := range append(tc.want, fmt.Sprintf("%q: invalid props", id)) {
				if !strings.Contains(msg, w) {
					t.Errorf("the message does not say %q:\n%s", w, msg)
				}
			}
			if p.stack.Node().TryFindChild(jsii.String(id)) != nil {
				t.Errorf("%s was created before its props were checked", id)
			}
		})
	}
}

// TestConstructsTakeImportedResources: buckets, a table, a secret and a key
// imported from elsewhere work where the constructs take interfaces.
func TestConstructsTakeImportedResources(t *testing.T) {
	p := newParts(t)
	s := p.stack
	key := awskms.Key_FromKeyArn(s, jsii.String("ImportedKey"), jsii.String("arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"))
	logs := awss3.Bucket_FromBucketName(s, jsii.String("ImportedLogs"), jsii.String("someone-elses-logs"))
	w := p.web()
	w.DataBucket = awss3.Bucket_FromBucketName(s, jsii.String("ImportedData"), jsii.String("someone-elses-data"))
	w.Table = awsdynamodb.Table_FromTableName(s, jsii.String("ImportedTable"), jsii.String("Forum"))
	w.DatabaseSecret = awssecretsmanager.Secret_FromSecretNameV2(s, jsii.String("ImportedSecret"), jsii.String("db"))
	w.DatabaseSecretKey = key
	w.AccessLogs = logs
	for name, build := range map[string]func(){
		"web tier": func() { web.NewWeb(s, "Web", w) },
		"data bucket": func() {
			storage.NewDataBucket(s, "Data2", &storage.DataBucketProps{Key: key, AccessLogs: logs, NoncurrentVersionDays: 1})
		},
		"table": func() { storage.NewForumTable(s, "Table2", &storage.ForumTableProps{TableName: "Forum2", Key: key}) },
		"database": func() {
			m := p.mysql()
			m.Key, m.SecurityGroup = key, awsec2.SecurityGroup_FromSecurityGroupId(s, jsii.String("ImportedGroup"), jsii.String("sg-12345678"), nil)
			database.NewMysql(s, "Db", m)
		},
	} {
		if msg := built(t, build); msg != "" {
			t.Errorf("%s with imported resources: %s", name, msg)
		}
	}
	// A plain app, with no cdk.json flags, synthesizes all of it.
	if msg := built(t, func() { p.app.Synth(nil) }); msg != "" {
		t.Errorf("synthesis: %s", msg)
	}
}

// TestConstructsLeaveTheirGroupsAlone: web.NewWeb and database.NewMysql take
// the security groups another construct owns and use them immutable, even
// when they are given the mutable groups themselves: the groups' rules after
// both are built, and after rules are asked for through their connections,
// are exactly the rules network.NewSecurityGroups wrote.
func TestConstructsLeaveTheirGroupsAlone(t *testing.T) {
	rules := func(build func(p *parts)) string {
		t.Helper()
		p := newParts(t)
		build(p)
		tpl := assertions.Template_FromStack(p.stack, nil).ToJSON()
		var out []string
		for id, r := range (*tpl)["Resources"].(map[string]any) {
			body := r.(map[string]any)
			switch body["Type"] {
			case "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress":
				b, _ := json.Marshal(body["Properties"])
				out = append(out, id+" "+string(b))
			}
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	before := rules(func(*parts) {})
	after := rules(func(p *parts) {
		w := web.NewWeb(p.stack, "Web", p.web())
		m := database.NewMysql(p.stack, "Database", p.mysql())
		// What a caller, or a later change here, may do through the L2s'
		// connections: none of it may reach the groups.
		w.LoadBalancer.Connections().AllowFromAnyIpv4(awsec2.Port_Tcp(jsii.Number(8080)), nil)
		w.Instances.Connections().AllowFromAnyIpv4(awsec2.Port_Tcp(jsii.Number(22)), nil)
		m.Instance.Connections().AllowDefaultPortFromAnyIpv4(nil)
	})
	if before == "" || after != before {
		t.Errorf("the groups' rules changed when the web tier and the database were built on them:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

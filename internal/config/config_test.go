package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/config"
)

// The configuration's tests need no construct: they run without the jsii
// kernel (TestConfigurationStartsNoKernel).

func defaultEnv(t *testing.T) config.Environment {
	t.Helper()
	env, err := config.Lookup(config.DefaultEnvironment)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestBadConfig: each bad value gives an error that names the environment, the
// field and the value.
func TestBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*config.Environment)
		want   []string // all must appear in the error
	}{
		{"malformed VPC CIDR", func(e *config.Environment) { e.Network.Cidr = "10.0.0.0/33" },
			[]string{`environment "project-1"`, "Network.Cidr", `"10.0.0.0/33"`}},
		{"malformed subnet CIDR", func(e *config.Environment) { e.Network.Subnets[1].Cidr = "10.0.2/24" },
			[]string{"Network.Subnets[1].Cidr", `"10.0.2/24"`}},
		{"host bits set", func(e *config.Environment) { e.Network.Subnets[0].Cidr = "10.0.1.7/24" },
			[]string{"Network.Subnets[0].Cidr", `"10.0.1.7/24"`, "host bits"}},
		{"subnet outside the VPC", func(e *config.Environment) { e.Network.Subnets[3].Cidr = "10.1.4.0/24" },
			[]string{"Network.Subnets[3].Cidr", `"10.1.4.0/24"`, "is outside the VPC Network.Cidr", `"10.0.0.0/16"`}},
		{"subnet larger than the VPC", func(e *config.Environment) { e.Network.Subnets[3].Cidr = "10.0.0.0/16" },
			[]string{"Network.Subnets[3].Cidr", `"10.0.0.0/16"`}},
		{"overlapping subnets", func(e *config.Environment) { e.Network.Subnets[2].Cidr = "10.0.1.128/25" },
			[]string{"Network.Subnets[2].Cidr", `"10.0.1.128/25"`, "overlaps Network.Subnets[0].Cidr"}},
		{"one availability zone", func(e *config.Environment) {
			e.Network.Subnets[2].AvailabilityZone, e.Network.Subnets[3].AvailabilityZone = "us-east-1a", "us-east-1a"
		}, []string{"Network.Subnets span 1 availability zone", "us-east-1a", "from 2"}},
		{"zone outside the region", func(e *config.Environment) { e.Network.Subnets[3].AvailabilityZone = "eu-west-1b" },
			[]string{"Network.Subnets[3].AvailabilityZone", `"eu-west-1b"`, `Region "us-east-1"`}},
		{"duplicate subnet name", func(e *config.Environment) { e.Network.Subnets[3].Name = "Public Subnet 1" },
			[]string{"Network.Subnets[3].Name", `"Public Subnet 1"`, "already used by Network.Subnets[0]"}},
		{"no NAT gateway", func(e *config.Environment) { e.Network.NatGateways = 0 },
			[]string{"Network.NatGateways 0"}},
		{"more NAT gateways than public subnets", func(e *config.Environment) { e.Network.NatGateways = 3 },
			[]string{"Network.NatGateways 3", "to 2"}},
		{"flow log retention CloudWatch refuses", func(e *config.Environment) { e.Network.FlowLogRetentionDays = 42 },
			[]string{"Network.FlowLogRetentionDays", "42 days"}},
		{"zone without a private subnet", func(e *config.Environment) { e.Network.Subnets[3].Public = true },
			[]string{`availability zone "us-east-1b": 2 public and 0 private`}},
		{"malformed account", func(e *config.Environment) { e.Account = "12345" },
			[]string{"Account", `"12345"`}},
		{"malformed region", func(e *config.Environment) { e.Region = "us-east" },
			[]string{"Region", `"us-east"`}},
		{"malformed instance type", func(e *config.Environment) { e.Web.InstanceType = "large" },
			[]string{"Web.InstanceType", `"large"`}},
		{"no web servers", func(e *config.Environment) { e.Web.Instances = 0 },
			[]string{"Web.Instances 0"}},
		{"no room for a rolling update", func(e *config.Environment) { e.Web.MaxInstances = 2 },
			[]string{"Web.MaxInstances 2", "above Web.Instances (2)"}},
		{"malformed certificate ARN", func(e *config.Environment) { e.Web.CertificateArn = "arn:aws:acm:us-east-1:123:cert" },
			[]string{"Web.CertificateArn", `"arn:aws:acm:us-east-1:123:cert"`}},
		{"certificate of another region", func(e *config.Environment) {
			e.Web.CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
		}, []string{"Web.CertificateArn", "eu-west-1", "own region us-east-1"}},
		{"backups shorter than a week", func(e *config.Environment) { e.Database.BackupDays = 3 },
			[]string{"Database.BackupDays 3"}},
		{"database log retention CloudWatch refuses", func(e *config.Environment) { e.Database.LogRetentionDays = 42 },
			[]string{"Database.LogRetentionDays", "42 days"}},
		{"storage below the RDS minimum", func(e *config.Environment) { e.Database.StorageGiB = 5 },
			[]string{"Database.StorageGiB 5"}},
		{"table name too short", func(e *config.Environment) { e.Storage.TableName = "F" },
			[]string{"Storage.TableName", `"F"`}},
		{"empty name tag", func(e *config.Environment) { e.Network.Subnets[0].Name = "" },
			[]string{"Network.Subnets[0].Name is empty"}},
		{"no alternate instance type", func(e *config.Environment) { e.Web.AlternateInstanceType = "" },
			[]string{"Web.AlternateInstanceType", `""`}},
		{"an alternate of another size", func(e *config.Environment) { e.Web.AlternateInstanceType = "t3a.large" },
			[]string{"Web.AlternateInstanceType", `"t3a.large"`, "size"}},
		{"an alternate on x86", func(e *config.Environment) { e.Web.AlternateInstanceType = "c7a.medium" },
			[]string{"Web.AlternateInstanceType", `"c7a.medium"`, "architecture"}},
		{"an enhanced monitoring interval RDS refuses", func(e *config.Environment) { e.Database.MonitoringSeconds = 20 },
			[]string{"Database.MonitoringSeconds 20", "[1 5 10 15 30 60]"}},
		{"enhanced monitoring off, which RDS takes and the baseline does not", func(e *config.Environment) { e.Database.MonitoringSeconds = 0 },
			[]string{"Database.MonitoringSeconds 0", "every environment keeps enhanced monitoring"}},
		{"a negative slow-query threshold", func(e *config.Environment) { e.Database.SlowQuerySeconds = -1 },
			[]string{"Database.SlowQuerySeconds -1"}},
		{"a backup copy in the environment's own region", func(e *config.Environment) { e.Backup.CopyRegion, e.Backup.CopyRetentionDays = "us-east-1", 35 },
			[]string{`Backup.CopyRegion "us-east-1"`, "own region"}},
		{"a backup copy without its retention", func(e *config.Environment) { e.Backup.CopyRegion = "us-west-2" },
			[]string{"Backup.CopyRetentionDays 0"}},
		{"vault retention under a week", func(e *config.Environment) { e.Backup.RetentionDays = 3 },
			[]string{"Backup.RetentionDays 3", "every environment keeps at least 7"}},
		{"a rate limit WAF refuses", func(e *config.Environment) { e.Web.Firewall.RateLimit = 5 },
			[]string{"Web.Firewall.RateLimit 5", "from 10"}},
		{"firewall logs CloudWatch refuses", func(e *config.Environment) { e.Web.Firewall.LogRetentionDays = 42 },
			[]string{"Web.Firewall.LogRetentionDays", "42 days"}},
		{"an image id that is none", func(e *config.Environment) { e.Web.ImageId = "al2023" },
			[]string{"Web.ImageId", `"al2023"`, "not an image id"}},
		{"a malformed alarm email", func(e *config.Environment) { e.Monitoring.AlarmEmail = "ops at example" },
			[]string{"Monitoring.AlarmEmail", `"ops at example"`}},
		{"a CPU threshold above 100", func(e *config.Environment) { e.Monitoring.DatabaseCpuPercent = 120 },
			[]string{"Monitoring.DatabaseCpuPercent 120"}},
		{"a zero threshold", func(e *config.Environment) { e.Monitoring.Target5xx = 0 },
			[]string{"Monitoring.Target5xx 0"}},
		{"a shortfall longer than an hour", func(e *config.Environment) { e.Monitoring.InServiceShortfallMinutes = 90 },
			[]string{"Monitoring.InServiceShortfallMinutes 90"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := defaultEnv(t)
			tc.change(&env)
			err := env.Validate()
			if err == nil {
				t.Fatalf("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if !strings.HasPrefix(err.Error(), `environment "project-1": `) {
				t.Errorf("error does not start with the environment: %v", err)
			}
		})
	}
}

// FuzzValidateAll feeds arbitrary values into every kind of field of the
// environments and checks that validation never panics, that every problem
// line names its environment, and that what it accepts is in range. Seeds run
// with `go test`; fuzz with
//
//	go test ./internal/config -run '^$' -fuzz FuzzValidateAll -fuzztime 3m
func FuzzValidateAll(f *testing.F) {
	f.Add("project-1", "10.0.0.0/16", "10.0.1.0/24", "us-east-1", "us-east-1a", "", "", 2, 2, 4, 365, 7, 20)
	f.Add("dev", "10.1.0.0/33", "10.1.1.7/24", "eu-west-1", "us-east-1b", "12345", "arn:aws:acm:x", 0, 0, 0, 42, 3, 5)
	f.Add("", "::/0", "", "", "", "abcdefghijkl", "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012", -1, -5, 99, 0, 40, 70000)
	f.Fuzz(func(t *testing.T, name, vpcCidr, subnetCidr, region, zone, account, cert string,
		nats, instances, maxInstances, flowDays, backupDays, storage int) {
		envs := config.WithAlarmEmail(config.Environments(), "alarms@example.com")
		e := &envs[1]
		e.Name, e.Network.Cidr, e.Network.Subnets[2].Cidr = name, vpcCidr, subnetCidr
		e.Region, e.Network.Subnets[3].AvailabilityZone = region, zone
		e.Account, e.Web.CertificateArn = account, cert
		e.Network.NatGateways, e.Web.Instances, e.Web.MaxInstances = nats, instances, maxInstances
		e.Network.FlowLogRetentionDays, e.Database.BackupDays, e.Database.StorageGiB = flowDays, backupDays, storage

		err := config.ValidateAll(envs)
		if err == nil {
			if nats < 1 || nats > 2 || instances < 1 || maxInstances <= instances || backupDays < 7 || storage < 20 {
				t.Fatalf("accepted an out-of-range value: nats %d instances %d/%d backups %d storage %d", nats, instances, maxInstances, backupDays, storage)
			}
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, `environment "`) {
				t.Fatalf("a problem does not name its environment: %q", line)
			}
		}
	})
}

// TestConfigurationStartsNoKernel: validating every environment starts no
// Node.js process, so these tests cost no kernel boot.
func TestConfigurationStartsNoKernel(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("needs Linux's /proc to list child processes")
	}
	if err := config.ValidateAll(config.WithAlarmEmail(config.Environments(), "alarms@example.com")); err != nil {
		t.Fatal(err)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, path := range tasks {
		data, _ := os.ReadFile(path)
		for _, pid := range strings.Fields(string(data)) {
			if comm, _ := os.ReadFile("/proc/" + pid + "/comm"); strings.TrimSpace(string(comm)) == "node" {
				t.Errorf("a node process (pid %s) runs beside the configuration's tests: the jsii kernel started", pid)
			}
		}
	}
}

// TestDefaultsAreTheReference: the default environment is Defaults() as it
// is, and every other environment starts from it (it shares the defaults it
// does not change: here, the alarm thresholds it leaves alone).
func TestDefaultsAreTheReference(t *testing.T) {
	envs := config.Environments()
	def := config.Defaults()
	envs[0].Web.ImageId = "" // a pin (images.go) is applied after
	if envs[0].Name != config.DefaultEnvironment || !reflect.DeepEqual(envs[0], def) {
		t.Errorf("Environments()[0] is not Defaults():\n%+v\n%+v", envs[0], def)
	}
	for _, e := range envs[1:] {
		if e.Monitoring.Target5xx != def.Monitoring.Target5xx || e.Monitoring.TableSystemErrors != def.Monitoring.TableSystemErrors {
			t.Errorf("%s does not keep the defaults it does not change: %+v", e.Name, e.Monitoring)
		}
	}
}

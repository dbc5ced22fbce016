package test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/project-1/project-1/stacks"
)

func defaultEnv(t *testing.T) stacks.Environment {
	t.Helper()
	env, err := stacks.Lookup(stacks.DefaultEnvironment)
	must(t, "lookup", err)
	return env
}

// TestBadConfig: each bad value gives an error that names the environment, the
// field and the value.
func TestBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*stacks.Environment)
		want   []string // all must appear in the error
	}{
		{"malformed VPC CIDR", func(e *stacks.Environment) { e.Network.Cidr = "10.0.0.0/33" },
			[]string{`environment "project-1"`, "Network.Cidr", `"10.0.0.0/33"`}},
		{"malformed subnet CIDR", func(e *stacks.Environment) { e.Network.Subnets[1].Cidr = "10.0.2/24" },
			[]string{"Network.Subnets[1].Cidr", `"10.0.2/24"`}},
		{"host bits set", func(e *stacks.Environment) { e.Network.Subnets[0].Cidr = "10.0.1.7/24" },
			[]string{"Network.Subnets[0].Cidr", `"10.0.1.7/24"`, "host bits"}},
		{"subnet outside the VPC", func(e *stacks.Environment) { e.Network.Subnets[3].Cidr = "10.1.4.0/24" },
			[]string{"Network.Subnets[3].Cidr", `"10.1.4.0/24"`, "is outside the VPC Network.Cidr", `"10.0.0.0/16"`}},
		{"subnet larger than the VPC", func(e *stacks.Environment) { e.Network.Subnets[3].Cidr = "10.0.0.0/16" },
			[]string{"Network.Subnets[3].Cidr", `"10.0.0.0/16"`}},
		{"overlapping subnets", func(e *stacks.Environment) { e.Network.Subnets[2].Cidr = "10.0.1.128/25" },
			[]string{"Network.Subnets[2].Cidr", `"10.0.1.128/25"`, "overlaps Network.Subnets[0].Cidr"}},
		{"one availability zone", func(e *stacks.Environment) {
			e.Network.Subnets[2].AvailabilityZone, e.Network.Subnets[3].AvailabilityZone = "us-east-1a", "us-east-1a"
		}, []string{"Network.Subnets span 1 availability zone", "us-east-1a", "from 2"}},
		{"zone outside the region", func(e *stacks.Environment) { e.Network.Subnets[3].AvailabilityZone = "eu-west-1b" },
			[]string{"Network.Subnets[3].AvailabilityZone", `"eu-west-1b"`, `Region "us-east-1"`}},
		{"duplicate subnet name", func(e *stacks.Environment) { e.Network.Subnets[3].Name = "Public Subnet 1" },
			[]string{"Network.Subnets[3].Name", `"Public Subnet 1"`, "already used by Network.Subnets[0]"}},
		{"no NAT gateway", func(e *stacks.Environment) { e.Network.NatGateways = 0 },
			[]string{"Network.NatGateways 0"}},
		{"more NAT gateways than public subnets", func(e *stacks.Environment) { e.Network.NatGateways = 3 },
			[]string{"Network.NatGateways 3", "to 2"}},
		{"flow log retention CloudWatch refuses", func(e *stacks.Environment) { e.Network.FlowLogRetentionDays = 42 },
			[]string{"Network.FlowLogRetentionDays", "42 days"}},
		{"zone without a private subnet", func(e *stacks.Environment) { e.Network.Subnets[3].Public = true },
			[]string{`availability zone "us-east-1b": 2 public and 0 private`}},
		{"malformed account", func(e *stacks.Environment) { e.Account = "12345" },
			[]string{"Account", `"12345"`}},
		{"malformed region", func(e *stacks.Environment) { e.Region = "us-east" },
			[]string{"Region", `"us-east"`}},
		{"malformed instance type", func(e *stacks.Environment) { e.Web.InstanceType = "large" },
			[]string{"Web.InstanceType", `"large"`}},
		{"no web servers", func(e *stacks.Environment) { e.Web.Instances = 0 },
			[]string{"Web.Instances 0"}},
		{"no room for a rolling update", func(e *stacks.Environment) { e.Web.MaxInstances = 2 },
			[]string{"Web.MaxInstances 2", "above Web.Instances (2)"}},
		{"malformed certificate ARN", func(e *stacks.Environment) { e.Web.CertificateArn = "arn:aws:acm:us-east-1:123:cert" },
			[]string{"Web.CertificateArn", `"arn:aws:acm:us-east-1:123:cert"`}},
		{"certificate of another region", func(e *stacks.Environment) {
			e.Web.CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
		}, []string{"Web.CertificateArn", "eu-west-1", `Region "us-east-1"`}},
		{"backups shorter than a week", func(e *stacks.Environment) { e.Data.DatabaseBackupDays = 3 },
			[]string{"Data.DatabaseBackupDays 3"}},
		{"database log retention CloudWatch refuses", func(e *stacks.Environment) { e.Data.DatabaseLogRetentionDays = 42 },
			[]string{"Data.DatabaseLogRetentionDays", "42 days"}},
		{"storage below the RDS minimum", func(e *stacks.Environment) { e.Data.DatabaseStorageGiB = 5 },
			[]string{"Data.DatabaseStorageGiB 5"}},
		{"table name too short", func(e *stacks.Environment) { e.Data.TableName = "F" },
			[]string{"Data.TableName", `"F"`}},
		{"empty name tag", func(e *stacks.Environment) { e.Network.Subnets[0].Name = "" },
			[]string{"Network.Subnets[0].Name is empty"}},
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

// TestBadConfigBuildsNothing: Build validates before it creates any construct.
func TestBadConfigBuildsNothing(t *testing.T) {
	env := defaultEnv(t)
	env.Network.Cidr = "not-a-cidr"
	app := awscdk.NewApp(nil)
	if _, err := stacks.BuildApp(app, []stacks.Environment{env}, env.Name); err == nil {
		t.Fatal("Build accepted a bad CIDR")
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("Build created %d constructs before failing", n)
	}
}

func TestUnknownEnvironmentListsKnownOnes(t *testing.T) {
	_, err := stacks.Lookup("staging")
	if err == nil || !strings.Contains(err.Error(), `"staging"`) || !strings.Contains(err.Error(), "project-1") {
		t.Errorf("Lookup(staging) = %v, want an error naming it and the known environments", err)
	}
}

// TestAppExitsNonZeroOnBadInput runs the app as `cdk synth` does, with an
// unknown environment: a one-line error and exit 1, not a stack trace.
func TestAppExitsNonZeroOnBadInput(t *testing.T) {
	cmd := exec.Command("go", "run", "..")
	cmd.Env = append(cmd.Environ(), `CDK_CONTEXT_JSON={"env":"staging"}`, "CDK_OUTDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), `project-1: unknown environment "staging"; known environments: project-1, dev, prod (or "all" for every one)`) {
		t.Errorf("output does not explain the error:\n%s", out)
	}
	if strings.Contains(string(out), "goroutine ") || strings.Contains(string(out), "panic") {
		t.Errorf("output holds a stack trace:\n%s", out)
	}
}

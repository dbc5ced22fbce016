package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/project-1/project-1/internal/stacks"
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
		{"no alternate instance type", func(e *stacks.Environment) { e.Web.AlternateInstanceType = "" },
			[]string{"Web.AlternateInstanceType", `""`}},
		{"an alternate of another size", func(e *stacks.Environment) { e.Web.AlternateInstanceType = "t3a.large" },
			[]string{"Web.AlternateInstanceType", `"t3a.large"`, "size"}},
		{"an alternate on x86", func(e *stacks.Environment) { e.Web.AlternateInstanceType = "c7a.medium" },
			[]string{"Web.AlternateInstanceType", `"c7a.medium"`, "architecture"}},
		{"an enhanced monitoring interval RDS refuses", func(e *stacks.Environment) { e.Data.DatabaseMonitoringSeconds = 20 },
			[]string{"Data.DatabaseMonitoringSeconds 20", "[1 5 10 15 30 60]"}},
		{"enhanced monitoring off", func(e *stacks.Environment) { e.Data.DatabaseMonitoringSeconds = 0 },
			[]string{"Data.DatabaseMonitoringSeconds 0"}},
		{"no slow-query threshold", func(e *stacks.Environment) { e.Data.DatabaseSlowQuerySeconds = 0 },
			[]string{"Data.DatabaseSlowQuerySeconds 0"}},
		{"an image id that is none", func(e *stacks.Environment) { e.Web.ImageId = "al2023" },
			[]string{"Web.ImageId", `"al2023"`, "not an image id"}},
		{"a malformed alarm email", func(e *stacks.Environment) { e.Monitoring.AlarmEmail = "ops at example" },
			[]string{"Monitoring.AlarmEmail", `"ops at example"`}},
		{"a CPU threshold above 100", func(e *stacks.Environment) { e.Monitoring.DatabaseCpuPercent = 120 },
			[]string{"Monitoring.DatabaseCpuPercent 120"}},
		{"a zero threshold", func(e *stacks.Environment) { e.Monitoring.Target5xx = 0 },
			[]string{"Monitoring.Target5xx 0"}},
		{"a shortfall longer than an hour", func(e *stacks.Environment) { e.Monitoring.InServiceShortfallMinutes = 90 },
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

// TestAlarmSubscribers: a Production environment without an alarm subscriber
// is refused, naming the field and the context key, before any construct is
// built; a non-production one builds, and is reported; the context's address
// fills only the environments that name none of their own. Unpinned lists
// the environments whose image is not pinned, which the app notes likewise.
func TestAlarmSubscribers(t *testing.T) {
	envs := stacks.Environments()
	app := awscdk.NewApp(nil)
	_, err := stacks.BuildApp(app, envs, "prod")
	if err == nil || !strings.Contains(err.Error(), `environment "prod": Monitoring.AlarmEmail is empty`) || !strings.Contains(err.Error(), "-c alarmEmail=") {
		t.Errorf("prod without a subscriber: %v, want a refusal naming Monitoring.AlarmEmail and -c alarmEmail", err)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("BuildApp created %d constructs before refusing prod", n)
	}
	if err := stacks.RequireSubscribers(envs[:2]); err != nil {
		t.Errorf("project-1 and dev without a subscriber: %v, want them built", err)
	}
	got := stacks.Unsubscribed(envs)
	if len(got) != 3 || !strings.Contains(got[1], `environment "dev": no subscriber to the alarm topic`) || !strings.Contains(got[1], "-c alarmEmail=ADDRESS") {
		t.Errorf("Unsubscribed = %q, want a line per environment naming it and -c alarmEmail", got)
	}
	envs[1].Monitoring.AlarmEmail = "dev-team@example.com"
	filled := stacks.WithAlarmEmail(envs, exampleAlarmEmail)
	if filled[0].Monitoring.AlarmEmail != exampleAlarmEmail || filled[1].Monitoring.AlarmEmail != "dev-team@example.com" || envs[0].Monitoring.AlarmEmail != "" {
		t.Errorf("WithAlarmEmail: %q, %q (input %q), want the context's address only where none is set, and the input unchanged",
			filled[0].Monitoring.AlarmEmail, filled[1].Monitoring.AlarmEmail, envs[0].Monitoring.AlarmEmail)
	}
	if len(stacks.Unsubscribed(filled)) != 0 || stacks.RequireSubscribers(filled) != nil {
		t.Errorf("with subscribers: still reported or refused")
	}
	unpinned := stacks.Unpinned(envs)
	if len(unpinned) != 3 || !strings.Contains(unpinned[2], `environment "prod": Web.ImageId is empty`) || !strings.Contains(unpinned[2], "go run ./cmd/image -c env=prod -write") {
		t.Errorf("Unpinned = %q, want a line per environment naming it and cmd/image", unpinned)
	}
	envs[2].Web.ImageId = "ami-0123456789abcdef0"
	if got := stacks.Unpinned(envs); len(got) != 2 {
		t.Errorf("Unpinned with prod pinned = %q", got)
	}
}

func TestUnknownEnvironmentListsKnownOnes(t *testing.T) {
	_, err := stacks.Lookup(unknownEnvironment)
	if err == nil || !strings.Contains(err.Error(), unknownEnvironment) || !strings.Contains(err.Error(), stacks.DefaultEnvironment) {
		t.Errorf("Lookup(%s) = %v, want an error naming it and the known environments", unknownEnvironment, err)
	}
}

var appBinary struct {
	once sync.Once
	path string
	err  error
}

// runApp runs the app as `cdk synth` does, built once per test binary, with
// context (as CDK_CONTEXT_JSON) and extra environment variables, writing its
// assembly into outdir. It returns the output and the exit status.
func runApp(t *testing.T, context map[string]any, outdir string, env ...string) (string, int) {
	t.Helper()
	appBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "project-1-app-")
		if err != nil {
			appBinary.err = err
			return
		}
		appBinary.path = filepath.Join(dir, "project-1")
		if out, err := exec.Command("go", "build", "-o", appBinary.path, "..").CombinedOutput(); err != nil {
			appBinary.err = fmt.Errorf("%v: %s", err, out)
		}
	})
	must(t, "build the app", appBinary.err)
	raw, err := json.Marshal(context)
	must(t, "encode the context", err)
	cmd := exec.Command(appBinary.path)
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(raw), "CDK_OUTDIR="+outdir)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return string(out), exit.ExitCode()
	}
	must(t, "run the app", err)
	return string(out), 0
}

// TestAppExitsNonZeroOnBadInput runs the app as `cdk synth` does with bad
// context: a one-line error naming the key and the value, exit 1, no stack trace.
func TestAppExitsNonZeroOnBadInput(t *testing.T) {
	var known []string
	for _, e := range environments() {
		known = append(known, e.Name)
	}
	for _, tc := range []struct {
		context map[string]any
		want    string
	}{
		{map[string]any{"env": unknownEnvironment},
			fmt.Sprintf(`project-1: unknown environment %q; known environments: %s (or "all" for every one)`, unknownEnvironment, strings.Join(known, ", "))},
		{map[string]any{"pipeline": "yes"}, "project-1: context pipeline=yes: accepted values are true and false"},
		{map[string]any{"pipeline:acount": "111111111111"}, "project-1: context pipeline:acount: not a pipeline setting; the settings are pipeline:account,"},
		{map[string]any{"env": "prod"}, `environment "prod": Monitoring.AlarmEmail is empty: a Production environment's alarms must reach someone; pass the address as context (cdk synth -c alarmEmail=ops@example.com)`},
		{map[string]any{"env": stacks.AllEnvironments}, `environment "prod": Monitoring.AlarmEmail is empty`},
		{map[string]any{"alarmEmail": "", "env": "prod"}, "project-1: context alarmEmail=: give the address that the alarm topics notify"},
		{map[string]any{"alarmEmail": "ops", "env": "prod"}, `Monitoring.AlarmEmail "ops" is not an email address like ops@example.com`},
	} {
		out, code := runApp(t, tc.context, t.TempDir())
		if code != 1 {
			t.Errorf("%v: exit %d, want 1; output:\n%s", tc.context, code, out)
		}
		if !strings.Contains(out, tc.want) {
			t.Errorf("%v: output does not say %q:\n%s", tc.context, tc.want, out)
		}
		if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic") {
			t.Errorf("%v: output holds a stack trace:\n%s", tc.context, out)
		}
	}
}

// TestTemplatesIgnoreTheCallersAccount: an environment without an Account
// synthesizes the same templates whoever runs synth: the app, run with
// CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION set (as the CLI sets them from
// credentials), writes the templates the tests synthesize without them.
func TestTemplatesIgnoreTheCallersAccount(t *testing.T) {
	context, err := cliContext("../cdk.json")
	must(t, "read cdk.json", err)
	context["alarmEmail"] = exampleAlarmEmail // as the tests' environments have it
	outdir := t.TempDir()
	if out, code := runApp(t, context, outdir, "CDK_DEFAULT_ACCOUNT=123456789012", "CDK_DEFAULT_REGION=ap-south-1"); code != 0 {
		t.Fatalf("synth with an account: exit %d\n%s", code, out)
	}
	compared := 0
	for _, s := range synth.stacks {
		got, err := os.ReadFile(filepath.Join(outdir, "assembly-"+synth.env.Name, s.file))
		must(t, "read "+s.file, err)
		if !bytes.Equal(got, s.raw) {
			t.Errorf("%s differs when CDK_DEFAULT_ACCOUNT is set", s.name)
		}
		compared++
	}
	if compared != 3 {
		t.Errorf("compared %d templates, want 3", compared)
	}
}

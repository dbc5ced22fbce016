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

	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/stacks"
)

func defaultEnv(t *testing.T) config.Environment {
	t.Helper()
	env, err := config.Lookup(config.DefaultEnvironment)
	must(t, "lookup", err)
	return env
}

// TestBadConfigBuildsNothing: Build validates before it creates any construct.
func TestBadConfigBuildsNothing(t *testing.T) {
	env := defaultEnv(t)
	env.Network.Cidr = "not-a-cidr"
	app := awscdk.NewApp(nil)
	if _, err := stacks.BuildApp(app, []config.Environment{env}, env.Name); err == nil {
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
	envs := config.Environments()
	app := awscdk.NewApp(nil)
	_, err := stacks.BuildApp(app, envs, "prod")
	if err == nil || !strings.Contains(err.Error(), `environment "prod": Monitoring.AlarmEmail is empty`) || !strings.Contains(err.Error(), "-c alarmEmail=") {
		t.Errorf("prod without a subscriber: %v, want a refusal naming Monitoring.AlarmEmail and -c alarmEmail", err)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("BuildApp created %d constructs before refusing prod", n)
	}
	if _, err := stacks.BuildApp(app, envs, config.AllEnvironments); err == nil || !strings.Contains(err.Error(), `environment "prod": Monitoring.AlarmEmail is empty`) {
		t.Errorf("every environment, prod without a subscriber: %v, want prod refused", err)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("BuildApp(all) created %d constructs before refusing prod", n)
	}
	if err := config.ValidateAll(config.WithAlarmEmail(envs, "ops")); err == nil || !strings.Contains(err.Error(), `environment "prod": Monitoring.AlarmEmail "ops" is not an email address like ops@example.com`) {
		t.Errorf("alarmEmail=ops: %v, want prod's Monitoring.AlarmEmail refused by name and value", err)
	}
	if err := config.RequireSubscribers(envs[:2]); err != nil {
		t.Errorf("project-1 and dev without a subscriber: %v, want them built", err)
	}
	got := config.Unsubscribed(envs)
	if len(got) != 3 || !strings.Contains(got[1], `environment "dev": no subscriber to the alarm topic`) || !strings.Contains(got[1], "-c alarmEmail=ADDRESS") {
		t.Errorf("Unsubscribed = %q, want a line per environment naming it and -c alarmEmail", got)
	}
	envs[1].Monitoring.AlarmEmail = "dev-team@example.com"
	filled := config.WithAlarmEmail(envs, exampleAlarmEmail)
	if filled[0].Monitoring.AlarmEmail != exampleAlarmEmail || filled[1].Monitoring.AlarmEmail != "dev-team@example.com" || envs[0].Monitoring.AlarmEmail != "" {
		t.Errorf("WithAlarmEmail: %q, %q (input %q), want the context's address only where none is set, and the input unchanged",
			filled[0].Monitoring.AlarmEmail, filled[1].Monitoring.AlarmEmail, envs[0].Monitoring.AlarmEmail)
	}
	if len(config.Unsubscribed(filled)) != 0 || config.RequireSubscribers(filled) != nil {
		t.Errorf("with subscribers: still reported or refused")
	}
	unpinned := config.Unpinned(envs)
	if len(unpinned) != 3 || !strings.Contains(unpinned[2], `environment "prod": Web.ImageId is empty`) || !strings.Contains(unpinned[2], "go run ./cmd/image -c env=prod -write") {
		t.Errorf("Unpinned = %q, want a line per environment naming it and cmd/image", unpinned)
	}
	envs[2].Web.ImageId = "ami-0123456789abcdef0"
	if got := config.Unpinned(envs); len(got) != 2 {
		t.Errorf("Unpinned with prod pinned = %q", got)
	}
}

func TestUnknownEnvironmentListsKnownOnes(t *testing.T) {
	_, err := config.Lookup(unknownEnvironment)
	if err == nil || !strings.Contains(err.Error(), unknownEnvironment) || !strings.Contains(err.Error(), config.DefaultEnvironment) {
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
		// go run caches the executables it builds (Go 1.24 and later) and
		// -exec cp copies the one it would run here: an app unchanged since
		// the last run is not linked again (0.3 s here, where go build -o into
		// a new directory links it every time: 2.3 s).
		if out, err := exec.Command("go", "run", "-exec", "cp", "..", appBinary.path).CombinedOutput(); err != nil {
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
// context: a one-line error naming the key and the value, exit 1, no stack
// trace. One case per way main.run refuses (bad context, an unknown
// environment, an invalid configuration), since each run boots a kernel;
// the other messages are checked in-process (internal/appcontext's tests,
// TestAlarmSubscribers).
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
		{map[string]any{"env": config.AllEnvironments}, `environment "prod": Monitoring.AlarmEmail is empty: a Production environment's alarms must reach someone; pass the address as context (cdk synth -c alarmEmail=ops@example.com)`},
	} {
		// Each run boots a kernel of its own and waits on it: the cases run side by side.
		t.Run(fmt.Sprint(tc.context), func(t *testing.T) {
			t.Parallel()
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
		})
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
	for _, s := range synthAll().stacks {
		got, err := os.ReadFile(filepath.Join(outdir, "assembly-"+synthAll().env.Name, s.file))
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

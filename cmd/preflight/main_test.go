package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/constructs/web/webprops"
	"github.com/project-1/project-1/internal/appcontext"
	configuration "github.com/project-1/project-1/internal/config"
)

// exampleAlarmEmail is the alarm subscriber the tests give, as .ci/run does.
const exampleAlarmEmail = "alarms@example.com"

// subscribed is the project's environments with exampleAlarmEmail, as
// -c alarmEmail=alarms@example.com gives them.
func subscribed() []configuration.Environment {
	envs := configuration.WithAlarmEmail(configuration.Environments(), exampleAlarmEmail)
	for i := range envs {
		if envs[i].Web.ImageId == "" {
			envs[i].Web.ImageId = newestImages[envs[i].Region+" "+webprops.ImageParameter(envs[i].Web.InstanceType)]
		}
	}
	return envs
}

// newestImages are, by "REGION PARAMETER", the images moto's copy of AWS's
// public parameters names (newWorld reads them): the moto tests' environments
// pin those, as go run ./cmd/image -write would. Empty without moto.
var newestImages = map[string]string{}

// noAWS is options whose AWS configuration fails: these tests never get as far.
func noAWS() options {
	opt := defaultOptions()
	opt.cdkJSON = "../../cdk.json"
	opt.environments = subscribed
	opt.loadConfig = func(context.Context, string) (aws.Config, error) {
		return aws.Config{}, errors.New("no AWS in this test")
	}
	return opt
}

func TestUsageAndConfiguration(t *testing.T) {
	broken := func() []configuration.Environment {
		envs := subscribed()
		envs[1].Web.InstanceType = "db.t3.micro"
		return envs
	}
	for _, tc := range []struct {
		name string
		envs func() []configuration.Environment
		args []string
		want []string
	}{
		{"an unknown environment", nil, []string{"-c", "env=staging"},
			[]string{`unknown environment "staging"; known environments: project-1, dev, prod (or "all" for every one)`}},
		{"-c without a value", nil, []string{"-c", "env"}, []string{`"env": give KEY=VALUE, e.g. env=dev`}},
		{"an argument", nil, []string{"dev"}, []string{`unexpected argument "dev"`, "usage: preflight"}},
		{"pipeline=yes", nil, []string{"-c", "pipeline=yes"}, []string{"context pipeline=yes: accepted values are true and false"}},
		{"a misspelt pipeline setting", nil, []string{"-c", "pipeline=true", "-c", "pipeline:acount=1"},
			[]string{"context pipeline:acount: not a pipeline setting; the settings are pipeline:account, pipeline:branch"}},
		{"an empty alarm address", nil, []string{"-c", "alarmEmail="}, []string{"context alarmEmail=: give the address"}},
		{"an environment the pipeline does not deploy", nil, []string{"--context", "pipeline=true", "-c", "env=project-1"},
			[]string{`environment "project-1" is not a stage of the pipeline (dev, prod)`}},
		{"a configuration cdk synth refuses", broken, []string{"-c", "env=project-1"},
			[]string{"invalid configuration (cdk synth refuses it too)", `environment "dev": Web.InstanceType "db.t3.micro": give the instance type without the "db." prefix`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := noAWS()
			if tc.envs != nil {
				opt.environments = tc.envs
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr, opt); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout.Len() > 0 {
				t.Errorf("checked something: %s", stdout.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q does not say %q", stderr.String(), w)
				}
			}
		})
	}
}

// TestHelpListsTheChecks: -h names every check the report can print.
func TestHelpListsTheChecks(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr, noAWS()); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, check := range []string{"credentials", "bootstrap", "zones", "instance type", "database", "image", "quotas", "table", "alarms", "settings", "connection"} {
		if !strings.Contains(stderr.String(), "  "+check) && !strings.Contains(stderr.String(), ", "+check) {
			t.Errorf("-h does not list the check %q:\n%s", check, stderr.String())
		}
	}
}

func TestContext(t *testing.T) {
	c, err := appcontext.ReadFile("../../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	// cdk.json's pipeline defaults, and a boolean feature flag as -c would give it.
	if c["pipeline:branch"] != "main" || c["pipeline:region"] != "us-east-1" || c["@aws-cdk/core:enablePartitionLiterals"] != "true" {
		t.Errorf("cdk.json's context read as %v", c)
	}
	if c, err := appcontext.ReadFile(filepath.Join(t.TempDir(), "cdk.json")); err != nil || len(c) != 0 {
		t.Errorf("no cdk.json: %v, %v; want no context", c, err)
	}
	envs := subscribed()
	for _, tc := range []struct {
		context  map[string]string
		pipeline bool
		targets  string // env:account:trust ...
	}{
		{map[string]string{}, false, "project-1::"},
		{map[string]string{"env": "all"}, false, "project-1:: dev:: prod::"},
		{map[string]string{"env": "dev", "pipeline": "false"}, false, "dev::"},
		{map[string]string{"pipeline": "true", "pipeline:account": "111111111111"}, true, "dev:111111111111: prod:111111111111:"},
		{map[string]string{"pipeline": "true", "pipeline:account": "111111111111", "env": "prod"}, true, "prod:111111111111:"},
	} {
		p, err := makePlan(envs, parsed(t, tc.context))
		if err != nil {
			t.Fatalf("%v: %v", tc.context, err)
		}
		var got []string
		for _, tg := range p.targets {
			got = append(got, tg.env.Name+":"+tg.account+":"+tg.trust)
		}
		if strings.Join(got, " ") != tc.targets || (p.pipeline != nil) != tc.pipeline {
			t.Errorf("%v: targets %q, pipeline %v; want %q, %v", tc.context, got, p.pipeline != nil, tc.targets, tc.pipeline)
		}
	}
	// A stage in another account than the pipeline's must trust it.
	envs[1].Account = "222222222222"
	p, _ := makePlan(envs, parsed(t, map[string]string{"pipeline": "true", "pipeline:account": "111111111111"}))
	if p.targets[0].trust != "111111111111" {
		t.Errorf("dev in another account: trust %q, want the pipeline's account", p.targets[0].trust)
	}
}

// parsed is c as the app's parser reads it.
func parsed(t *testing.T, c map[string]string) appcontext.Context {
	t.Helper()
	all := map[string]any{}
	for k, v := range c {
		all[k] = v
	}
	out, err := appcontext.Parse(all)
	if err != nil {
		t.Fatalf("%v: %v", c, err)
	}
	return out
}

// TestBootstrapVersions ties the versions preflight asks for to what the
// project's templates and the pinned CLI say.
func TestBootstrapVersions(t *testing.T) {
	// Each template's rule: "CDK bootstrap stack version 6 required."
	templates, _ := filepath.Glob("../../test/testdata/*.template.json")
	if len(templates) == 0 {
		t.Fatal("no golden templates in test/testdata")
	}
	rule := regexp.MustCompile(`CDK bootstrap stack version ([0-9]+) required`)
	for _, path := range templates {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := rule.FindSubmatch(data)
		if m == nil {
			t.Errorf("%s: no CheckBootstrapVersion rule", path)
			continue
		}
		if v, _ := strconv.Atoi(string(m[1])); v != DeployBootstrap {
			t.Errorf("%s requires bootstrap version %d; DeployBootstrap is %d", path, v, DeployBootstrap)
		}
	}
	// The version of `cdk bootstrap` of the pinned CLI: preflight must not
	// ask for more than it gives.
	cli := "../../node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml"
	if data, err := os.ReadFile(cli); err == nil {
		m := regexp.MustCompile(`(?m)^\s+Value: '([0-9]+)'`).FindSubmatch(data)
		if v, _ := strconv.Atoi(string(m[1])); m == nil || v < MinBootstrapVersion {
			t.Errorf("the pinned CLI bootstraps version %s, below MinBootstrapVersion %d", m[1], MinBootstrapVersion)
		}
	} else {
		t.Logf("the pinned CLI is not installed (npm ci): %v", err)
	}
	// A synthesized assembly, when there is one: the highest version any
	// artifact requires (the lookup role's) is MinBootstrapVersion.
	manifests, _ := filepath.Glob("../../cdk.out/*/manifest.json")
	top, _ := filepath.Glob("../../cdk.out/manifest.json")
	highest := 0
	for _, path := range append(top, manifests...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"requiresBootstrapStackVersion":\s*([0-9]+)`).FindAllSubmatch(data, -1) {
			if v, _ := strconv.Atoi(string(m[1])); v > highest {
				highest = v
			}
		}
	}
	if highest > 0 && highest != MinBootstrapVersion {
		t.Errorf("cdk.out requires bootstrap version %d at most; MinBootstrapVersion is %d", highest, MinBootstrapVersion)
	}
}

// TestEngineVersion: the version preflight asks RDS about is the one every
// Data template creates.
func TestEngineVersion(t *testing.T) {
	templates, _ := filepath.Glob("../../test/testdata/*-Data.template.json")
	if len(templates) == 0 {
		t.Fatal("no golden Data templates in test/testdata")
	}
	for _, path := range templates {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl struct {
			Resources map[string]struct {
				Type       string
				Properties struct{ Engine, EngineVersion string }
			}
		}
		if err := json.Unmarshal(data, &tmpl); err != nil {
			t.Fatal(err)
		}
		found := false
		for id, r := range tmpl.Resources {
			if r.Type == "AWS::RDS::DBInstance" {
				found = true
				if r.Properties.Engine != "mysql" || r.Properties.EngineVersion != dbprops.EngineVersion {
					t.Errorf("%s: %s is %s %s; preflight checks mysql %s", path, id, r.Properties.Engine, r.Properties.EngineVersion, dbprops.EngineVersion)
				}
			}
		}
		if !found {
			t.Errorf("%s: no DB instance", path)
		}
	}
}

// TestNoJsiiKernel: reading and validating the environments, as preflight
// does, starts no jsii kernel (a node process): importing the stacks package
// only registers its jsii types.
func TestNoJsiiKernel(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("needs Linux's /proc to list child processes")
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-c", "env=all"}, &stdout, &stderr, noAWS())
	if !strings.Contains(stdout.String(), "FAIL credentials") {
		t.Fatalf("preflight did not get as far as AWS:\n%s%s", stdout.String(), stderr.String())
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, path := range tasks {
		data, _ := os.ReadFile(path)
		for _, pid := range strings.Fields(string(data)) {
			comm, _ := os.ReadFile("/proc/" + pid + "/comm")
			if strings.TrimSpace(string(comm)) == "node" {
				t.Errorf("a node process (pid %s) runs beside preflight: the jsii kernel started", pid)
			}
		}
	}
}

// TestAlarmSubscriber: an environment whose alarm topic would have no
// subscriber FAILs the alarms check with the fix, a Production one included
// (not refused as bad configuration: preflight reports it); -c alarmEmail
// gives every environment the subscriber, and the check passes.
func TestAlarmSubscriber(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-c", "env=all"}, []string{
			"FAIL alarms: the alarm topic has no subscriber: every alarm and Auto Scaling notification of project-1 reaches no one",
			"FAIL alarms: the alarm topic has no subscriber: every alarm and Auto Scaling notification of dev reaches no one",
			"FAIL alarms: the alarm topic has no subscriber: every alarm and Auto Scaling notification of prod reaches no one",
			"fix: pass the address to cdk deploy and to preflight as -c alarmEmail=ops@example.com (or set Monitoring.AlarmEmail)",
		}},
		{[]string{"-c", "env=prod", "-c", "alarmEmail=" + exampleAlarmEmail}, []string{
			"PASS alarms: the alarm topic notifies alarms@example.com",
		}},
	} {
		opt := noAWS()
		opt.environments = configuration.Environments
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr, opt)
		out := stdout.String() + stderr.String()
		if code != 1 { // 1: the credentials fail here too
			t.Errorf("%v: exit %d, want 1\n%s", tc.args, code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: the output has no %q\n%s", tc.args, w, out)
			}
		}
		if slices.Contains(tc.args, "alarmEmail="+exampleAlarmEmail) && strings.Contains(out, "FAIL alarms") {
			t.Errorf("%v: FAIL alarms with a subscriber\n%s", tc.args, out)
		}
	}
}

// TestNoCdkImport: preflight reads the configuration (internal/config and
// the constructs' CDK-free props) without any aws-cdk-go or jsii package.
func TestNoCdkImport(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-cdk-go/") || strings.HasPrefix(pkg, "github.com/aws/jsii-runtime-go") || strings.HasPrefix(pkg, "github.com/aws/constructs-go/") {
			t.Errorf("cmd/preflight depends on %s", pkg)
		}
	}
}

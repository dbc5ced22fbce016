// Package test holds every test of project-1 in one package, so the jsii kernel
// (a Node.js process that takes seconds to boot) starts once per `go test` run,
// and every environment is synthesized once, with cdk.json's context: the tests
// see the templates `cdk synth` writes. TestMain synthesizes when every test
// runs; under -run, the first test that reads a template does (synthAll), so a
// test that reads none starts no synthesis, and a pure-Go one no kernel.
package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/kernelcache"
	"github.com/project-1/project-1/internal/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/ from this synthesis")

// synthesis is every environment, synthesized once in one app as `cdk synth
// -c env=all` does; the fields without "all" are the default environment's.
// synthAll returns it, synthesizing on first use: a run of tests that read no
// template (go test -run TestDocLinks, or one construct's tests) synthesizes
// nothing.
type synthesis struct {
	env      config.Environment
	stage    *stacks.EnvironmentStage
	outdir   string   // the app's cloud assembly directory, as cdk.out
	dir      string   // the default stage's cloud assembly directory
	findings []string // errors and warnings of every stack of every stage, cdk-nag's included
	stacks   map[string]*stackOutput
	all      map[string]*envOutput // by environment name
}

// envOutput is one synthesized environment.
type envOutput struct {
	env    config.Environment
	stage  *stacks.EnvironmentStage
	dir    string                  // the stage's cloud assembly directory
	stacks map[string]*stackOutput // by construct id: Network, Data, App
}

// stackOutput is one synthesized stack, keyed in synthesis.stacks by its construct id.
type stackOutput struct {
	name     string         // CloudFormation stack name, e.g. project-1-Network
	file     string         // template file name inside the assembly directory
	raw      []byte         // the template as written
	json     map[string]any // the template, parsed
	template assertions.Template
}

func TestMain(m *testing.M) {
	flag.Parse()
	// The kernel has started with this process's environment: a moved package
	// cache takes a rerun too (internal/kernelcache).
	if msg := kernelcache.Prepare(); msg != "" {
		fmt.Fprintln(os.Stderr, "test setup:", msg)
		os.Exit(kernelcache.Rerun())
	}
	if code, rerun := rerunWithPinnedNode(); rerun {
		os.Exit(code)
	}
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test setup:", err)
		code = 1
	}
	jsii.Close()
	os.Exit(code)
}

// rerunWithPinnedNode runs this test binary again, with the Node.js that
// package.json pins (installed by `npm ci`) first on PATH, as `npx cdk` has it
// for the CLI, and returns its exit code. jsii resolves `node` while Go packages
// initialize, before TestMain, so setting PATH here is too late for this
// process. It does nothing (rerun false) when the pinned Node.js is not
// installed or is already first on PATH.
func rerunWithPinnedNode() (code int, rerun bool) {
	bin, err := filepath.Abs("../node_modules/.bin")
	if err != nil {
		return 0, false
	}
	if _, err := os.Stat(filepath.Join(bin, "node")); err != nil {
		return 0, false
	}
	path := os.Getenv("PATH")
	if strings.HasPrefix(path, bin+string(os.PathListSeparator)) {
		return 0, false
	}
	os.Setenv("PATH", bin+string(os.PathListSeparator)+path)
	return kernelcache.Rerun(), true
}

func run(m *testing.M) (int, error) {
	defer func() {
		if synthState.s.outdir != "" {
			os.RemoveAll(synthState.s.outdir)
		}
	}()
	// When every test runs, synthesize now and start cfn-guard on the templates,
	// so it runs beside the other tests.
	if flag.Lookup("test.run").Value.String() == "" {
		if err := synthOnce(); err != nil {
			return 0, err
		}
		if binary, _ := cfnGuardPaths(); fileExists(binary) {
			startControls()
		}
	}
	code := m.Run()
	if pipeline.app != nil {
		os.RemoveAll(*pipeline.app.Outdir())
	}
	if appBinary.path != "" {
		os.RemoveAll(filepath.Dir(appBinary.path))
	}
	return code, nil
}

// synthState is the one synthesis of every environment (synthesis).
var synthState struct {
	once sync.Once
	s    synthesis
	err  error
}

// synthAll returns every environment's synthesis, synthesizing them on the
// first call. A synthesis that fails ends the test binary, as it did when
// TestMain synthesizes: no test can read its templates.
func synthAll() *synthesis {
	if err := synthOnce(); err != nil {
		fmt.Fprintln(os.Stderr, "test setup:", err)
		jsii.Close()
		os.Exit(1)
	}
	return &synthState.s
}

func synthOnce() error {
	synthState.once.Do(func() { synthState.err = synthesize(&synthState.s) })
	return synthState.err
}

// synthesize builds every environment in one app with cdk.json's context and
// synthesizes it into a new directory.
func synthesize(synth *synthesis) error {
	context, err := cliContext("../cdk.json")
	if err != nil {
		return err
	}
	out, err := os.MkdirTemp("", "project-1-test-")
	if err != nil {
		return err
	}
	synth.outdir = out
	app := stacks.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(out)})
	envs := environments()
	stages, err := stacks.BuildApp(app, envs, config.AllEnvironments)
	if err != nil {
		return err
	}
	if synth.findings, err = stacks.Synth(app); err != nil {
		return err
	}
	synth.all = map[string]*envOutput{}
	for i, stage := range stages {
		e := &envOutput{env: envs[i], stage: stage, stacks: map[string]*stackOutput{}}
		e.dir = *stage.Synth(nil).Directory() // already synthesized with the app: no second synthesis
		for _, s := range stage.Stacks() {
			o := &stackOutput{name: *s.StackName(), file: *s.TemplateFile()}
			if o.raw, err = os.ReadFile(filepath.Join(e.dir, o.file)); err != nil {
				return err
			}
			if err := json.Unmarshal(o.raw, &o.json); err != nil {
				return fmt.Errorf("%s: %w", o.file, err)
			}
			e.stacks[*s.Node().Id()] = o
		}
		synth.all[e.env.Name] = e
	}
	def, ok := synth.all[config.DefaultEnvironment]
	if !ok {
		return fmt.Errorf("no %s environment", config.DefaultEnvironment)
	}
	synth.env, synth.stage, synth.dir, synth.stacks = def.env, def.stage, def.dir, def.stacks
	return nil
}

// cliContext is cdk.json's context plus what the CDK CLI adds to every
// `cdk synth` (resource path and asset metadata), so templates match the CLI's
// byte for byte; .ci/run compares them.
func cliContext(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cdkJSON.Context["aws:cdk:enable-path-metadata"] = true
	cdkJSON.Context["aws:cdk:enable-asset-metadata"] = true
	return cdkJSON.Context, nil
}

// scratchApp is a new app with cdk.json's context, for a test that must
// synthesize a variant of an environment.
func scratchApp(t *testing.T) awscdk.App {
	t.Helper()
	context, err := cliContext("../cdk.json")
	must(t, "read cdk.json", err)
	return stacks.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(t.TempDir())})
}

// buildOne adds env's stage to app, failing the test when env is invalid.
func buildOne(t *testing.T, app awscdk.App, env config.Environment) *stacks.EnvironmentStage {
	t.Helper()
	stages, err := stacks.BuildApp(app, []config.Environment{env}, env.Name)
	must(t, "build "+env.Name, err)
	return stages[0]
}

// stack returns the synthesized stack with construct id id.
func stack(t *testing.T, id string) *stackOutput {
	t.Helper()
	s, ok := synthAll().stacks[id]
	if !ok {
		t.Fatalf("no synthesized stack %q", id)
	}
	return s
}

// Template returns the stack's template for the assertions library.
func (s *stackOutput) Template() assertions.Template {
	if s.template == nil {
		s.template = assertions.Template_FromJSON(&s.json, nil)
	}
	return s.template
}

// check runs a jsii assertion. A failed one throws inside the kernel, which Go
// sees as a panic that would end the whole test binary; here it becomes a
// failure of the test that made it, with what was checked.
func check(t *testing.T, what string, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	assertion()
}

// resources returns the logical ids and bodies of every resource of type typ.
func (s *stackOutput) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.json["Resources"].(map[string]any) {
		body := r.(map[string]any)
		if body["Type"] == typ {
			out[id] = body
		}
	}
	return out
}

// props returns the Properties of a resource body.
func props(body map[string]any) map[string]any {
	p, _ := body["Properties"].(map[string]any)
	return p
}

// ref returns the logical id v refers to, through {"Ref": id} or
// {"Fn::GetAtt": [id, attr]}, or "" when v is neither.
func ref(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if id, ok := m["Ref"].(string); ok {
		return id
	}
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 {
		id, _ := att[0].(string)
		return id
	}
	return ""
}

// nameTag returns the value of a resource's Name tag.
func nameTag(body map[string]any) string {
	tags, _ := props(body)["Tags"].([]any)
	for _, t := range tags {
		tag := t.(map[string]any)
		if tag["Key"] == "Name" {
			return fmt.Sprint(tag["Value"])
		}
	}
	return ""
}

// must fails the test with the error, naming what was being done.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// variant is the default environment with its optional settings set (a
// certificate, an alarm email), synthesized once for the tests of those.
var variant struct {
	once sync.Once
	app  assertions.Template
}

// variantCertificate is the variant's Web.CertificateArn.
const variantCertificate = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"

// variantApp returns the app stack's template of the default environment with
// Web.CertificateArn, Monitoring.AlarmEmail and Web.ImageId set; nil when it does not
// synthesize, after failing t.
func variantApp(t *testing.T) assertions.Template {
	t.Helper()
	variant.once.Do(func() {
		env := synthAll().env
		env.Web.CertificateArn = variantCertificate
		env.Monitoring.AlarmEmail = "ops@example.com"
		env.Web.ImageId = variantImage
		stage := buildOne(t, scratchApp(t), env)
		check(t, "synthesize", func() { variant.app = assertions.Template_FromStack(stage.App.Stack, nil) })
	})
	if variant.app == nil {
		t.Error("the variant of the default environment did not synthesize")
	}
	return variant.app
}

// variantImage is the variant's pinned image (Web.ImageId).
const variantImage = "ami-0123456789abcdef0"

// exampleAlarmEmail is the alarm subscriber the tests give every environment,
// as .ci/run passes it to every `cdk synth` (-c alarmEmail=...): prod needs one.
const exampleAlarmEmail = "alarms@example.com"

// environments is config.Environments with exampleAlarmEmail, as the app has
// them from `cdk synth -c alarmEmail=alarms@example.com`.
func environments() []config.Environment {
	return config.WithAlarmEmail(config.Environments(), exampleAlarmEmail)
}

// appDefaultEnv is the default environment as the app has it (environments), for a
// test that builds it anew: reading it synthesizes nothing.
func appDefaultEnv() config.Environment {
	for _, e := range environments() {
		if e.Name == config.DefaultEnvironment {
			return e
		}
	}
	panic("no " + config.DefaultEnvironment + " environment")
}

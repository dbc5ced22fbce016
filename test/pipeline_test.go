package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/netcheck"

	"github.com/project-1/project-1/internal/cost"
	"github.com/project-1/project-1/internal/stacks"
	"github.com/project-1/project-1/internal/verify/verifyactions"
)

var examplePipeline = config.PipelineConfig{
	ConnectionArn: "arn:aws:codestar-connections:us-east-1:111111111111:connection/12345678-1234-1234-1234-123456789012",
	Repository:    "example/project-1",
	Branch:        "main",
	Account:       "111111111111",
	Region:        "us-east-1",
	AlarmEmail:    exampleAlarmEmail,
}

// TestPipeline synthesizes the pipeline (as -c pipeline=true does): source,
// tests before synthesis, dev, then prod behind a manual approval, each stage
// followed by its smoke test, and no nag finding.
func TestPipeline(t *testing.T) {
	app, ps, findings := pipelineSynth(t)
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
	checkPipelineNagReports(t, app)
	raw, err := os.ReadFile(filepath.Join(*app.Outdir(), *ps.Stack.TemplateFile()))
	must(t, "read the pipeline template", err)
	var tpl map[string]any
	must(t, "parse the pipeline template", json.Unmarshal(raw, &tpl))
	s := &stackOutput{json: tpl}

	pipelines := s.resources("AWS::CodePipeline::Pipeline")
	if len(pipelines) != 1 {
		t.Fatalf("%d pipelines, want 1", len(pipelines))
	}
	var stages []string
	actions := map[string][]string{} // stage -> "category:name" in run order
	for _, body := range pipelines {
		for _, st := range asList(props(body)["Stages"]) {
			name := st["Name"].(string)
			stages = append(stages, name)
			list := asList(st["Actions"])
			slices.SortStableFunc(list, func(a, b map[string]any) int { return int(a["RunOrder"].(float64) - b["RunOrder"].(float64)) })
			for _, a := range list {
				actions[name] = append(actions[name], fmt.Sprintf("%s:%s", a["ActionTypeId"].(map[string]any)["Category"], a["Name"]))
			}
		}
	}
	if want := []string{"Source", "Build", "UpdatePipeline", "Assets", "dev", "prod"}; !slices.Equal(stages, want) {
		t.Errorf("stages %q, want %q", stages, want)
	}
	checkReadmePipeline(t, stages, *ps.Stack.Node().Path())
	checkCodeBuildTools(t, s)
	checkDeployAccounts(t, s)
	for _, env := range []string{"dev", "prod"} {
		got := actions[env]
		want := []string{"Build:SmokeTest", "Build:Verify"} // dev is checked against AWS before prod (cmd/verify)
		if env == "prod" {                                  // the last stage keeps what it deployed for the next review
			want = []string{"Build:SmokeTest", "Build:RecordDeployed"}
		}
		if len(got) < len(want) || !slices.Equal(got[len(got)-len(want):], want) {
			t.Errorf("%s: actions %q, want %q last", env, got, want)
		}
		approval := slices.Index(got, "Approval:Approve")
		firstDeploy := slices.IndexFunc(got, func(a string) bool { return strings.HasPrefix(a, "Deploy:") })
		if env == "dev" && approval >= 0 {
			t.Errorf("dev waits for an approval: %q", got)
		}
		if env == "prod" && (approval < 0 || approval > firstDeploy) {
			t.Errorf("prod: actions %q, want the approval before any deployment", got)
		}
	}

	var synthSpec, smokeSpec, recordSpec string
	bucket := ""
	for id := range s.resources("AWS::S3::Bucket") {
		if strings.HasPrefix(id, "PipelineArtifactsBucket") {
			bucket = id
		}
	}
	for id, body := range s.resources("AWS::CodeBuild::Project") {
		spec := fmt.Sprint(props(body)["Source"].(map[string]any)["BuildSpec"])
		switch {
		case strings.Contains(id, "Synth"):
			synthSpec = spec
		case strings.Contains(id, "SmokeTest"):
			smokeSpec = spec
		case strings.Contains(id, "RecordDeployed"):
			recordSpec = spec
		}
		if strings.Contains(id, "Synth") || strings.Contains(id, "RecordDeployed") {
			env, _ := json.Marshal(props(body)["Environment"].(map[string]any)["EnvironmentVariables"])
			if want := `{"Name":"ARTIFACT_BUCKET","Type":"PLAINTEXT","Value":{"Ref":"` + bucket + `"}}`; bucket == "" || !strings.Contains(string(env), want) {
				t.Errorf("%s: environment %s, want %s", id, env, want)
			}
		}
	}
	test, synth, review := strings.Index(synthSpec, "go test ./..."), strings.Index(synthSpec, "npx cdk synth -c pipeline=true"), strings.Index(synthSpec, "go run ./cmd/review")
	if test < 0 || synth < 0 || test > synth {
		t.Errorf("the synth step does not run the tests before synthesizing:\n%s", synthSpec)
	}
	if review < synth {
		t.Errorf("the synth step does not review the new assembly after synthesizing it:\n%s", synthSpec)
	}
	// The pipeline's own synthesis builds prod, which needs the alarm
	// subscriber the pipeline was synthesized with.
	if !strings.Contains(synthSpec, "npx cdk synth -c pipeline=true -c alarmEmail='"+exampleAlarmEmail+"'") {
		t.Errorf("the synth step does not pass -c alarmEmail on:\n%s", synthSpec)
	}
	recordCanWrite(t, s, bucket)
	checkVerifyStep(t, s)
	for _, want := range []string{"go" + stacks.GoVersion + ".linux-amd64.tar.gz", "npm ci"} {
		if !strings.Contains(synthSpec, want) {
			t.Errorf("the synth step does not install %q:\n%s", want, synthSpec)
		}
	}
	if !strings.Contains(smokeSpec, `$URL/`) || !strings.Contains(smokeSpec, "2??) exit 0") {
		t.Errorf("the smoke test does not require a 2xx from the stage's URL:\n%s", smokeSpec)
	}
	runSmokeTest(t, smokeSpec)
	runReview(t, *app.Outdir(), synthSpec, recordSpec)
	// cmd/cost prices every stage of the pipeline's assembly, each stack in
	// its region: the top level holds the pipeline (us-east-1) and its
	// replication support stacks (eu-west-1, eu-central-1); prod's backup
	// copy is in eu-central-1.
	artifacts, readErr := netcheck.ReadAssembly(*app.Outdir())
	must(t, "read the pipeline's assembly", readErr)
	priced, costErr := cost.Estimate(artifacts, cost.Prices, cost.DefaultAssumptions())
	must(t, "price the pipeline's assembly", costErr)
	var pricedStages []string
	for _, st := range priced {
		pricedStages = append(pricedStages, st.Name+" in "+st.Region)
	}
	if want := []string{" in eu-central-1, eu-west-1, us-east-1", "dev in us-east-1", "prod in eu-central-1, eu-west-1"}; !slices.Equal(pricedStages, want) {
		t.Errorf("priced stages %q, want %q", pricedStages, want)
	}
	for _, body := range pipelines {
		if props(body)["ArtifactStore"] == nil && props(body)["ArtifactStores"] == nil {
			t.Error("pipeline has no artifact store")
		}
	}
	if n := len(s.resources("AWS::KMS::Key")); n != 1 {
		t.Errorf("%d KMS keys in the pipeline stack, want 1 (cross-account artifact encryption)", n)
	}
}

// TestPipelineWithoutConfig: a missing setting fails with the context key to
// set, and builds nothing.
func TestPipelineWithoutConfig(t *testing.T) {
	app := scratchApp(t)
	cfg := examplePipeline
	cfg.ConnectionArn, cfg.Account = "", "1234"
	_, err := stacks.BuildPipeline(app, environments(), cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`pipeline:connectionArn ""`, `pipeline:account "1234"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("%d constructs built before the error", n)
	}
}

// runSmokeTest runs the smoke step's commands, as CodeBuild would, against a
// server on 127.0.0.1: one that answers 500 and then 200 passes, one that
// answers only 500 fails.
func runSmokeTest(t *testing.T, buildSpec string) {
	t.Helper()
	script := strings.Join(buildCommands(t, buildSpec), "\n")
	for _, tc := range []struct {
		name    string
		answers []int // then the last one forever
		exit    int
	}{
		{"500, then 200", []int{500, 200}, 0},
		{"only 500", []int{500}, 1},
		{"404", []int{404}, 1},
	} {
		var calls atomic.Int32
		server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := min(int(calls.Add(1))-1, len(tc.answers)-1)
			w.WriteHeader(tc.answers[i])
		}))
		cmd := exec.Command("bash", "-c", script)
		cmd.Env = append(os.Environ(), "URL="+server.URL, "SMOKE_TRIES=3", "SMOKE_INTERVAL=0")
		out, err := cmd.CombinedOutput()
		server.Close()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("run the smoke test: %v", err)
		}
		if code != tc.exit {
			t.Errorf("smoke test against a server answering %v: exit %d, want %d\n%s", tc.answers, code, tc.exit, out)
		}
	}
}

// pipelineSuppressions are the nag suppressions docs/compliance.md lists for the
// pipeline's stacks: IAM5 on the roles CDK Pipelines generates, and S1 on its
// artifact and cross-region replication buckets.
var pipelineSuppressions = []struct {
	rule string
	path *regexp.Regexp
}{
	{"AwsSolutions-IAM5", regexp.MustCompile(`^Pipeline/Pipeline/(Assets/FileRole|CodeBuildActionRole|Pipeline/Role|Pipeline/Build/Synth/CdkBuildProject/Role|Pipeline/Source/[^/]+/CodePipelineActionRole|Pipeline/[^/]+/SmokeTest/SmokeTest/Role|Pipeline/prod/RecordDeployed/RecordDeployed/Role|Pipeline/dev/Verify/Verify/Role|UpdatePipeline/SelfMutation/Role)/DefaultPolicy/Resource$`)},
	{"AwsSolutions-S1", regexp.MustCompile(`^Pipeline/Pipeline/Pipeline/ArtifactsBucket/Resource$`)},
	{"AwsSolutions-S1", regexp.MustCompile(`^cross-region-stack-[0-9]+:[a-z0-9-]+/Default/CrossRegionCodePipelineReplicationBucket/Resource$`)},
}

// checkPipelineNagReports: every stack of the pipeline's cloud assembly, the
// pipeline stack and its cross-region support stack included, has a nag report
// with no non-compliant rule and only the pipeline's allowed suppressions (or,
// in the stages, the environments').
func checkPipelineNagReports(t *testing.T, app awscdk.App) {
	t.Helper()
	asm := app.Synth(nil)
	stacksSeen := 0
	for _, s := range *asm.StacksRecursively() {
		stacksSeen++
		rows := nagReport(t, *app.Outdir(), *s.StackName())
		if rows == nil {
			t.Errorf("%s: no cdk-nag report: nag did not run on it", *s.StackName())
			continue
		}
		checkNagRows(t, rows, func(rule, path string) bool {
			for _, a := range pipelineSuppressions {
				if a.rule == rule && a.path.MatchString(path) {
					return true
				}
			}
			env, err := config.Lookup(strings.Split(path, "/")[0]) // a stage is named after its environment
			for _, a := range allowedSuppressions {
				if a.rule == rule && a.path.MatchString(path) && (a.only == nil || err == nil && a.only(env)) {
					return true
				}
			}
			return false
		})
	}
	// The pipeline, a support stack (its artifact replication) per other
	// region a stage deploys to, and each stage's stacks: 3, and the backup
	// copy's where there is one.
	want, regions := 1, map[string]bool{}
	for _, name := range config.PipelineStages {
		env, err := config.Lookup(name)
		must(t, "the stage's environment", err)
		want += 3
		regions[env.Region] = true
		if env.Backup.CopyRegion != "" {
			want++
			regions[env.Backup.CopyRegion] = true
		}
	}
	delete(regions, examplePipeline.Region)
	if want += len(regions); stacksSeen != want {
		t.Errorf("%d stacks in the pipeline's assembly, want %d (the pipeline, a support stack per other region, each stage's)", stacksSeen, want)
	}
}

// checkReadmePipeline: docs/deploy.md's pipeline section lists the stages the
// pipeline has, in order, and its deploy command selects the pipeline stack.
func checkReadmePipeline(t *testing.T, stages []string, stackPath string) {
	t.Helper()
	section := docSection(t, "docs/deploy.md", "The delivery pipeline")
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^\d+\. \*\*([A-Za-z0-9-]+)\*\*`).FindAllStringSubmatch(section, -1) {
		listed = append(listed, m[1])
	}
	if !slices.Equal(listed, stages) {
		t.Errorf("docs/deploy.md lists the pipeline's stages %q, the pipeline has %q", listed, stages)
	}
	deploy := regexp.MustCompile(`npx cdk deploy -c pipeline=true (?:-c \S+ )*(\S+)`).FindStringSubmatch(section)
	if deploy == nil || deploy[1] != stackPath {
		t.Errorf("docs/deploy.md's pipeline deploy command selects %q; the pipeline stack is %q", deploy, stackPath)
	}
}

// checkDeployAccounts: an environment without an Account deploys into the
// pipeline's own account, as docs/deploy.md says.
func checkDeployAccounts(t *testing.T, s *stackOutput) {
	t.Helper()
	checked := 0
	for _, body := range s.resources("AWS::CodePipeline::Pipeline") {
		for _, st := range asList(props(body)["Stages"]) {
			env, err := config.Lookup(fmt.Sprint(st["Name"]))
			if err != nil {
				continue // not an environment's stage
			}
			for _, a := range asList(st["Actions"]) {
				if a["ActionTypeId"].(map[string]any)["Category"] != "Deploy" {
					continue
				}
				role, _ := json.Marshal(a["RoleArn"])
				inPipelineAccount := strings.Contains(string(role), `":iam::",{"Ref":"AWS::AccountId"}`)
				if env.Account == "" && !inPipelineAccount {
					t.Errorf("%s: %v deploys with %s, not in the pipeline's account", env.Name, a["Name"], role)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Error("no deploy action checked")
	}
}

// checkCodeBuildTools: every CodeBuild project of the pipeline runs on an
// image with the Node.js major package.json pins and selects it, and installs
// the CDK CLI and cdk-assets at package.json's versions, never "latest".
func checkCodeBuildTools(t *testing.T, s *stackOutput) {
	t.Helper()
	raw, err := os.ReadFile("../package.json")
	must(t, "read package.json", err)
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	must(t, "parse package.json", json.Unmarshal(raw, &pkg))
	if major := strings.Split(pkg.DevDependencies["node"], ".")[0]; major != stacks.NodeMajor {
		t.Errorf("stacks.NodeMajor %s, package.json pins node %s", stacks.NodeMajor, pkg.DevDependencies["node"])
	}
	if pkg.DevDependencies["aws-cdk"] != stacks.CliVersion || pkg.DevDependencies["cdk-assets"] != stacks.CdkAssetsVersion {
		t.Errorf("stacks.CliVersion %s and CdkAssetsVersion %s; package.json pins aws-cdk %s and cdk-assets %s",
			stacks.CliVersion, stacks.CdkAssetsVersion, pkg.DevDependencies["aws-cdk"], pkg.DevDependencies["cdk-assets"])
	}
	projects := s.resources("AWS::CodeBuild::Project")
	if len(projects) < 5 {
		t.Fatalf("%d CodeBuild projects, want the synth, self-mutation, assets and two smoke tests", len(projects))
	}
	sawCli, sawAssets := false, false
	for id, body := range projects {
		p := props(body)
		if image := p["Environment"].(map[string]any)["Image"]; image != "aws/codebuild/standard:8.0" {
			t.Errorf("%s runs on %v, want aws/codebuild/standard:8.0 (Node.js %s)", id, image, stacks.NodeMajor)
		}
		spec := fmt.Sprint(p["Source"].(map[string]any)["BuildSpec"])
		if !strings.Contains(spec, fmt.Sprintf(`"nodejs": "%s"`, stacks.NodeMajor)) {
			t.Errorf("%s does not select Node.js %s:\n%s", id, stacks.NodeMajor, spec)
		}
		for _, unpinned := range []string{"aws-cdk@2\"", "aws-cdk@latest", "cdk-assets@latest", "aws-cdk@2 ", "cdk-assets\""} {
			if strings.Contains(spec, unpinned) {
				t.Errorf("%s installs %s, unpinned:\n%s", id, unpinned, spec)
			}
		}
		sawCli = sawCli || strings.Contains(spec, "aws-cdk@"+stacks.CliVersion)
		sawAssets = sawAssets || strings.Contains(spec, "cdk-assets@"+stacks.CdkAssetsVersion)
	}
	if !sawCli || !sawAssets {
		t.Errorf("the pinned CLI installed: %v; the pinned cdk-assets installed: %v; want both", sawCli, sawAssets)
	}
}

// pipeline is the pipeline's app with the example settings, synthesized once
// for every test that reads it.
var pipeline struct {
	once     sync.Once
	app      awscdk.App
	stack    *stacks.PipelineStack
	findings []string
	err      error
}

func pipelineSynth(t *testing.T) (awscdk.App, *stacks.PipelineStack, []string) {
	t.Helper()
	pipeline.once.Do(func() {
		context, err := cliContext("../cdk.json")
		if err != nil {
			pipeline.err = err
			return
		}
		dir, err := os.MkdirTemp("", "project-1-pipeline-")
		if err != nil {
			pipeline.err = err
			return
		}
		pipeline.app = stacks.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(dir)})
		if pipeline.stack, pipeline.err = stacks.BuildPipeline(pipeline.app, environments(), examplePipeline); pipeline.err != nil {
			return
		}
		pipeline.findings, pipeline.err = stacks.Synth(pipeline.app)
	})
	must(t, "build and synthesize the pipeline", pipeline.err)
	return pipeline.app, pipeline.stack, pipeline.findings
}

// pipelineTemplates are the templates of the pipeline's assembly by stack name.
func pipelineTemplates(t *testing.T) map[string]map[string]any {
	t.Helper()
	app, _, _ := pipelineSynth(t)
	templates, err := netcheck.LoadTemplates(*app.Outdir())
	must(t, "load the pipeline's templates", err)
	return templates
}

// recordCanWrite: the RecordDeployed step's role may put exactly the
// deployed-assembly object into the artifact bucket, and no other step's
// role gains that object.
func recordCanWrite(t *testing.T, s *stackOutput, bucket string) {
	t.Helper()
	want := `{"Fn::Join":["",[{"Fn::GetAtt":["` + bucket + `","Arn"]},"/` + stacks.DeployedAssemblyKey + `"]]}`
	var writers []string
	for id, body := range s.resources("AWS::IAM::Policy") {
		for _, st := range asList(props(body)["PolicyDocument"].(map[string]any)["Statement"]) {
			res, _ := json.Marshal(st["Resource"])
			if string(res) == want && strings.Contains(fmt.Sprint(st["Action"]), "s3:PutObject") {
				writers = append(writers, id)
			}
		}
	}
	if len(writers) != 1 || !strings.Contains(writers[0], "prodRecordDeployed") {
		t.Errorf("policies that may write the deployed assembly: %q, want the prod RecordDeployed step's alone", writers)
	}
}

// fakeAWS is an aws CLI that knows `aws s3 cp`, over a directory standing for
// S3 ($FAKE_S3/BUCKET/KEY): a missing object fails as the real CLI does, with
// a 404, and FAKE_S3_DENY=1 makes every call fail with a 403.
const fakeAWS = `#!/usr/bin/env bash
args=(); for a in "$@"; do [ "$a" = --only-show-errors ] || args+=("$a"); done
[ "${args[0]} ${args[1]}" = "s3 cp" ] || { echo "fake aws: unexpected: $*" >&2; exit 255; }
src=${args[2]} dst=${args[3]}
if [ -n "${FAKE_S3_DENY:-}" ]; then echo "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden" >&2; exit 1; fi
case "$src" in
s3://*) f="$FAKE_S3/${src#s3://}"
  [ -f "$f" ] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key \"${src#s3://*/}\" does not exist" >&2; exit 1; }
  cp "$f" "$dst";;
*) f="$FAKE_S3/${dst#s3://}"; mkdir -p "$(dirname "$f")"; cp "$src" "$f";;
esac
`

// buildCommands returns the build phase's commands of a buildspec.
func buildCommands(t *testing.T, buildSpec string) []string {
	t.Helper()
	var spec struct {
		Phases struct {
			Build struct {
				Commands []string `json:"commands"`
			} `json:"build"`
		} `json:"phases"`
	}
	must(t, "parse a buildspec", json.Unmarshal([]byte(buildSpec), &spec))
	return spec.Phases.Build.Commands
}

// runReview runs the Build step's review command and the RecordDeployed
// step's command, as taken from the synthesized buildspecs, with a fake aws
// CLI over a local directory: the first run has nothing to compare and
// passes; a deployed assembly identical to the new one passes; one that the
// new assembly would replace the prod table of fails (exit 1), unless the
// allow file covers it; an S3 error fails. Its log shows each stage's cost
// section. RecordDeployed's upload is what the next review reads. outdir is the pipeline's synthesized assembly,
// which stands for the new cdk.out.
func runReview(t *testing.T, outdir, synthSpec, recordSpec string) {
	t.Helper()
	commands := buildCommands(t, synthSpec)
	review := commands[len(commands)-1]
	if !strings.Contains(review, "go run ./cmd/review -allow test/replacements-allowed.txt") {
		t.Fatalf("the synth step's last command is not the review: %q", review)
	}
	record := buildCommands(t, recordSpec)
	if len(record) != 1 {
		t.Fatalf("RecordDeployed's commands %q", record)
	}

	// The source tree as CodeBuild checks it out: the module (linked), the
	// allow file, and the new assembly in cdk.out.
	root, err := filepath.Abs("..")
	must(t, "find the repository", err)
	src := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "cmd", "internal", "netcheck"} {
		must(t, "link "+f, os.Symlink(filepath.Join(root, f), filepath.Join(src, f)))
	}
	must(t, "mkdir test", os.MkdirAll(filepath.Join(src, "test"), 0o755))
	allow := filepath.Join(src, "test", "replacements-allowed.txt")
	must(t, "write the allow file", os.WriteFile(allow, nil, 0o644))
	must(t, "copy the assembly", os.CopyFS(filepath.Join(src, "cdk.out"), os.DirFS(outdir)))
	bin := t.TempDir()
	must(t, "write the fake aws", os.WriteFile(filepath.Join(bin, "aws"), []byte(fakeAWS), 0o755))
	s3 := t.TempDir()
	// The steps' scratch files go to $TMPDIR: two runs of this test at once
	// (two checkouts, two CI jobs on one machine) must not share them.
	scratch := t.TempDir()
	const bucket = "artifacts"
	run := func(dir, script string, env ...string) (string, int) {
		t.Helper()
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_S3=" + s3, "ARTIFACT_BUCKET=" + bucket, "TMPDIR=" + scratch}, env...)...)
		out, err := cmd.CombinedOutput()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("run %q: %v", script, err)
		}
		return string(out), code
	}
	expect := func(what, out string, code, wantCode int, wantOut string) {
		t.Helper()
		t.Logf("%s: exit %d\n%s", what, code, out)
		if code != wantCode || !strings.Contains(out, wantOut) {
			t.Errorf("%s: exit %d, want %d saying %q:\n%s", what, code, wantCode, wantOut, out)
		}
	}

	out, code := run(src, review)
	expect("the first run", out, code, 0, "review: no deployed assembly at s3://artifacts/"+stacks.DeployedAssemblyKey+" yet")

	// The last stage records what it deployed, from its input (cdk.out).
	out, code = run(filepath.Join(src, "cdk.out"), record[0])
	expect("RecordDeployed", out, code, 0, "recorded this assembly")
	out, code = run(src, review)
	expect("the same assembly deployed", out, code, 0, "no change that needs a decision: nothing to decide")
	// The step's log shows each stage's cost section (internal/cost).
	for _, stage := range []string{"\nstage dev: unchanged\n  cost, fixed a month, nothing to decide: $", "\nstage prod (production): unchanged\n  cost, fixed a month, nothing to decide: $"} {
		if !strings.Contains(out, stage) {
			t.Errorf("the review's log lacks %q:\n%s", stage, out)
		}
	}
	if _, err := os.Stat(filepath.Join(scratch, "deployed-assembly", "manifest.json")); err != nil {
		t.Errorf("the review did not unpack the deployed assembly into $TMPDIR: %v", err)
	}

	// A deployed assembly whose prod table had another name: the new one
	// replaces it.
	deployed := t.TempDir()
	must(t, "copy the assembly", os.CopyFS(deployed, os.DirFS(outdir)))
	templates, _ := filepath.Glob(filepath.Join(deployed, "assembly-prod", "prodData*.template.json"))
	if len(templates) != 1 {
		t.Fatalf("prod's data template: %q", templates)
	}
	raw, err := os.ReadFile(templates[0])
	must(t, "read prod's data template", err)
	must(t, "edit it", os.WriteFile(templates[0], []byte(strings.Replace(string(raw), `"TableName": "Forum"`, `"TableName": "Forum-old"`, 1)), 0o644))
	out, code = run(deployed, record[0])
	expect("RecordDeployed", out, code, 0, "recorded")
	out, code = run(src, review)
	expect("the prod table renamed", out, code, 1, `prod-Data/ForumTable1FBA2B20 (AWS::DynamoDB::Table) STATEFUL: replaced: TableName: "Forum-old" -> "Forum"`)
	must(t, "allow it", os.WriteFile(allow, []byte("prod-Data/ForumTable1FBA2B20 the table takes its final name, its items copied over first\n"), 0o644))
	// The allow list covers the replacement, not the exports the app stack
	// imports: CloudFormation would refuse prod-Data's update, so the stage
	// still stops.
	out, code = run(src, review)
	expect("the rename allowed", out, code, 1, "allowed by prod-Data/ForumTable1FBA2B20")
	if !strings.Contains(out, "export-in-use: prod-Data replaced ForumTable1FBA2B20") || !strings.Contains(out, "which prod-App imports") {
		t.Errorf("the rename allowed: the review does not name the table's exports that prod-App imports:\n%s", out)
	}

	out, code = run(src, review, "FAKE_S3_DENY=1")
	expect("S3 refuses", out, code, 2, "(403)")
}

// TestPipelineScripts: each of the pipeline's shell steps parses as a shell
// script (bash -n), one line, as CodeBuild runs it.
func TestPipelineScripts(t *testing.T) {
	for name, command := range map[string]string{"review": stacks.ReviewCommand, "record-deployed": stacks.RecordDeployedCommand, "smoke-test": stacks.SmokeTestCommand} {
		if command == "" || strings.Contains(command, "\n") || strings.Contains(command, "@DEPLOYED_ASSEMBLY_KEY@") {
			t.Errorf("%s: %q is not one line with its key put in", name, command)
			continue
		}
		if out, err := exec.Command("bash", "-n", "-c", command).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", name, err, out)
		}
	}
}

// checkVerifyStep: after dev's smoke test, the Verify step runs cmd/verify
// against dev on the repository and the synthesized assembly, and its role
// holds exactly verifyactions.StepActions (no action more, none less), on
// no other resource than "*" (see the IAM5 suppression's reason).
func checkVerifyStep(t *testing.T, s *stackOutput) {
	t.Helper()
	found := false
	for id, body := range s.resources("AWS::CodeBuild::Project") {
		if !strings.Contains(id, "Verify") {
			continue
		}
		found = true
		spec := fmt.Sprint(props(body)["Source"].(map[string]any)["BuildSpec"])
		for _, want := range []string{stacks.VerifyCommand("dev"), "go" + stacks.GoVersion + ".linux-amd64.tar.gz", "CODEBUILD_SRC_DIR_"} {
			if !strings.Contains(spec, want) {
				t.Errorf("%s: the build spec lacks %q:\n%s", id, want, spec)
			}
		}
	}
	if !found {
		t.Fatal("no Verify step's CodeBuild project")
	}
	var got []string
	for id, body := range s.resources("AWS::IAM::Policy") {
		if !strings.Contains(id, "VerifyRole") {
			continue
		}
		for _, st := range asList(props(body)["PolicyDocument"].(map[string]any)["Statement"]) {
			acts, ok := st["Action"].([]any)
			if !ok || st["Resource"] != "*" {
				continue
			}
			for _, a := range acts {
				got = append(got, a.(string))
			}
		}
	}
	slices.Sort(got)
	if want := verifyactions.StepActions(); !slices.Equal(got, want) {
		t.Errorf("the Verify role's actions on *:\n%q\nwant verifyactions.StepActions:\n%q", got, want)
	}
	// Read-only, but for the analyses' own paths, analyses and tags, and
	// the drift detection and Reachability Analyzer queries.
	writes := []string{"cloudformation:DetectStackDrift", "cloudformation:DetectStackResourceDrift", "ec2:CreateNetworkInsightsPath",
		"ec2:StartNetworkInsightsAnalysis", "ec2:DeleteNetworkInsightsAnalysis", "ec2:DeleteNetworkInsightsPath", "ec2:CreateTags", "tiros:CreateQuery"}
	for _, a := range got {
		_, name, _ := strings.Cut(a, ":")
		read := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")
		if strings.Contains(a, "*") || !read && !slices.Contains(writes, a) {
			t.Errorf("the Verify role may %s: neither a read nor one of the analyses' own writes", a)
		}
	}
	for _, a := range writes {
		if !slices.Contains(got, a) {
			t.Errorf("the Verify role lacks %s", a)
		}
	}
}

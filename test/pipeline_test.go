package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/project-1/project-1/stacks"
)

var examplePipeline = stacks.PipelineConfig{
	ConnectionArn: "arn:aws:codestar-connections:us-east-1:111111111111:connection/12345678-1234-1234-1234-123456789012",
	Repository:    "example/project-1",
	Branch:        "main",
	Account:       "111111111111",
	Region:        "us-east-1",
}

// TestPipeline synthesizes the pipeline (as -c pipeline=true does): source,
// tests before synthesis, dev, then prod behind a manual approval, each stage
// followed by its smoke test, and no nag finding.
func TestPipeline(t *testing.T) {
	app := scratchApp(t)
	ps, err := stacks.BuildPipeline(app, stacks.Environments(), examplePipeline)
	must(t, "build the pipeline", err)
	findings, err := stacks.Synth(app)
	must(t, "synthesize", err)
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
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
	for _, env := range []string{"dev", "prod"} {
		got := actions[env]
		if len(got) == 0 || got[len(got)-1] != "Build:SmokeTest" {
			t.Errorf("%s: actions %q, want the smoke test last", env, got)
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

	var synthSpec, smokeSpec string
	for id, body := range s.resources("AWS::CodeBuild::Project") {
		spec := fmt.Sprint(props(body)["Source"].(map[string]any)["BuildSpec"])
		switch {
		case strings.Contains(id, "Synth"):
			synthSpec = spec
		case strings.Contains(id, "SmokeTest"):
			smokeSpec = spec
		}
	}
	test, synth := strings.Index(synthSpec, "go test ./..."), strings.Index(synthSpec, "npx cdk synth -c pipeline=true")
	if test < 0 || synth < 0 || test > synth {
		t.Errorf("the synth step does not run the tests before synthesizing:\n%s", synthSpec)
	}
	for _, want := range []string{"go" + stacks.GoVersion + ".linux-amd64.tar.gz", "npm ci"} {
		if !strings.Contains(synthSpec, want) {
			t.Errorf("the synth step does not install %q:\n%s", want, synthSpec)
		}
	}
	if !strings.Contains(smokeSpec, `$URL/`) || !strings.Contains(smokeSpec, "2??) exit 0") {
		t.Errorf("the smoke test does not require a 2xx from the stage's URL:\n%s", smokeSpec)
	}
	runSmokeTest(t, smokeSpec)
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
	_, err := stacks.BuildPipeline(app, stacks.Environments(), cfg)
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
	var spec struct {
		Phases struct {
			Build struct {
				Commands []string `json:"commands"`
			} `json:"build"`
		} `json:"phases"`
	}
	must(t, "parse the smoke test's buildspec", json.Unmarshal([]byte(buildSpec), &spec))
	script := strings.Join(spec.Phases.Build.Commands, "\n")
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

package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

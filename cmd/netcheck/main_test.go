package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is package netcheck's test assembly: the real network stack and a
// hand-written workload stack.
const fixture = "../../netcheck/testdata/assembly"

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExpectedTableHoldsOnFixture(t *testing.T) {
	code, out, errOut := runCmd(t, "-expect", "expected.txt", fixture)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"internet -> alb     80  allow    ok",
		"alb -> rds        3306  block    ok",
		"NACL_DENY: network ACL NetworkPrivateAcl", // a reason under a blocked flow
		"26 flows checked: 26 as expected, 0 contradict the expected table.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestContradictionExitsOne(t *testing.T) {
	exp := filepath.Join(t.TempDir(), "exp.txt")
	if err := os.WriteFile(exp, []byte("alb -> rds 3306 allow\ninternet -> alb 443 allow\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "-expect", exp, fixture)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "CONTRADICTS expected allow ("+exp+":1)") || !strings.Contains(out, "1 contradict") {
		t.Errorf("output does not report the contradiction:\n%s", out)
	}
}

func TestMissingWorkloadsContradict(t *testing.T) {
	// The network stack alone: every flow that needs a workload is unknown.
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(fixture, "assembly-project-1", "project1Network2F4F2684.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "net.json"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := `{"artifacts": {"Net": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "net.json", "stackName": "project-1-Network"}}}}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "-expect", "expected.txt", dir)
	if code != 1 || !strings.Contains(out, "NO_ENDPOINT") || !strings.Contains(out, "nat -> internet     80  allow    ok") {
		t.Errorf("exit %d, want 1 with NO_ENDPOINT and the NAT flows ok:\n%s", code, out)
	}
}

func TestLoadErrorsExitTwo(t *testing.T) {
	badExp := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(badExp, []byte("internet -> alb eighty allow\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"missing assembly":      {"-expect", "expected.txt", filepath.Join(t.TempDir(), "nope")},
		"missing expectations":  {"-expect", filepath.Join(t.TempDir(), "nope.txt"), fixture},
		"malformed expectation": {"-expect", badExp, fixture},
		"two directories":       {fixture, fixture},
		"unknown flag":          {"-nope", fixture},
	} {
		if code, out, errOut := runCmd(t, args...); code != 2 || errOut == "" {
			t.Errorf("%s: exit %d, want 2 with a message on stderr\n%s%s", name, code, out, errOut)
		}
	}
}

func TestMermaidAndMatrix(t *testing.T) {
	code, out, _ := runCmd(t, "-mermaid", fixture)
	if code != 0 || !strings.HasPrefix(out, "flowchart LR\n") {
		t.Errorf("-mermaid: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "-expect", "", fixture)
	if code != 0 || !strings.Contains(out, "120 flows checked.") {
		t.Errorf(`-expect "": exit %d\n%s`, code, out)
	}
	code, out, _ = runCmd(t, "-v", "-expect", "expected.txt", fixture)
	if code != 0 || !strings.Contains(out, "path internet (198.51.100.10) -> WebAsgASG in NetworkPrivateSubnet2 (us-east-1b):") {
		t.Errorf("-v: exit %d, want every blocked path listed\n%s", code, out)
	}
}

// stagedFixture is the fixture's stage twice, as dev and prod (stack names,
// export names and tags renamed; logical ids the same), beside a top-level
// pipeline stack that declares no network, as cdk synth -c pipeline=true
// lays it out.
func stagedFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(fixture, "assembly-project-1")
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"dev", "prod"} {
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(src, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			write(filepath.Join("assembly-"+env, f.Name()), strings.ReplaceAll(string(data), "project-1", env))
		}
	}
	write("manifest.json", `{"artifacts": {
		"assembly-dev": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-dev", "displayName": "dev"}},
		"assembly-prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-prod", "displayName": "prod"}},
		"Pipeline": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Pipeline.template.json", "stackName": "project-1-Pipeline"}}}}`)
	write("Pipeline.template.json", `{"Resources": {"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {}}}}`)
	return dir
}

func TestStagesCheckedOneByOne(t *testing.T) {
	dir := stagedFixture(t)
	code, out, errOut := runCmd(t, "-expect", "expected.txt", dir)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"STAGE  FLOW              PORT  RESULT   CHECK\n",
		"dev    internet -> alb     80  allow    ok\n",
		"prod   alb -> rds        3306  block    ok\n",
		"52 flows checked in 2 stages: 52 as expected, 0 contradict the expected table.\n",
		"\nNotes (stage dev):\n  - dev-Network/SecurityGroupsAlb", // each stage's notes under its name
		"\nNotes (stage prod):\n",
		"\nNot checked: stages whose stacks declare no VPC, load balancer, instance, database or NAT gateway:\n  - (top level): project-1-Pipeline\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Every flow line names its stage.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " -> ") && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "dev ") && !strings.HasPrefix(line, "prod ") {
			t.Errorf("flow line without its stage: %q", line)
		}
	}

	code, out, _ = runCmd(t, "-expect", "expected.txt", "-stage", "prod", dir)
	if code != 0 || !strings.Contains(out, "26 flows checked in stage prod: 26 as expected") || strings.Contains(out, "\ndev ") {
		t.Errorf("-stage prod: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "-expect", "", dir)
	if code != 0 || !strings.Contains(out, "240 flows checked in 2 stages.") {
		t.Errorf(`-expect "": exit %d\n%s`, code, out)
	}
	code, _, errOut = runCmd(t, "-stage", "staging", dir)
	if code != 2 || !strings.Contains(errOut, `no stage "staging"; its stages: (top level), dev, prod`) {
		t.Errorf("-stage staging: exit %d, stderr %q", code, errOut)
	}
	// The pipeline's stage alone has no network: every flow is unknown.
	code, out, _ = runCmd(t, "-expect", "expected.txt", "-stage", "(top level)", dir)
	if code != 1 || !strings.Contains(out, "NO_ENDPOINT") {
		t.Errorf("-stage '(top level)': exit %d, want 1 with NO_ENDPOINT\n%s", code, out)
	}
}

func TestMermaidPerStage(t *testing.T) {
	dir := stagedFixture(t)
	code, out, _ := runCmd(t, "-mermaid", dir)
	if code != 0 || !strings.HasPrefix(out, "%% stage dev\nflowchart LR\n") || !strings.Contains(out, "\n\n%% stage prod\nflowchart LR\n") ||
		strings.Count(out, "flowchart LR") != 2 {
		t.Errorf("-mermaid: exit %d, want one diagram per stage\n%s", code, out)
	}
	_, single, _ := runCmd(t, "-mermaid", fixture)
	code, out, _ = runCmd(t, "-mermaid", "-stage", "dev", dir)
	if code != 0 || out != single {
		t.Errorf("-mermaid -stage dev: exit %d, want the fixture's diagram\n%s", code, out)
	}
}

func TestSingleStageNamesNoStage(t *testing.T) {
	_, out, _ := runCmd(t, "-expect", "expected.txt", fixture)
	if !strings.HasPrefix(out, "FLOW  ") || strings.Contains(out, "stage") {
		t.Errorf("a one-stage assembly's report names its stage:\n%s", out)
	}
}

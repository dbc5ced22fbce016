package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// frozenFixture is package netcheck's test assembly: the real network stack
// of its time and a hand-written workload stack. Its public ACL denies 3389
// inbound, inside the ephemeral range of the load balancer and the NAT
// gateways (TestEphemeralGapSurfaced).
const frozenFixture = "../../netcheck/testdata/assembly"

// fixture is a copy of frozenFixture whose public ACL has the rules
// constructs/network now writes: no inbound deny of 3389 (rule 60), one
// inbound rule for 1024-65535 (120) instead of 120 and 130.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	stage := filepath.Join(dir, "assembly-project-1")
	if err := os.MkdirAll(stage, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile := func(from, to string, edit func([]byte) []byte) {
		t.Helper()
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			data = edit(data)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(frozenFixture, "manifest.json"), filepath.Join(dir, "manifest.json"), nil)
	files, err := os.ReadDir(filepath.Join(frozenFixture, "assembly-project-1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		var edit func([]byte) []byte
		if f.Name() == "project1Network2F4F2684.template.json" {
			edit = func(data []byte) []byte { return fixPublicACL(t, data) }
		}
		copyFile(filepath.Join(frozenFixture, "assembly-project-1", f.Name()), filepath.Join(stage, f.Name()), edit)
	}
	return dir
}

func fixPublicACL(t *testing.T, data []byte) []byte {
	t.Helper()
	var tmpl map[string]any
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	resources := tmpl["Resources"].(map[string]any)
	changed := 0
	for id, r := range resources {
		body := r.(map[string]any)
		p, _ := body["Properties"].(map[string]any)
		ref, _ := p["NetworkAclId"].(map[string]any)
		if body["Type"] != "AWS::EC2::NetworkAclEntry" || ref["Ref"] != "NetworkPublicAcl9B404FC7" || p["Egress"] != false {
			continue
		}
		switch p["RuleNumber"] {
		case 60.0, 130.0:
			delete(resources, id)
			changed++
		case 120.0:
			p["PortRange"] = map[string]any{"From": 1024, "To": 65535}
			changed++
		}
	}
	if changed != 3 {
		t.Fatalf("fixed %d public ACL entries, want 3", changed)
	}
	out, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExpectedTableHoldsOnFixture(t *testing.T) {
	code, out, errOut := runCmd(t, "-expect", "expected.txt", fixture(t))
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

// TestEphemeralGapSurfaced: on the fixture as it was synthesized, the
// public ACL's inbound deny of 3389 drops replies to the load balancer and
// the NAT gateways on that ephemeral port. The flows are intermittent,
// contradict the expected allow, and say which rule and port.
func TestEphemeralGapSurfaced(t *testing.T) {
	code, out, _ := runCmd(t, "-expect", "expected.txt", frozenFixture)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"FLOW              PORT  RESULT        CHECK\n",
		"internet -> alb     80  allow         ok\n",
		"alb -> web          80  intermittent  CONTRADICTS expected allow (expected.txt:15)\n" +
			"      NACL_EPHEMERAL_GAP: network ACL NetworkPublicAcl of NetworkPublicSubnet1 (us-east-1a), inbound: rule 60 denies TCP 3389 from 10.0.2.20 " +
			"(reply from WebAsgASG in NetworkPrivateSubnet1 (us-east-1a)), inside the ephemeral range 1024-65535 of alb: 1 of its 64512 ports, so about 1 connection in 64512 fails, at random\n",
		"web -> internet    443  intermittent  CONTRADICTS expected allow",
		"nat -> internet     80  intermittent  CONTRADICTS expected allow",
		"rule 60 denies TCP 3389 from 198.51.100.10 (reply from the internet to NAT gateway NetworkPublicSubnet1NatGateway (leg 2)), inside the ephemeral range 1024-65535 of nat",
		"26 flows checked: 20 as expected, 6 contradict the expected table.\n" +
			"6 intermittent: a network ACL drops their replies on part of the client's ephemeral range (NACL_EPHEMERAL_GAP above).\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// -v marks each such path.
	_, out, _ = runCmd(t, "-v", "-expect", "expected.txt", frozenFixture)
	if !strings.Contains(out, "      path WebAlb in NetworkPublicSubnet1 (us-east-1a) -> WebAsgASG in NetworkPrivateSubnet2 (us-east-1b) (intermittent):\n        NACL_EPHEMERAL_GAP: ") {
		t.Errorf("-v does not mark the intermittent paths:\n%s", out)
	}
	// The matrix counts them too: alb -> web and nat -> internet on every
	// port the fixture's groups allow (its ALB group egresses anywhere).
	code, out, _ = runCmd(t, "-expect", "", frozenFixture)
	if code != 0 || !strings.Contains(out, "120 flows checked.\n14 intermittent:") {
		t.Errorf(`-expect "": exit %d\n%s`, code, out)
	}
}

func TestContradictionExitsOne(t *testing.T) {
	exp := filepath.Join(t.TempDir(), "exp.txt")
	if err := os.WriteFile(exp, []byte("alb -> rds 3306 allow\ninternet -> alb 443 allow\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "-expect", exp, fixture(t))
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
	src, err := os.ReadFile(filepath.Join(fixture(t), "assembly-project-1", "project1Network2F4F2684.template.json"))
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
		"missing expectations":  {"-expect", filepath.Join(t.TempDir(), "nope.txt"), frozenFixture},
		"malformed expectation": {"-expect", badExp, frozenFixture},
		"two directories":       {frozenFixture, frozenFixture},
		"unknown flag":          {"-nope", frozenFixture},
	} {
		if code, out, errOut := runCmd(t, args...); code != 2 || errOut == "" {
			t.Errorf("%s: exit %d, want 2 with a message on stderr\n%s%s", name, code, out, errOut)
		}
	}
}

func TestMermaidAndMatrix(t *testing.T) {
	code, out, _ := runCmd(t, "-mermaid", fixture(t))
	if code != 0 || !strings.HasPrefix(out, "flowchart LR\n") {
		t.Errorf("-mermaid: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "-expect", "", fixture(t))
	if code != 0 || !strings.Contains(out, "120 flows checked.") {
		t.Errorf(`-expect "": exit %d\n%s`, code, out)
	}
	code, out, _ = runCmd(t, "-v", "-expect", "expected.txt", fixture(t))
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
	src := filepath.Join(fixture(t), "assembly-project-1")
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
	_, single, _ := runCmd(t, "-mermaid", fixture(t))
	code, out, _ = runCmd(t, "-mermaid", "-stage", "dev", dir)
	if code != 0 || out != single {
		t.Errorf("-mermaid -stage dev: exit %d, want the fixture's diagram\n%s", code, out)
	}
}

func TestSingleStageNamesNoStage(t *testing.T) {
	_, out, _ := runCmd(t, "-expect", "expected.txt", fixture(t))
	if !strings.HasPrefix(out, "FLOW  ") || strings.Contains(out, "stage") {
		t.Errorf("a one-stage assembly's report names its stage:\n%s", out)
	}
}

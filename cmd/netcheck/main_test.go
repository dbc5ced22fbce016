package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is internal/netcheck's test assembly: the real network stack and a
// hand-written workload stack.
const fixture = "../../internal/netcheck/testdata/assembly"

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

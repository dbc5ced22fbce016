package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/cost"
)

var update = flag.Bool("update", false, "rewrite the README's cost lines")

var golden = filepath.Join("..", "..", "test", "testdata")

func runCost(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestRun(t *testing.T) {
	empty := t.TempDir()
	manifest := t.TempDir()
	os.WriteFile(filepath.Join(manifest, "manifest.json"), []byte(`{"artifacts": {"S": {"type": "aws:cloudformation:stack", "environment": "aws://1/ap-south-1", "properties": {"templateFile": "S.template.json"}}}}`), 0o644)
	os.WriteFile(filepath.Join(manifest, "S.template.json"), []byte(`{"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {}}}}`), 0o644)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"the golden templates", []string{golden}, 0, "stage project-1 (us-east-1): $202.33 a month fixed", ""},
		{"markdown", []string{"-format", "markdown", golden}, 0, "### stage dev (us-east-1)", ""},
		{"an assumption", []string{"-nat-gb", "1000", golden}, 0, "(1000 GB a month through the stage's 2 NAT gateway(s) in us-east-1)", ""},
		{"no argument", nil, 2, "", "usage: cost"},
		{"not an assembly", []string{empty}, 2, "", "is not a cloud assembly"},
		{"a missing directory", []string{filepath.Join(empty, "nope")}, 2, "", "no such file"},
		{"a region not in the table", []string{manifest}, 2, "", `region "ap-south-1" is not in the price table`},
		{"a bad format", []string{"-format", "yaml", golden}, 2, "", `-format "yaml"`},
		{"a negative assumption", []string{"-log-gb", "-1", golden}, 2, "", "-log-gb -1"},
		{"a bad flag", []string{"-nope", golden}, 2, "", "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCost(tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s", code, tc.code, tc.out, out, tc.err, errOut)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("a trace on stderr:\n%s", errOut)
			}
		})
	}
}

// TestJSON: -json's report holds every stage, with totals that are the sums
// of their lines.
func TestJSON(t *testing.T) {
	rep := goldenReport(t)
	if len(rep.Stages) != 3 || rep.Hours != 730 || rep.TableDate != cost.TableDate {
		t.Fatalf("report: %d stages, %d hours, table %s", len(rep.Stages), rep.Hours, rep.TableDate)
	}
	for _, s := range rep.Stages {
		sum := 0.0
		for _, l := range s.Fixed {
			sum += l.Monthly
		}
		if d := sum - s.FixedTotal; d > 0.005 || d < -0.005 {
			t.Errorf("stage %s: fixed lines sum to %.2f, total %.2f", s.Name, sum, s.FixedTotal)
		}
	}
}

const (
	readmeBegin = "<!-- go run ./cmd/cost -format readme test/testdata: generated; refresh with go test ./cmd/cost -run TestReadmeCost -update -->\n"
	readmeEnd   = "<!-- end of the generated cost lines -->\n"
)

// TestReadmeCost fails when the README's line per environment is not what
// the command prints for the golden templates (which CI keeps equal to the
// CLI's synthesis).
func TestReadmeCost(t *testing.T) {
	code, want, errOut := runCost("-format", "readme", golden)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	path := filepath.Join("..", "..", "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	b, e := strings.Index(text, readmeBegin), strings.Index(text, readmeEnd)
	if b < 0 || e < b {
		t.Fatalf("README.md lacks the markers %q ... %q", readmeBegin, readmeEnd)
	}
	b += len(readmeBegin)
	if text[b:e] == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(text[:b]+want+text[e:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's cost lines are stale; refresh them with\n  go test ./cmd/cost -run TestReadmeCost -update\nwant:\n%s", want)
}

// TestCostPageFigures: docs/cost.md's table of fixed totals is the
// command's, stage by stage.
func TestCostPageFigures(t *testing.T) {
	rep := goldenReport(t)
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "cost.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Stages {
		if row := fmt.Sprintf("| `%s` | %s |", s.Name, cost.Money(s.FixedTotal)); !strings.Contains(string(raw), row) {
			t.Errorf("docs/cost.md lacks the row %q", row)
		}
	}
}

// goldenReport is the command's -format json report of the golden assembly.
func goldenReport(t *testing.T) cost.Report {
	t.Helper()
	code, out, errOut := runCost("-format", "json", golden)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep cost.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/replacement"
)

// allowFile lists the intended replacements of stateful resources, each with
// its reason, reviewed like code.
const allowFile = "replacements-allowed.txt"

// baseline returns the last reviewed version of a stack's golden template: as
// committed (git HEAD) when git knows it, so that regenerating the golden
// files cannot move the baseline, else as on disk; nil when there is none (a
// new stack, which has nothing to lose).
func baseline(t *testing.T, stack string) map[string]any {
	t.Helper()
	golden := filepath.Join("testdata", stack+".template.json")
	raw, err := exec.Command("git", "show", "HEAD:./"+filepath.ToSlash(golden)).Output()
	if err != nil {
		if raw, err = os.ReadFile(golden); err != nil {
			return nil
		}
	}
	var template map[string]any
	must(t, "parse "+golden, json.Unmarshal(raw, &template))
	return template
}

// statefulLosses compares every synthesized template with its baseline and
// returns what would delete, replace or unprotect a stateful resource and is
// not in the allow file.
func statefulLosses(t *testing.T) []replacement.Change {
	t.Helper()
	f, err := os.Open(allowFile)
	must(t, "open "+allowFile, err)
	allow, err := replacement.ParseAllowList(f)
	f.Close()
	must(t, "read "+allowFile, err)
	old, new := replacement.Templates{}, replacement.Templates{}
	for _, e := range synthAll().all {
		for _, s := range e.stacks {
			if b := baseline(t, s.name); b != nil {
				old[s.name] = b
			}
			new[s.name] = s.json
		}
	}
	var out []replacement.Change
	for _, c := range replacement.Compare(old, new) {
		if c.Blocking() && !allow.Allows(c) {
			out = append(out, c)
		}
	}
	return out
}

// TestNoStatefulReplacement: no change deletes or replaces the database, its
// subnet group or secret, the table, a bucket, a key, a log group, the VPC, a
// subnet or an Elastic IP, or weakens their deletion or replace policies,
// against the last reviewed golden templates, unless allowFile says why.
func TestNoStatefulReplacement(t *testing.T) {
	for _, c := range statefulLosses(t) {
		t.Errorf("%s\n  if intended, add %q and the reason to test/%s", c, c.Stack+"/"+c.LogicalID, allowFile)
	}
}

// refuseLosses fails the test, before any golden file is rewritten, when the
// new templates would lose a stateful resource: -update cannot make the guard
// pass.
func refuseLosses(t *testing.T) {
	t.Helper()
	var lines []string
	for _, c := range statefulLosses(t) {
		lines = append(lines, c.String())
	}
	if len(lines) > 0 {
		t.Fatalf("not updating the golden templates: the change would lose stateful resources:\n%s\nIf intended, list each in test/%s with the reason.",
			strings.Join(lines, "\n"), allowFile)
	}
}

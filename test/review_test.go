package test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/review"
	"github.com/project-1/project-1/netcheck"
)

// TestReviewProductionStages: the review's production stages are the
// environments that keep config.ProductionPolicy (the review package cannot
// import stacks, which needs jsii).
func TestReviewProductionStages(t *testing.T) {
	var want []string
	for _, e := range environments() {
		if e.Production {
			want = append(want, e.Name)
		}
	}
	slices.Sort(want)
	if got := slices.Sorted(slices.Values(review.ProductionStages)); !slices.Equal(got, want) {
		t.Errorf("review.ProductionStages %q, want the Production environments %q", got, want)
	}
}

func reviewOf(t *testing.T, baseDir, headDir string) (*review.Report, string) {
	t.Helper()
	f, err := os.Open("../cmd/netcheck/expected.txt")
	must(t, "open the expected table", err)
	exps, err := netcheck.ParseExpectations(f)
	f.Close()
	must(t, "read the expected table", err)
	base, err := review.Load(baseDir)
	must(t, "load BASE", err)
	head, err := review.Load(headDir)
	must(t, "load HEAD", err)
	rep, err := review.Review(base, head, review.Options{Expected: exps, ExpectedFile: "expected.txt"})
	must(t, "review", err)
	var b bytes.Buffer
	must(t, "write", rep.WriteText(&b))
	return rep, b.String()
}

// TestReviewOfTheSynthesis: this synthesis (every environment, with the
// CLI's manifests) against itself has nothing to decide, and against the
// golden templates nothing either; taking the data stack's termination
// protection from prod's manifest needs a decision.
func TestReviewOfTheSynthesis(t *testing.T) {
	rep, text := reviewOf(t, synthAll().outdir, synthAll().outdir)
	if rep.ExitCode() != 0 || !strings.Contains(text, "nothing to decide") {
		t.Errorf("the synthesis against itself: exit %d\n%s", rep.ExitCode(), text)
	}
	if rep, text = reviewOf(t, "testdata", synthAll().outdir); rep.ExitCode() != 0 {
		t.Errorf("the synthesis against the golden templates: exit %d\n%s", rep.ExitCode(), text)
	}

	head := t.TempDir()
	must(t, "copy the synthesis", os.CopyFS(head, os.DirFS(synthAll().outdir)))
	manifest := filepath.Join(head, filepath.Base(synthAll().all["prod"].dir), "manifest.json")
	raw, err := os.ReadFile(manifest)
	must(t, "read prod's manifest", err)
	var m map[string]any
	must(t, "parse prod's manifest", json.Unmarshal(raw, &m))
	found := false
	for _, a := range m["artifacts"].(map[string]any) {
		p, _ := a.(map[string]any)["properties"].(map[string]any)
		if p["stackName"] == "prod-Data" {
			if p["terminationProtection"] != true {
				t.Fatalf("prod-Data is not termination-protected in the synthesis: %v", p)
			}
			p["terminationProtection"], found = false, true
		}
	}
	if !found {
		t.Fatal("no prod-Data in prod's manifest")
	}
	raw, err = json.Marshal(m)
	must(t, "encode prod's manifest", err)
	must(t, "write prod's manifest", os.WriteFile(manifest, raw, 0o644))
	rep, text = reviewOf(t, synthAll().outdir, head)
	if rep.ExitCode() != 1 || !strings.Contains(text, "prod-Data: termination-protection: the stack's termination protection: on -> off") {
		t.Errorf("prod's termination protection off: exit %d\n%s", rep.ExitCode(), text)
	}
}

package test

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/netcheck"
)

// expectedFlows reads the spec's reachability table.
func expectedFlows(t *testing.T) []netcheck.Expectation {
	t.Helper()
	f, err := os.Open(expectedTable)
	must(t, "open the table", err)
	defer f.Close()
	exps, err := netcheck.ParseExpectations(f)
	must(t, "parse the table", err)
	return exps
}

// checkStage fails for every flow of exps the stage's network contradicts,
// and for anything the checker could not model.
func checkStage(t *testing.T, s netcheck.Stage, exps []netcheck.Expectation) {
	t.Helper()
	for _, x := range exps {
		t.Run(s.Name+"/"+x.String(), func(t *testing.T) {
			if r := s.Model.Check(x.From, x.To, x.Port); !x.Met(r) {
				var why []string
				for _, reason := range r.Reasons {
					why = append(why, reason.String())
				}
				t.Errorf("verdict %s:\n%s", r.Verdict, strings.Join(why, "\n"))
			}
		})
	}
	if notes := s.Model.Notes(); len(notes) > 0 {
		t.Errorf("stage %s: the checker could not model everything:\n%s", s.Name, strings.Join(notes, "\n"))
	}
}

// TestReachabilityStageByStage checks the app's whole assembly, as `npx cdk
// synth -c env=all && go run ./cmd/netcheck cdk.out` does: each environment
// is a stage, a network of its own, and each meets the expected table. The
// stages share their logical ids, so a merged model would pair one
// environment's load balancer with another's instances.
func TestReachabilityStageByStage(t *testing.T) {
	exps := expectedFlows(t)
	stages, err := netcheck.LoadStages(synthAll().outdir)
	must(t, "load the assembly", err)
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
	}
	if want := slices.Sorted(maps.Keys(synthAll().all)); !slices.Equal(names, want) {
		t.Fatalf("stages %q, want one per environment %q", names, want)
	}
	for _, s := range stages {
		want := []string{s.Name + "-App", s.Name + "-Data", s.Name + "-Network"}
		if synthAll().all[s.Name].env.Backup.CopyRegion != "" {
			want = []string{s.Name + "-App", s.Name + "-BackupCopy", s.Name + "-Data", s.Name + "-Network"}
		}
		if !slices.Equal(s.Stacks, want) {
			t.Errorf("stage %s: stacks %q, want %q", s.Name, s.Stacks, want)
		}
		checkStage(t, s, exps)
	}
	if _, err := netcheck.Load(synthAll().outdir); err == nil {
		t.Error("Load merged the environments of the assembly into one network")
	}
}

// TestNetcheckPipelineAssembly checks the assembly of `npx cdk synth -c
// pipeline=true`: the stages the pipeline deploys each meet the expected
// table, and the pipeline's own stacks, which declare no network, are a stage
// with nothing to check.
func TestNetcheckPipelineAssembly(t *testing.T) {
	app, _, _ := pipelineSynth(t)
	stages, err := netcheck.LoadStages(*app.Outdir())
	must(t, "load the pipeline's assembly", err)
	exps := expectedFlows(t)
	var checked []string
	for _, s := range stages {
		if !slices.Contains(config.PipelineStages, s.Name) {
			if !s.Model.Empty() {
				t.Errorf("stage %q (%q) is not deployed by the pipeline but declares a network", s.Name, s.Stacks)
			}
			continue
		}
		checked = append(checked, s.Name)
		checkStage(t, s, exps)
	}
	if !slices.Equal(checked, config.PipelineStages) {
		t.Errorf("stages checked %q, want the pipeline's %q", checked, config.PipelineStages)
	}
	if !slices.ContainsFunc(stages, func(s netcheck.Stage) bool { return slices.Contains(s.Stacks, "project-1-Pipeline") }) {
		t.Errorf("no stage holds the pipeline stack: %+v", stages)
	}
}

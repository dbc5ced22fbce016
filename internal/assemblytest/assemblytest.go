// Package assemblytest lays stacks out as a cloud assembly, for the tests
// that read one: the review's and the verify command's, which edit or deploy
// the golden templates.
package assemblytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/project-1/project-1/netcheck"
)

// LayOut writes stacks into root as cdk synth does: a top-level
// manifest.json with one nested cloud assembly per stage, each with its own
// manifest and templates, the stack's region in its environment.
func LayOut(root string, stacks []netcheck.StackArtifact) error {
	top := map[string]any{}
	nested := map[string]map[string]any{}
	for _, s := range stacks {
		dir := "assembly-" + s.Stage
		if _, ok := nested[s.Stage]; !ok {
			nested[s.Stage] = map[string]any{}
			top[dir] = map[string]any{"type": "cdk:cloud-assembly", "properties": map[string]any{"directoryName": dir, "displayName": s.Stage}}
		}
		id := strings.ReplaceAll(s.Name, "-", "")
		nested[s.Stage][id] = map[string]any{
			"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/" + s.Region,
			"properties": map[string]any{"templateFile": id + ".template.json", "stackName": s.Name,
				"terminationProtection": s.TerminationProtection},
			"displayName": s.Stage + "/" + strings.TrimPrefix(s.Name, s.Stage+"-"),
		}
		if err := WriteJSON(filepath.Join(root, dir, id+".template.json"), s.Template); err != nil {
			return err
		}
	}
	if err := WriteJSON(filepath.Join(root, "manifest.json"), map[string]any{"version": "55.0.0", "artifacts": top}); err != nil {
		return err
	}
	for stage, arts := range nested {
		if err := WriteJSON(filepath.Join(root, "assembly-"+stage, "manifest.json"), map[string]any{"version": "55.0.0", "artifacts": arts}); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes v, indented, creating the directories of path.
func WriteJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

// Expectations reads an expected reachability table (cmd/netcheck's
// expected.txt), failing the test when it cannot.
func Expectations(t testing.TB, path string) []netcheck.Expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := netcheck.ParseExpectations(f)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

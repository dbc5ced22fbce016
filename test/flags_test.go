package test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/stacks"
)

// TestTemplatesIndependentOfFlags: another team builds project-1's constructs in
// its own app, without project-1's cdk.json. The default environment's
// templates must be the same with no feature flags as with cdk.json's, byte
// for byte: every construct sets what a flag would otherwise decide.
func TestTemplatesIndependentOfFlags(t *testing.T) {
	context := map[string]any{ // only what the CLI adds, no feature flag
		"aws:cdk:enable-path-metadata":  true,
		"aws:cdk:enable-asset-metadata": true,
	}
	app := stacks.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(t.TempDir())})
	stage := buildOne(t, app, appDefaultEnv())
	dir := *stage.Synth(nil).Directory()
	for id, want := range synthAll().stacks {
		got, err := os.ReadFile(filepath.Join(dir, want.file))
		must(t, "read "+want.file, err)
		if !bytes.Equal(got, want.raw) {
			t.Errorf("%s (%s): the template without cdk.json's feature flags differs from the one with them", want.name, id)
		}
	}
}

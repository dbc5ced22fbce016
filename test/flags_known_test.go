package test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCdkJSONFlagsAreRead: every feature flag in cdk.json is one the
// aws-cdk-lib in use defines (its cx-api feature table, read from the jsii
// bundle aws-cdk-go ships); a flag it does not read only misleads.
func TestCdkJSONFlagsAreRead(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-cdk-go/awscdk/v2").Output()
	must(t, "find aws-cdk-go", err)
	bundles, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(dir)), "jsii", "aws-cdk-lib-*.tgz"))
	if len(bundles) != 1 {
		t.Fatalf("no aws-cdk-lib bundle in %s", dir)
	}
	f, err := os.Open(bundles[0])
	must(t, "open the bundle", err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	must(t, "read the bundle", err)
	var features []byte
	for r := tar.NewReader(gz); ; {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		must(t, "read the bundle", err)
		if h.Name == "package/cx-api/lib/features.js" {
			features, err = io.ReadAll(r)
			must(t, "read features.js", err)
			break
		}
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(@aws-cdk[a-z-]*/[A-Za-z0-9-]+:[A-Za-z0-9_.-]+)"`).FindAllStringSubmatch(string(features), -1) {
		known[m[1]] = true
	}
	if len(known) < 50 {
		t.Fatalf("read %d flags from the bundle; the pattern no longer matches", len(known))
	}
	raw, err := os.ReadFile("../cdk.json")
	must(t, "read cdk.json", err)
	var cdk struct {
		Context map[string]any `json:"context"`
	}
	must(t, "parse cdk.json", json.Unmarshal(raw, &cdk))
	for key := range cdk.Context {
		if strings.HasPrefix(key, "@aws-cdk") && !known[key] {
			t.Errorf("cdk.json sets %s, which aws-cdk-lib does not read", key)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture copies netcheck's fixture assembly, applying edit to its network
// template's text.
func fixture(t *testing.T, edit func(string) string) string {
	t.Helper()
	src := filepath.Join("..", "..", "netcheck", "testdata", "assembly")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(rel, "Network") && strings.HasSuffix(rel, ".template.json") {
			raw = []byte(edit(string(raw)))
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), raw, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestRun(t *testing.T) {
	same := func(s string) string { return s }
	moved := func(s string) string {
		return strings.Replace(s, `"CidrBlock": "10.0.2.0/24"`, `"CidrBlock": "10.0.5.0/24"`, 1)
	}
	allow := filepath.Join(t.TempDir(), "allow.txt")
	os.WriteFile(allow, []byte("# intended\nproject-1-Network/NetworkPrivateSubnet1E8491189 renumbering the private subnets, agreed in review\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no change", []string{fixture(t, same), fixture(t, same)}, 0, "no resource is deleted or replaced"},
		{"a subnet's CIDR", []string{fixture(t, same), fixture(t, moved)}, 1,
			`NetworkPrivateSubnet1E8491189 (AWS::EC2::Subnet) STATEFUL: replaced: CidrBlock: "10.0.2.0/24" -> "10.0.5.0/24"`},
		{"allowed", []string{"-allow", allow, fixture(t, same), fixture(t, moved)}, 0, "(allowed: renumbering"},
		{"usage", []string{"one"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if code := run(tc.args, &out, &errs); code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errs.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output does not say %q:\n%s", tc.want, out.String())
			}
		})
	}
}

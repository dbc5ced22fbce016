package test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/project-1/project-1/stacks"
)

// The AWS Control Tower proactive controls as CloudFormation Guard rules, and
// the cfn-guard binary, both shipped by the npm package
// @cdklabs/cdk-validator-cfnguard that package.json pins.
const cfnGuardPackage = "../node_modules/@cdklabs/cdk-validator-cfnguard"

// controlsAllowFile lists the controls that may fail, where, and why.
const controlsAllowFile = "controls-allowed.txt"

// cfnGuard returns the bundled cfn-guard binary and the Control Tower rules
// directory, skipping the test when `npm ci` has not installed them (and
// failing it under CI, which must run it).
func cfnGuard(t *testing.T) (binary, rules string) {
	t.Helper()
	binary, rules = cfnGuardPaths()
	for _, p := range []string{binary, rules} {
		if _, err := os.Stat(p); err != nil {
			msg := fmt.Sprintf("%s is missing: run npm ci", p)
			if os.Getenv("CI") != "" {
				t.Fatal(msg + " (CI must run the Control Tower checks)")
			}
			t.Skip(msg)
		}
	}
	return binary, rules
}

// cfnGuardPaths are the bundled cfn-guard binary and the rules directory.
func cfnGuardPaths() (binary, rules string) {
	platform := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	return filepath.Join(cfnGuardPackage, "bin", platform, arch, "cfn-guard"),
		filepath.Join(cfnGuardPackage, "rules", "control-tower", "cfn-guard")
}

// controlIDs maps each Guard rule name to its Control Tower control id, which
// the rule's file name carries (ct-rds-pr-20.guard holds CT.RDS.PR.20).
func controlIDs(rules string) (map[string]string, error) {
	ruleName := regexp.MustCompile(`(?m)^rule\s+([A-Za-z0-9_]+)\s+when\b`)
	ids := map[string]string{}
	err := filepath.WalkDir(rules, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".guard") {
			return err
		}
		base := strings.TrimSuffix(filepath.Base(path), ".guard")
		id := strings.ToUpper(strings.ReplaceAll(base, "-", "."))
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range ruleName.FindAllStringSubmatch(string(raw), -1) {
			ids[m[1]] = id
		}
		return nil
	})
	if err == nil && len(ids) < 100 {
		err = fmt.Errorf("only %d Control Tower rules under %s", len(ids), rules)
	}
	return ids, err
}

// failedControls runs every Control Tower rule over the templates and returns,
// per control id, the "template: resources" that fail it. It runs on its own
// goroutine, so it returns its problems rather than failing the test.
func failedControls(binary, rules string, ids map[string]string, templates []string) (map[string][]string, error) {
	args := []string{"validate", "--rules", rules, "--output-format", "json", "--structured", "--show-summary", "none"}
	for _, tpl := range templates {
		args = append(args, "--data", tpl)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// cfn-guard exits 19 when a rule fails; anything else but 0 is an error.
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 19 {
			return nil, fmt.Errorf("cfn-guard: %v\n%s", err, stderr.String())
		}
	}
	var reports []struct {
		Name         string `json:"name"`
		NotCompliant []struct {
			Rule json.RawMessage `json:"Rule"`
		} `json:"not_compliant"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &reports); err != nil {
		return nil, fmt.Errorf("parse cfn-guard's report: %w", err)
	}
	resource := regexp.MustCompile(`"path":"/Resources/([^/"]+)`)
	out := map[string][]string{}
	for _, r := range reports {
		for _, nc := range r.NotCompliant {
			var rule struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(nc.Rule, &rule); err != nil {
				return nil, fmt.Errorf("parse a cfn-guard rule: %w", err)
			}
			id, ok := ids[rule.Name]
			if !ok {
				return nil, fmt.Errorf("cfn-guard reports rule %q, which no Control Tower rule file defines", rule.Name)
			}
			var names []string
			for _, m := range resource.FindAllStringSubmatch(string(nc.Rule), -1) {
				if !slices.Contains(names, m[1]) {
					names = append(names, m[1])
				}
			}
			sort.Strings(names)
			out[id] = append(out[id], fmt.Sprintf("%s: %s", filepath.Base(r.Name), strings.Join(names, ", ")))
		}
	}
	return out, nil
}

// allowedControl is one line of controlsAllowFile.
type allowedControl struct {
	envs   []string // nil: every environment
	reason string
}

func readAllowedControls(t *testing.T) map[string]allowedControl {
	t.Helper()
	f, err := os.Open(controlsAllowFile)
	must(t, "open "+controlsAllowFile, err)
	defer f.Close()
	out := map[string]allowedControl{}
	line := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 3 || !strings.HasPrefix(fields[0], "CT.") {
			t.Fatalf("%s:%d: want CONTROL ENVIRONMENTS reason, got %q", controlsAllowFile, line, text)
		}
		a := allowedControl{reason: strings.Join(fields[2:], " ")}
		if fields[1] != "*" {
			a.envs = strings.Split(fields[1], ",")
		}
		if len(a.reason) < 40 {
			t.Errorf("%s:%d: %s: the reason is too thin for a reviewer", controlsAllowFile, line, fields[0])
		}
		if _, dup := out[fields[0]]; dup {
			t.Errorf("%s:%d: %s is listed twice", controlsAllowFile, line, fields[0])
		}
		out[fields[0]] = a
	}
	return out
}

func (a allowedControl) allows(env string) bool { return a.envs == nil || slices.Contains(a.envs, env) }

// controls holds the Control Tower results. cfn-guard takes seconds per
// environment, so TestMain starts it (startControls) as soon as the templates
// exist, and it runs beside the other tests.
var controls struct {
	start   sync.Once
	done    chan struct{}
	failing map[string]map[string][]string
	err     error
}

// startControls runs the Control Tower rules over every environment's
// templates, as synthesized in TestMain, in the background, when npm ci has
// installed them; controlsFailing waits for the result.
func startControls() {
	controls.start.Do(func() {
		controls.done = make(chan struct{})
		binary, rules := cfnGuardPaths()
		go func() {
			defer close(controls.done)
			ids, err := controlIDs(rules)
			if err != nil {
				controls.err = err
				return
			}
			out := map[string]map[string][]string{}
			var (
				mu   sync.Mutex
				wg   sync.WaitGroup
				errs []error
			)
			for name, e := range synth.all {
				var templates []string
				for _, s := range e.stacks {
					templates = append(templates, filepath.Join(e.dir, s.file))
				}
				sort.Strings(templates)
				wg.Go(func() {
					failed, err := failedControls(binary, rules, ids, templates)
					mu.Lock()
					defer mu.Unlock()
					out[name] = failed
					if err != nil {
						errs = append(errs, fmt.Errorf("%s: %w", name, err))
					}
				})
			}
			wg.Wait()
			controls.failing, controls.err = out, errors.Join(errs...)
		}()
	})
}

// controlsFailing returns per environment the failed controls and where they
// fail, skipping the test where npm ci has not installed cfn-guard.
func controlsFailing(t *testing.T) map[string]map[string][]string {
	t.Helper()
	cfnGuard(t)
	startControls()
	<-controls.done
	must(t, "run the Control Tower rules", controls.err)
	return controls.failing
}

// TestControlTowerControls runs every AWS Control Tower proactive control over
// every environment's templates: a control that fails must be allowed, for
// that environment, in controlsAllowFile; an allowed one that passes
// everywhere it is allowed must go. The default environment fails at most the
// README's table.
func TestControlTowerControls(t *testing.T) {
	failing := controlsFailing(t)
	allowed := readAllowedControls(t)
	used := map[string]bool{}
	for env, controls := range failing {
		for id, where := range controls {
			a, ok := allowed[id]
			if !ok || !a.allows(env) {
				t.Errorf("%s fails %s, which %s does not allow there:\n  %s", env, id, controlsAllowFile, strings.Join(where, "\n  "))
				continue
			}
			used[id] = true
		}
		t.Logf("%s: %d controls fail (allowed): %s", env, len(controls), strings.Join(sortedKeys(controls), " "))
	}
	for id := range allowed {
		if !used[id] {
			t.Errorf("%s allows %s, which no environment fails any more: remove it", controlsAllowFile, id)
		}
	}
	// 8 when the check was written; 9 since the public ACL admits the whole
	// ephemeral range (CT.EC2.PR.5). A new failure must raise this on purpose.
	if n := len(failing[stacks.DefaultEnvironment]); n > 9 {
		t.Errorf("the default environment fails %d controls; it failed 9 when this was last reviewed", n)
	}
}

// TestReadmeListsFailingControls: every control that fails in the default
// environment is in the README's table, and the table lists no other.
func TestReadmeListsFailingControls(t *testing.T) {
	failing := controlsFailing(t)[stacks.DefaultEnvironment]
	raw, err := os.ReadFile("../README.md")
	must(t, "read the README", err)
	row := regexp.MustCompile("(?m)^\\| `(CT\\.[A-Z0-9.]+)` \\|")
	var listed []string
	for _, m := range row.FindAllStringSubmatch(string(raw), -1) {
		listed = append(listed, m[1])
	}
	sort.Strings(listed)
	if want := sortedKeys(failing); !slices.Equal(listed, want) {
		t.Errorf("the README's table of failing controls lists %q; the default environment fails %q", listed, want)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

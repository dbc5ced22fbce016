package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/netcheck"
)

// Input is one side of a review: every stack of a cloud assembly, or of a
// directory of templates, with its stage.
type Input struct {
	Dir string // as given
	// Assembly is true for a cloud assembly (a manifest.json), false for a
	// directory of templates, which records no termination protection.
	Assembly bool
	Stacks   []netcheck.StackArtifact // sorted by name

	stages    []netcheck.Stage      // built on first use
	templates replacement.Templates // by stack name, built on first use
}

// Load reads dir, one side of a review. A directory with a manifest.json is
// a cloud assembly (cdk.out, with its nested Stages), read as netcheck
// reads it. A directory without one is a directory of templates, as
// test/testdata holds the golden files: every STACK.template.json in it is
// the stack STACK, and a stack's stage is its name up to the last '-'
// ("prod-Network" is in stage "prod", "project-1-Data" in "project-1"), the
// way this project names its stacks. Anything else is an error that names
// the directory and what is missing or malformed.
func Load(dir string) (*Input, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a cloud assembly or a directory of templates", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		stacks, err := netcheck.ReadAssembly(dir)
		if err != nil {
			return nil, fmt.Errorf("%s is not a readable cloud assembly: %s", dir, strings.TrimPrefix(err.Error(), "netcheck: "))
		}
		return &Input{Dir: dir, Assembly: true, Stacks: stacks}, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s is not a cloud assembly (it has no manifest.json) nor a directory of templates (it has no *.template.json)", dir)
	}
	sort.Strings(files)
	in := &Input{Dir: dir}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var t map[string]any
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("%s is not a CloudFormation template: %w", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".template.json")
		in.Stacks = append(in.Stacks, netcheck.StackArtifact{Name: name, Stage: StageOfStack(name), Template: t})
	}
	sort.Slice(in.Stacks, func(i, j int) bool { return in.Stacks[i].Name < in.Stacks[j].Name })
	return in, nil
}

// StageOfStack is the stage of a stack of a directory of templates: its name
// up to the last '-', or "" (the top level) when it has none.
func StageOfStack(name string) string {
	if i := strings.LastIndex(name, "-"); i > 0 {
		return name[:i]
	}
	return ""
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Stages models each stage of in as netcheck does (netcheck.StagesOf), once.
func (in *Input) Stages() ([]netcheck.Stage, error) {
	if in.stages == nil {
		s, err := netcheck.StagesOf(in.Stacks)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", in.Dir, strings.TrimPrefix(err.Error(), "netcheck: "))
		}
		in.stages = s
	}
	return in.stages, nil
}

func (in *Input) kind() string {
	if in.Assembly {
		return "cloud assembly"
	}
	return "directory of templates"
}

// stack returns the named stack, or nil.
func (in *Input) stack(name string) *netcheck.StackArtifact {
	i := sort.Search(len(in.Stacks), func(i int) bool { return in.Stacks[i].Name >= name })
	if i < len(in.Stacks) && in.Stacks[i].Name == name {
		return &in.Stacks[i]
	}
	return nil
}

// resolved returns body, a resource of stack, with its cross-stack
// references replaced by the values they read (replacement.Resolve).
func (in *Input) resolved(stack string, body map[string]any) map[string]any {
	if in.templates == nil {
		in.templates = replacement.Templates{}
		for _, s := range in.Stacks {
			in.templates[s.Name] = s.Template
		}
	}
	out, _ := replacement.Resolve(in.templates, stack, body).(map[string]any)
	return out
}

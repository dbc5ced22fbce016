package netcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// manifest is the part of a cloud assembly's manifest.json that netcheck reads.
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		DisplayName string `json:"displayName"`
		Environment string `json:"environment"` // aws://account/region
		Properties  struct {
			DirectoryName string `json:"directoryName"` // cdk:cloud-assembly
			TemplateFile  string `json:"templateFile"`  // aws:cloudformation:stack
			StackName     string `json:"stackName"`     // aws:cloudformation:stack
		} `json:"properties"`
	} `json:"artifacts"`
}

// Load reads the cloud assembly in dir (a cdk.out directory): every stack of
// the assembly and of every nested assembly (CDK Stage), then builds the
// model. See LoadTemplates for the stack names.
func Load(dir string) (*Model, error) {
	a, err := readAssembly(dir)
	if err != nil {
		return nil, err
	}
	return build(a.templates, a.regions)
}

// LoadTemplates reads the cloud assembly in dir and returns each stack's
// parsed template by stack name: the artifact's properties.stackName, else its
// displayName, else its artifact id. Every call returns fresh maps, which a
// test may mutate and hand to FromTemplates.
func LoadTemplates(dir string) (map[string]map[string]any, error) {
	a, err := readAssembly(dir)
	if err != nil {
		return nil, err
	}
	return a.templates, nil
}

// assembly is a cloud assembly as read: each stack's template and, when the
// manifest gives it, its region, by stack name.
type assembly struct {
	templates map[string]map[string]any
	regions   map[string]string
}

func readAssembly(dir string) (*assembly, error) {
	a := &assembly{templates: map[string]map[string]any{}, regions: map[string]string{}}
	if err := a.load(dir, 0); err != nil {
		return nil, err
	}
	if len(a.templates) == 0 {
		return nil, fmt.Errorf("netcheck: no CloudFormation stack in the cloud assembly %s", dir)
	}
	return a, nil
}

// region is the region of an artifact's environment, aws://ACCOUNT/REGION,
// or "" when it is not given or unknown-region.
func region(environment string) string {
	rest, ok := strings.CutPrefix(environment, "aws://")
	if !ok {
		return ""
	}
	_, r, _ := strings.Cut(rest, "/")
	if r == "unknown-region" {
		return ""
	}
	return r
}

// maxNesting bounds nested assemblies, so that a manifest naming its own
// directory cannot recurse forever.
const maxNesting = 16

func (a *assembly) load(dir string, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("netcheck: cloud assemblies nested deeper than %d at %s", maxNesting, dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return fmt.Errorf("netcheck: reading the cloud assembly: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("netcheck: %s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		art := m.Artifacts[id]
		switch art.Type {
		case "cdk:cloud-assembly":
			if art.Properties.DirectoryName == "" {
				return fmt.Errorf("netcheck: %s: nested assembly %q has no properties.directoryName", dir, id)
			}
			if err := a.load(filepath.Join(dir, art.Properties.DirectoryName), depth+1); err != nil {
				return err
			}
		case "aws:cloudformation:stack":
			name := art.Properties.StackName
			if name == "" {
				name = art.DisplayName
			}
			if name == "" {
				name = id
			}
			if _, dup := a.templates[name]; dup {
				return fmt.Errorf("netcheck: two stacks named %q in the cloud assembly", name)
			}
			if art.Properties.TemplateFile == "" {
				return fmt.Errorf("netcheck: %s: stack %q has no properties.templateFile", dir, id)
			}
			path := filepath.Join(dir, art.Properties.TemplateFile)
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("netcheck: reading stack %q: %w", name, err)
			}
			var t map[string]any
			if err := json.Unmarshal(data, &t); err != nil {
				return fmt.Errorf("netcheck: %s: %w", path, err)
			}
			a.templates[name] = t
			if r := region(art.Environment); r != "" {
				a.regions[name] = r
			}
		}
	}
	return nil
}

// CloneTemplates returns a deep copy of templates, so that each mutation test
// can start from the same loaded assembly.
func CloneTemplates(templates map[string]map[string]any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(templates))
	for name, t := range templates {
		out[name] = cloneJSON(t).(map[string]any)
	}
	return out
}

func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = cloneJSON(e)
		}
		return s
	default:
		return v
	}
}

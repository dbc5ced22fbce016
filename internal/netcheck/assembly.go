package netcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// manifest is the part of a cloud assembly's manifest.json that netcheck reads.
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		DisplayName string `json:"displayName"`
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
	templates, err := LoadTemplates(dir)
	if err != nil {
		return nil, err
	}
	return FromTemplates(templates)
}

// LoadTemplates reads the cloud assembly in dir and returns each stack's
// parsed template by stack name: the artifact's properties.stackName, else its
// displayName, else its artifact id. Every call returns fresh maps, which a
// test may mutate and hand to FromTemplates.
func LoadTemplates(dir string) (map[string]map[string]any, error) {
	templates := map[string]map[string]any{}
	if err := loadAssembly(dir, templates, 0); err != nil {
		return nil, err
	}
	if len(templates) == 0 {
		return nil, fmt.Errorf("netcheck: no CloudFormation stack in the cloud assembly %s", dir)
	}
	return templates, nil
}

// maxNesting bounds nested assemblies, so that a manifest naming its own
// directory cannot recurse forever.
const maxNesting = 16

func loadAssembly(dir string, templates map[string]map[string]any, depth int) error {
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
		a := m.Artifacts[id]
		switch a.Type {
		case "cdk:cloud-assembly":
			if a.Properties.DirectoryName == "" {
				return fmt.Errorf("netcheck: %s: nested assembly %q has no properties.directoryName", dir, id)
			}
			if err := loadAssembly(filepath.Join(dir, a.Properties.DirectoryName), templates, depth+1); err != nil {
				return err
			}
		case "aws:cloudformation:stack":
			name := a.Properties.StackName
			if name == "" {
				name = a.DisplayName
			}
			if name == "" {
				name = id
			}
			if _, dup := templates[name]; dup {
				return fmt.Errorf("netcheck: two stacks named %q in the cloud assembly", name)
			}
			if a.Properties.TemplateFile == "" {
				return fmt.Errorf("netcheck: %s: stack %q has no properties.templateFile", dir, id)
			}
			path := filepath.Join(dir, a.Properties.TemplateFile)
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("netcheck: reading stack %q: %w", name, err)
			}
			var t map[string]any
			if err := json.Unmarshal(data, &t); err != nil {
				return fmt.Errorf("netcheck: %s: %w", path, err)
			}
			templates[name] = t
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

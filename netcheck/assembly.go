package netcheck

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
			DisplayName   string `json:"displayName"`   // cdk:cloud-assembly: the Stage's path
			TemplateFile  string `json:"templateFile"`  // aws:cloudformation:stack
			StackName     string `json:"stackName"`     // aws:cloudformation:stack
			// TerminationProtection is the stack's, for aws:cloudformation:stack.
			TerminationProtection bool `json:"terminationProtection"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// Stage is one network of a cloud assembly: the stacks of one CDK Stage (a
// nested cloud assembly), or the stacks at the assembly's top level. Each
// stage is modelled on its own, so that environments that reuse the same
// logical ids are never paired with each other.
type Stage struct {
	// Name is the Stage's path as the manifest gives it (the nested
	// assembly's displayName, such as "dev", or "Pipeline/dev" for a Stage
	// inside another), else the nested assembly's artifact id; "" for the
	// stacks at the top level of the assembly.
	Name   string
	Stacks []string // stack names, sorted
	Model  *Model   // the stage's network; Model.Empty when its stacks declare none
}

// LoadStages reads the cloud assembly in dir (a cdk.out directory) and models
// each stage separately: each nested assembly (CDK Stage, at any depth) that
// holds a stack, and the stacks at the top level, if any. Fn::ImportValue and
// Fn::GetStackOutput resolve across every stack of the assembly, by export
// name and by stack name; resources of another stage are not part of a
// stage's network. Stages are sorted by name, the top level first.
func LoadStages(dir string) ([]Stage, error) {
	a, err := readAssembly(dir)
	if err != nil {
		return nil, err
	}
	return a.stages()
}

// StackArtifact is one stack of a cloud assembly, as ReadAssembly returns it.
type StackArtifact struct {
	// Name is the stack name: the artifact's properties.stackName, else its
	// displayName, else its artifact id. Stack names are unique across an
	// assembly.
	Name string
	// Stage is the Name of the Stage (see Stage) that holds the stack.
	Stage string
	// Region is the region of the artifact's environment, "" when the
	// manifest gives none or an unknown region.
	Region string
	// TerminationProtection is the manifest's properties.terminationProtection,
	// which the CDK CLI applies to the stack: templates do not hold it.
	TerminationProtection bool
	Template              map[string]any // the parsed template
}

// ReadAssembly reads every stack of the cloud assembly in dir, and of its
// nested assemblies (Stages), sorted by stack name. Each call returns fresh
// templates, which the caller may mutate. StagesOf models them as LoadStages
// does.
func ReadAssembly(dir string) ([]StackArtifact, error) {
	a, err := readAssembly(dir)
	if err != nil {
		return nil, err
	}
	out := make([]StackArtifact, 0, len(a.templates))
	for stage, stacks := range a.stageStacks {
		for _, name := range stacks {
			out = append(out, StackArtifact{Name: name, Stage: stage, Region: a.regions[name],
				TerminationProtection: a.termination[name], Template: a.templates[name]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// StagesOf models each stage of stacks as a separate network, as LoadStages
// does for an assembly on disk: references resolve across every stack, and
// stages are sorted by name. It is an error for two stacks to share a name,
// or for a stack to have no template.
func StagesOf(stacks []StackArtifact) ([]Stage, error) {
	a := &assembly{templates: map[string]map[string]any{}, regions: map[string]string{}, stageStacks: map[string][]string{}}
	for _, s := range stacks {
		if _, dup := a.templates[s.Name]; dup {
			return nil, fmt.Errorf("netcheck: two stacks named %q", s.Name)
		}
		if s.Template == nil {
			return nil, fmt.Errorf("netcheck: stack %q: no template", s.Name)
		}
		a.templates[s.Name] = s.Template
		if s.Region != "" {
			a.regions[s.Name] = s.Region
		}
		a.stageStacks[s.Stage] = append(a.stageStacks[s.Stage], s.Name)
	}
	return a.stages()
}

func (a *assembly) stages() ([]Stage, error) {
	all, err := indexAssembly(a.templates, a.regions) // once: every stage resolves across all of it
	if err != nil {
		return nil, err
	}
	var out []Stage
	for _, name := range slices.Sorted(maps.Keys(a.stageStacks)) {
		stacks := a.stageStacks[name]
		sort.Strings(stacks)
		scope := map[string]bool{}
		for _, s := range stacks {
			scope[s] = true
		}
		out = append(out, Stage{Name: name, Stacks: stacks, Model: buildIndexed(all.scoped(scope))})
	}
	return out, nil
}

// Load reads the cloud assembly in dir (a cdk.out directory) and returns the
// model of its network: the one stage (see LoadStages) whose stacks declare a
// network. It is an error when several stages do, since each is a separate
// network: use LoadStages. When none does, the model is that of every stack
// (and Check reports the endpoints it lacks). See LoadTemplates for the stack
// names.
func Load(dir string) (*Model, error) {
	a, err := readAssembly(dir)
	if err != nil {
		return nil, err
	}
	stages, err := a.stages()
	if err != nil {
		return nil, err
	}
	var networks []Stage
	for _, s := range stages {
		if !s.Model.Empty() {
			networks = append(networks, s)
		}
	}
	switch len(networks) {
	case 0:
		if len(stages) == 1 {
			return stages[0].Model, nil
		}
		return build(a.templates, a.regions, nil)
	case 1:
		return networks[0].Model, nil
	}
	names := make([]string, len(networks))
	for i, s := range networks {
		names[i] = fmt.Sprintf("%q", s.Name)
	}
	return nil, fmt.Errorf("netcheck: the cloud assembly %s holds %d stages with a network (%s): check them one by one with LoadStages",
		dir, len(networks), strings.Join(names, ", "))
}

// LoadTemplates reads the cloud assembly in dir and returns each stack's
// parsed template by stack name, every stage's: the artifact's
// properties.stackName, else its displayName, else its artifact id. Stack
// names are unique across the assembly. Every call returns fresh maps, which a
// test may mutate and hand to FromTemplates.
func LoadTemplates(dir string) (Templates, error) {
	a, err := readAssembly(dir)
	if err != nil {
		return nil, err
	}
	return a.templates, nil
}

// assembly is a cloud assembly as read: each stack's template and, when the
// manifest gives it, its region, by stack name; and the stacks of each stage.
type assembly struct {
	templates   map[string]map[string]any
	regions     map[string]string
	termination map[string]bool     // stack name -> termination protection
	stageStacks map[string][]string // stage name -> stack names
}

func readAssembly(dir string) (*assembly, error) {
	a := &assembly{templates: map[string]map[string]any{}, regions: map[string]string{},
		termination: map[string]bool{}, stageStacks: map[string][]string{}}
	if err := a.load(dir, "", 0); err != nil {
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

// load reads the assembly in dir, whose stacks belong to stage.
func (a *assembly) load(dir, stage string, depth int) error {
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
			name := art.Properties.DisplayName
			if name == "" {
				name = art.DisplayName
			}
			if name == "" {
				name = id
			}
			if _, dup := a.stageStacks[name]; dup {
				return fmt.Errorf("netcheck: two stages named %q in the cloud assembly", name)
			}
			a.stageStacks[name] = nil
			if err := a.load(filepath.Join(dir, art.Properties.DirectoryName), name, depth+1); err != nil {
				return err
			}
			if len(a.stageStacks[name]) == 0 {
				delete(a.stageStacks, name) // a Stage that only holds other Stages
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
			a.termination[name] = art.Properties.TerminationProtection
			a.stageStacks[stage] = append(a.stageStacks[stage], name)
			if r := region(art.Environment); r != "" {
				a.regions[name] = r
			}
		}
	}
	return nil
}

// Templates are CloudFormation templates by stack name, as encoding/json
// decodes them: a cloud assembly's (LoadTemplates) or a directory's. It is
// the one model of templates that netcheck, the project's review and its
// replacement check read.
type Templates map[string]map[string]any

// Resources returns a template's resources by logical id, leaving out any
// entry that is not an object.
func Resources(template map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := template["Resources"].(map[string]any)
	for id, r := range rs {
		if body, ok := r.(map[string]any); ok {
			out[id] = body
		}
	}
	return out
}

// CloneTemplates returns a deep copy of templates, so that each mutation test
// can start from the same loaded assembly.
func CloneTemplates(templates Templates) Templates {
	out := make(Templates, len(templates))
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

package netcheck

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// resource is one resource of one stack.
type resource struct {
	key   string // "stack/logicalId", unique across the assembly
	stack string
	id    string // logical id
	typ   string
	props map[string]any
}

// prop returns the value of one of the resource's properties.
func (r *resource) prop(name string) value { return value{r.stack, r.props[name]} }

// value is a template value with the stack it is evaluated in: intrinsics
// such as Ref name resources of that stack.
type value struct {
	stack string
	v     any
}

// field returns v.name when v is an object, else an absent value.
func (v value) field(name string) value {
	if m, ok := v.v.(map[string]any); ok {
		return value{v.stack, m[name]}
	}
	return value{v.stack, nil}
}

func (v value) absent() bool { return v.v == nil }

// index holds every resource, output and export of an assembly and resolves
// the intrinsics netcheck understands: Ref, Fn::GetAtt, Fn::ImportValue and
// Fn::GetStackOutput. References resolve across every stack; byType and
// names cover only the stacks of the network being modelled (its scope).
type index struct {
	*assemblyIndex
	byType map[string][]*resource // the scope's, sorted by key
	names  map[string]int         // display name -> how many of the scope's resources share it
	notes  []string
	noted  map[string]bool
}

// assemblyIndex is what every scope of one assembly shares: built once, read
// by the index of each stage.
type assemblyIndex struct {
	resources map[string]*resource   // by key, every stack's
	byStack   map[string][]*resource // stack name -> its resources, sorted by key
	exports   map[string]value       // export name -> the output's Value
	stacks    map[string]*stackInfo  // by stack name
	// stackNotes are what indexing found in each stack, noted when the
	// stack is in scope.
	stackNotes map[string][]string
}

// stackInfo is what Fn::GetStackOutput reads of a stack.
type stackInfo struct {
	region  string           // "" when unknown
	outputs map[string]value // output logical id -> its Value
}

// newIndex indexes templates, keyed by stack name; regions gives the region
// of the stacks whose region is known (nil: none), scope the stacks whose
// resources are modelled (nil: all).
func newIndex(templates map[string]map[string]any, regions map[string]string, scope map[string]bool) (*index, error) {
	a, err := indexAssembly(templates, regions)
	if err != nil {
		return nil, err
	}
	return a.scoped(scope), nil
}

// indexAssembly indexes every stack of templates.
func indexAssembly(templates map[string]map[string]any, regions map[string]string) (*assemblyIndex, error) {
	a := &assemblyIndex{
		resources:  map[string]*resource{},
		byStack:    map[string][]*resource{},
		exports:    map[string]value{},
		stacks:     map[string]*stackInfo{},
		stackNotes: map[string][]string{},
	}
	stacks := make([]string, 0, len(templates))
	for name := range templates {
		stacks = append(stacks, name)
	}
	sort.Strings(stacks)
	for _, stack := range stacks {
		t := templates[stack]
		if t == nil {
			return nil, fmt.Errorf("netcheck: stack %q: no template", stack)
		}
		res, ok := t["Resources"].(map[string]any)
		if !ok && t["Resources"] != nil {
			return nil, fmt.Errorf("netcheck: stack %q: Resources is not an object", stack)
		}
		for id, raw := range res {
			r, ok := raw.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("netcheck: stack %q: resource %s is not an object", stack, id)
			}
			typ, _ := r["Type"].(string)
			if typ == "" {
				return nil, fmt.Errorf("netcheck: stack %q: resource %s has no Type", stack, id)
			}
			props, _ := r["Properties"].(map[string]any)
			if props == nil {
				props = map[string]any{}
			}
			key := stack + "/" + id
			rr := &resource{key: key, stack: stack, id: id, typ: typ, props: props}
			a.resources[key] = rr
			a.byStack[stack] = append(a.byStack[stack], rr)
		}
		sort.Slice(a.byStack[stack], func(i, j int) bool { return a.byStack[stack][i].key < a.byStack[stack][j].key })
		outputs, ok := t["Outputs"].(map[string]any)
		if !ok && t["Outputs"] != nil {
			return nil, fmt.Errorf("netcheck: stack %q: Outputs is not an object", stack)
		}
		info := &stackInfo{region: regions[stack], outputs: map[string]value{}}
		a.stacks[stack] = info
		ids := make([]string, 0, len(outputs))
		for id := range outputs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			out, _ := outputs[id].(map[string]any)
			info.outputs[id] = value{stack, out["Value"]}
			exp, _ := out["Export"].(map[string]any)
			if exp == nil {
				continue
			}
			name, ok := exp["Name"].(string)
			if !ok {
				a.stackNotes[stack] = append(a.stackNotes[stack], fmt.Sprintf(
					"%s/%s: export name is not a literal string: its imports cannot be resolved", stack, id))
				continue
			}
			if _, dup := a.exports[name]; dup {
				return nil, fmt.Errorf("netcheck: export %q is declared twice (stack %q, output %s)", name, stack, id)
			}
			a.exports[name] = value{stack, out["Value"]}
		}
	}
	return a, nil
}

// scoped is the index of the stacks of scope (nil: all), over a.
func (a *assemblyIndex) scoped(scope map[string]bool) *index {
	ix := &index{assemblyIndex: a, byType: map[string][]*resource{}, names: map[string]int{}, noted: map[string]bool{}}
	stacks := make([]string, 0, len(a.byStack))
	for name := range a.stacks {
		if scope == nil || scope[name] {
			stacks = append(stacks, name)
		}
	}
	sort.Strings(stacks)
	for _, stack := range stacks {
		for _, n := range a.stackNotes[stack] {
			ix.note("%s", n)
		}
		for _, r := range a.byStack[stack] {
			ix.byType[r.typ] = append(ix.byType[r.typ], r)
			ix.names[displayName(r.id)]++
		}
	}
	for _, rs := range ix.byType {
		sort.Slice(rs, func(i, j int) bool { return rs[i].key < rs[j].key })
	}
	return ix
}

// note records a limitation met while reading the templates, once.
func (ix *index) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !ix.noted[s] {
		ix.noted[s] = true
		ix.notes = append(ix.notes, s)
	}
}

// name is how reports show a resource: its logical id without CDK's 8-digit
// hash suffix, unless another resource shares that shorter name.
func (ix *index) name(r *resource) string {
	if n := displayName(r.id); ix.names[n] == 1 {
		return n
	}
	return r.id
}

// displayName strips the 8 upper-case hex digits CDK appends to logical ids.
func displayName(id string) string {
	const n = 8
	if len(id) <= n {
		return id
	}
	for _, c := range id[len(id)-n:] {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F') {
			return id
		}
	}
	return id[:len(id)-n]
}

// intrinsic returns the name and argument of a one-key object whose key is
// Ref or Fn::*.
func intrinsic(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, arg, true
		}
	}
	return "", nil, false
}

// deref follows Fn::ImportValue to the exporting stack's output value, and
// Fn::GetStackOutput to the named stack's output value.
func (ix *index) deref(v value) value {
	for range maxNesting {
		fn, arg, ok := intrinsic(v.v)
		if !ok {
			return v
		}
		var next value
		switch fn {
		case "Fn::ImportValue":
			next, ok = ix.importValue(v.stack, arg)
		case "Fn::GetStackOutput":
			next, ok = ix.stackOutput(v.stack, arg)
		default:
			return v
		}
		if !ok {
			return value{v.stack, nil}
		}
		v = next
	}
	return value{v.stack, nil}
}

// importValue resolves the argument of an Fn::ImportValue in stack.
func (ix *index) importValue(stack string, arg any) (value, bool) {
	name, ok := arg.(string)
	if !ok {
		ix.note("%s: Fn::ImportValue of a computed name is not resolved", stack)
		return value{}, false
	}
	exp, ok := ix.exports[name]
	if !ok {
		ix.note("%s: Fn::ImportValue %q: no stack in the assembly exports it", stack, name)
		return value{}, false
	}
	return exp, true
}

// stackOutput resolves the argument of an Fn::GetStackOutput in stack:
// {"StackName": ..., "OutputName": ..., "Region": ...}, Region optional. The
// stack is found by its stack name among every stack of the assembly; a
// literal Region must be the stack's region when that is known.
func (ix *index) stackOutput(stack string, arg any) (value, bool) {
	m, _ := arg.(map[string]any)
	name, ok := m["StackName"].(string)
	output, ok2 := m["OutputName"].(string)
	if !ok || !ok2 {
		ix.note("%s: Fn::GetStackOutput of a computed or missing StackName or OutputName is not resolved", stack)
		return value{}, false
	}
	ref := fmt.Sprintf("Fn::GetStackOutput %s.%s", name, output)
	st, ok := ix.stacks[name]
	if !ok {
		ix.note("%s: %s: no stack named %q in the assembly", stack, ref, name)
		return value{}, false
	}
	if region, ok := m["Region"].(string); ok && st.region != "" && region != st.region {
		ix.note("%s: %s: stack %q is in region %s, not %s: not resolved", stack, ref, name, st.region, region)
		return value{}, false
	}
	out, ok := st.outputs[output]
	if !ok {
		ix.note("%s: %s: stack %q has no output %q", stack, ref, name, output)
		return value{}, false
	}
	return out, true
}

// target returns the resource a Ref or Fn::GetAtt (possibly imported) names,
// or nil.
func (ix *index) target(v value) *resource {
	r, _ := ix.targetAttr(v)
	return r
}

// targetAttr is target plus the Fn::GetAtt attribute ("" for Ref).
func (ix *index) targetAttr(v value) (*resource, string) {
	v = ix.deref(v)
	fn, arg, ok := intrinsic(v.v)
	if !ok {
		return nil, ""
	}
	var id, attr string
	switch fn {
	case "Ref":
		id, _ = arg.(string)
	case "Fn::GetAtt":
		switch a := arg.(type) {
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
	default:
		return nil, ""
	}
	if id == "" {
		return nil, ""
	}
	return ix.resources[v.stack+"/"+id], attr
}

// str resolves v to a literal string: a string, an import of one, or the
// Fn::GetAtt of an attribute that mirrors a literal property of the resource
// (a VPC's CidrBlock, a subnet's AvailabilityZone).
func (ix *index) str(v value) (string, bool) {
	for range maxNesting {
		v = ix.deref(v)
		if s, ok := v.v.(string); ok {
			return s, true
		}
		r, attr := ix.targetAttr(v)
		if r == nil || attr == "" {
			return "", false
		}
		v = r.prop(attr)
	}
	return "", false
}

// num resolves v to an integer: a JSON number or a numeric string.
func (ix *index) num(v value) (int, bool) {
	switch n := ix.deref(v).v.(type) {
	case float64:
		if n != math.Trunc(n) {
			return 0, false
		}
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case int:
		return n, true
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(n))
		return i, err == nil
	}
	return 0, false
}

// flag resolves v to a boolean: true/false or "true"/"false".
func (ix *index) flag(v value) (bool, bool) {
	switch b := ix.deref(v).v.(type) {
	case bool:
		return b, true
	case string:
		p, err := strconv.ParseBool(b)
		return p, err == nil
	}
	return false, false
}

// list resolves v to its elements: a JSON array, an import of one, or
// Fn::Split of an (imported) Fn::Join on the same delimiter, which is how CDK
// passes a list between stacks.
func (ix *index) list(v value) []value {
	v = ix.deref(v)
	if a, ok := v.v.([]any); ok {
		out := make([]value, len(a))
		for i, e := range a {
			out[i] = value{v.stack, e}
		}
		return out
	}
	fn, arg, ok := intrinsic(v.v)
	if !ok || fn != "Fn::Split" {
		return nil
	}
	args, _ := arg.([]any)
	if len(args) != 2 {
		return nil
	}
	delim, _ := args[0].(string)
	joined := ix.deref(value{v.stack, args[1]})
	fn, arg, ok = intrinsic(joined.v)
	if !ok || fn != "Fn::Join" {
		return nil
	}
	jargs, _ := arg.([]any)
	if len(jargs) != 2 || jargs[0] != delim {
		return nil
	}
	return ix.list(value{joined.stack, jargs[1]})
}

// prefix resolves v to an IPv4 CIDR block.
func (ix *index) prefix(v value) (netip.Prefix, bool) {
	s, ok := ix.str(v)
	if !ok {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

// describe names an unresolved value for a note.
func describe(v value) string {
	if v.absent() {
		return "missing"
	}
	if fn, _, ok := intrinsic(v.v); ok {
		return "intrinsic " + fn
	}
	b, err := json.Marshal(v.v)
	if err != nil || len(b) > 60 {
		return fmt.Sprintf("%T", v.v)
	}
	return string(b)
}

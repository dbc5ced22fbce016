package replacement

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/project-1/project-1/netcheck"
)

// Reference is one read, by resources of one stack, of a value that another
// stack outputs: an Fn::ImportValue of its export (a strong reference) or an
// Fn::GetStackOutput of its output (a weak one).
type Reference struct {
	Consumer string // the stack that reads the value
	Producer string // the stack that outputs it
	Output   string // the producer's output, by logical id
	// Export is the export's name, for Fn::ImportValue; "" for Fn::GetStackOutput.
	Export string
	// Uses are where the consumer reads it, "LOGICALID.Property", sorted.
	Uses []string
}

// References lists every cross-stack reference of all, one per consumer
// stack and producer output, sorted by consumer, producer and output. An
// Fn::ImportValue of a name no template exports, and an Fn::GetStackOutput of
// a stack or output that is not in all, are left out.
func References(all Templates) []Reference {
	type key struct{ consumer, producer, output string }
	found := map[key]*Reference{}
	for _, consumer := range slices.Sorted(maps.Keys(all)) {
		for id, r := range netcheck.Resources(all[consumer]) {
			props, _ := r["Properties"].(map[string]any)
			for prop, v := range props {
				walkRefs(v, func(ref map[string]any) {
					producer, output, export, ok := referenced(all, ref)
					if !ok || producer == consumer {
						return
					}
					k := key{consumer, producer, output}
					if found[k] == nil {
						found[k] = &Reference{Consumer: consumer, Producer: producer, Output: output, Export: export}
					}
					use := id + "." + prop
					if !slices.Contains(found[k].Uses, use) {
						found[k].Uses = append(found[k].Uses, use)
					}
				})
			}
		}
	}
	out := make([]Reference, 0, len(found))
	for _, r := range found {
		sort.Strings(r.Uses)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Consumer != b.Consumer {
			return a.Consumer < b.Consumer
		}
		if a.Producer != b.Producer {
			return a.Producer < b.Producer
		}
		return a.Output < b.Output
	})
	return out
}

// walkRefs calls f on every Fn::ImportValue and Fn::GetStackOutput in v.
func walkRefs(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if _, ok := x["Fn::ImportValue"]; ok {
				f(x)
				return
			}
			if _, ok := x["Fn::GetStackOutput"]; ok {
				f(x)
				return
			}
		}
		for _, e := range x {
			walkRefs(e, f)
		}
	case []any:
		for _, e := range x {
			walkRefs(e, f)
		}
	}
}

// referenced names the output a cross-stack reference reads.
func referenced(all Templates, ref map[string]any) (producer, output, export string, ok bool) {
	if arg, isGSO := ref["Fn::GetStackOutput"].(map[string]any); isGSO {
		name, _ := arg["StackName"].(string)
		out, _ := arg["OutputName"].(string)
		if _, found := outputs(all[name])[out]; found {
			return name, out, "", true
		}
		return "", "", "", false
	}
	name, isString := ref["Fn::ImportValue"].(string)
	if !isString {
		return "", "", "", false
	}
	for _, stack := range slices.Sorted(maps.Keys(all)) {
		for id, o := range outputs(all[stack]) {
			if e, _ := o["Export"].(map[string]any); e != nil && e["Name"] == name {
				return stack, id, name, true
			}
		}
	}
	return "", "", "", false
}

// The kinds of Hazard.
const (
	// ExportInUse: a change would modify or delete an export that a deployed
	// stack imports. CloudFormation refuses that ("After another stack
	// imports an output value, you can't delete the stack that is exporting
	// the output value or modify the exported output value": the
	// Fn::ImportValue reference), so the producer's deploy fails and rolls back.
	ExportInUse Kind = "export in use"
	// StaleReference: a change replaces what a deployed stack reads with
	// Fn::GetStackOutput, or changes the output's value. Nothing updates the
	// consumer ("the consuming stack is not automatically updated or
	// notified": the Fn::GetStackOutput reference): it keeps the old value
	// until it deploys again, and when its template does not change, `cdk
	// deploy` skips it.
	StaleReference Kind = "stale reference"
	// OutputGone: a change removes an output that a deployed stack reads with
	// Fn::GetStackOutput, and the consumer's new template no longer reads it.
	// Until the consumer deploys, an update or rollback of it that evaluates
	// the old reference fails; deploy the stage's stacks together.
	OutputGone Kind = "output gone"
	// FormChanged: a create-only property of a consumer keeps its value but
	// changes how it reads it (Fn::GetStackOutput to Fn::ImportValue or back).
	// CloudFormation evaluates Fn::GetStackOutput only while it executes a
	// change set, so a change set may plan the resource's replacement
	// (aws/aws-cdk#38829); only a change set, made with credentials, tells.
	FormChanged Kind = "reference form changed"
)

// Hazard is a cross-stack reference that a change breaks or may break.
type Hazard struct {
	Reference // as deployed (old)
	Kind      Kind
	// Target is the producer's resource that is replaced or deleted (by
	// logical id), when that is what changes the value; "" otherwise.
	Target string
	// ConsumerUnchanged is true when the consumer's template is the same in
	// old and new: `cdk deploy` then skips it as having no changes.
	ConsumerUnchanged bool
	Reason            string // one line
}

// Blocking reports whether the hazard needs a decision: every kind but
// OutputGone and FormChanged, which are shown.
func (h Hazard) Blocking() bool { return h.Kind == ExportInUse || h.Kind == StaleReference }

// CrossStack lists the hazards of changing old into new for the references
// of old, given Compare's changes, sorted by producer, output and consumer.
func CrossStack(old, new Templates, changes []Change) []Hazard {
	gone := map[string]map[string]Kind{} // producer -> logical id -> what happens to it
	for _, c := range changes {
		if c.Kind == PolicyWeakened {
			continue
		}
		if gone[c.Stack] == nil {
			gone[c.Stack] = map[string]Kind{}
		}
		if k, seen := gone[c.Stack][c.LogicalID]; !seen || k == MaybeReplaced {
			gone[c.Stack][c.LogicalID] = c.Kind
		}
	}
	newRefs := map[string]bool{} // consumer + output read with Fn::GetStackOutput in new, whether it exists or not
	for consumer, tpl := range new {
		walkRefs(tpl["Resources"], func(ref map[string]any) {
			if arg, ok := ref["Fn::GetStackOutput"].(map[string]any); ok {
				newRefs[consumer+"\x00"+fmt.Sprint(arg["StackName"])+"\x00"+fmt.Sprint(arg["OutputName"])] = true
			}
		})
	}
	unchanged := map[string]bool{} // consumer -> its template is the same in new; compared once per consumer
	consumerUnchanged := func(consumer string) bool {
		same, seen := unchanged[consumer]
		if !seen {
			same = reflect.DeepEqual(old[consumer], new[consumer])
			unchanged[consumer] = same
		}
		return same
	}
	var out []Hazard
	for _, r := range References(old) {
		h := Hazard{Reference: r, ConsumerUnchanged: consumerUnchanged(r.Consumer)}
		before := outputs(old[r.Producer])[r.Output]
		after, still := outputs(new[r.Producer])[r.Output]
		if still && r.Export != "" {
			e, _ := after["Export"].(map[string]any)
			still = e != nil && e["Name"] == r.Export
		}
		what := "its output " + r.Output
		if r.Export != "" {
			what = "its export " + r.Export
		}
		uses := strings.Join(r.Uses, ", ")
		var change string
		switch {
		case !still:
			change = fmt.Sprintf("%s removes %s", r.Producer, what)
		default:
			ids := map[string]bool{}
			for id, k := range gone[r.Producer] {
				if k != MaybeReplaced {
					ids[id] = true
				}
			}
			if t := refersTo(before["Value"], ids); t != "" {
				h.Target = t
				change = fmt.Sprintf("%s %s %s, the value of %s", r.Producer, gone[r.Producer][t], t, what)
			} else if !reflect.DeepEqual(before["Value"], after["Value"]) {
				change = fmt.Sprintf("%s changes the value of %s: %s -> %s", r.Producer, what, Show(before["Value"]), Show(after["Value"]))
			} else {
				maybe := map[string]bool{}
				for id, k := range gone[r.Producer] {
					if k == MaybeReplaced {
						maybe[id] = true
					}
				}
				if t := refersTo(before["Value"], maybe); t != "" {
					h.Target = t
					change = fmt.Sprintf("%s may replace %s, the value of %s", r.Producer, t, what)
				}
			}
		}
		if change == "" {
			continue
		}
		switch {
		case r.Export != "":
			h.Kind = ExportInUse
			h.Reason = fmt.Sprintf("%s, which %s imports (%s): CloudFormation refuses to change or delete an export while a stack imports it, so %s's deploy fails and rolls back. %s",
				change, r.Consumer, uses, r.Producer, exportFix(!still))
		case !still && !newRefs[r.Consumer+"\x00"+r.Producer+"\x00"+r.Output]:
			h.Kind = OutputGone
			h.Reason = fmt.Sprintf("%s, which the deployed %s reads with Fn::GetStackOutput (%s) and the new one no longer reads: until %s deploys, an update or rollback of it that reads the old output fails; deploy the stage's stacks together",
				change, r.Consumer, uses, r.Consumer)
		default:
			h.Kind = StaleReference
			keeps := "the old value"
			if h.Target != "" {
				keeps = "the old " + h.Target
			}
			skip := fmt.Sprintf("%s reads the new value only when it deploys after %s, and keeps %s until then", r.Consumer, r.Producer, keeps)
			if h.ConsumerUnchanged {
				skip = fmt.Sprintf("%s's template does not change, so `cdk deploy` skips it (\"no changes\") and it keeps using %s", r.Consumer, keeps)
			}
			h.Reason = fmt.Sprintf("%s, which %s reads with Fn::GetStackOutput (%s): nothing updates the consumer; %s", change, r.Consumer, uses, skip)
		}
		out = append(out, h)
	}
	out = append(out, formChanges(old, new)...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Producer != b.Producer {
			return a.Producer < b.Producer
		}
		if a.Output != b.Output {
			return a.Output < b.Output
		}
		return a.Consumer < b.Consumer
	})
	return out
}

func exportFix(removed bool) string {
	if removed {
		return "Keep the export one more deploy (Stack.ExportValue in the producer), deploy the consumer without the import, then remove it."
	}
	return "Move the consumer off the value first (or create the new resource under a new construct id beside the old one), then remove the old one in a later deploy."
}

// formChanges lists the create-only properties of resources that keep their
// value but change how they read it from another stack.
func formChanges(old, new Templates) []Hazard {
	var out []Hazard
	for _, consumer := range slices.Sorted(maps.Keys(old)) {
		newRes := netcheck.Resources(new[consumer])
		for _, id := range slices.Sorted(maps.Keys(netcheck.Resources(old[consumer]))) {
			o, n := netcheck.Resources(old[consumer])[id], newRes[id]
			if n == nil || o["Type"] != n["Type"] {
				continue
			}
			typ, _ := o["Type"].(string)
			op, _ := o["Properties"].(map[string]any)
			np, _ := n["Properties"].(map[string]any)
			for _, p := range schema[typ].Always {
				if reflect.DeepEqual(op[p], np[p]) || refForm(op[p]) == refForm(np[p]) || refForm(op[p]) == "" || refForm(np[p]) == "" {
					continue
				}
				if !reflect.DeepEqual(properties(old, consumer, o)[p], properties(new, consumer, n)[p]) {
					continue // the value changes too: Compare reports it
				}
				out = append(out, Hazard{
					Reference: Reference{Consumer: consumer, Uses: []string{id + "." + p}},
					Kind:      FormChanged,
					Reason: fmt.Sprintf("%s.%s (create-only) keeps its value but reads it with %s instead of %s: a change set may plan %s's replacement (aws/aws-cdk#38829); create one (cdk diff with credentials) before deploying",
						id, p, refForm(np[p]), refForm(op[p]), id),
				})
			}
		}
	}
	return out
}

// refForm is "Fn::ImportValue" or "Fn::GetStackOutput" when v reads a value
// of another stack that way, "mixed" when both, else "".
func refForm(v any) string {
	forms := map[string]bool{}
	walkRefs(v, func(ref map[string]any) {
		for k := range ref {
			forms[k] = true
		}
	})
	switch len(forms) {
	case 0:
		return ""
	case 1:
		for k := range forms {
			return k
		}
	}
	return "mixed"
}

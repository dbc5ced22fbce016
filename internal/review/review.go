package review

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/project-1/project-1/internal/cost"
	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/netcheck"
)

// The sections of a review, the values of Finding.Section.
const (
	Reachability = "reachability" // a flow between the endpoints opens or closes
	Replacement  = "replacement"  // a resource is deleted, replaced or retyped
	Policy       = "policy"       // a protection, high availability or retention is taken away
	Widening     = "widening"     // an IAM statement or security-group rule grants more
)

// ProductionStages are the stages whose lost protections need a decision:
// those of stacks.Environments with Production set (a test in test/ keeps
// the two in step; this package does not import stacks, which needs jsii).
var ProductionStages = []string{"prod"}

// DefaultPorts are the ports every flow between the endpoints is checked on,
// with those of the expected table: netcheck's matrix.
var DefaultPorts = []int{22, 80, 443, 3306, 3389, 8080}

// Options configure Review. The zero value reviews with no expected table,
// no allow list, ProductionStages and DefaultPorts.
type Options struct {
	// Expected is the expected reachability table (netcheck.ParseExpectations):
	// a flow that a change makes contradict it needs a decision, and so does
	// every flow of a new stage that contradicts it.
	Expected []netcheck.Expectation
	// ExpectedFile names the table in messages, e.g. "cmd/netcheck/expected.txt".
	ExpectedFile string
	// Allow covers findings that need a decision, by their AllowKey
	// ("STACK/LOGICALID"), with the reason they are intended. Flows cannot be
	// allowed: change the expected table instead.
	Allow replacement.AllowList
	// Production lists the production stages; nil means ProductionStages.
	Production []string
	// Ports are the ports checked for every pair of endpoints; nil means
	// DefaultPorts. The expected table's ports are always added.
	Ports []int
	// Prices is the price table of each stage's cost section; nil means
	// cost.Prices.
	Prices cost.Table
}

// Report is the result of a review. Its JSON form (WriteJSON) uses the field
// names in the tags, which are stable: see the package documentation.
type Report struct {
	Base      string        `json:"base"`      // BASE's directory, as given
	Head      string        `json:"head"`      // HEAD's directory, as given
	Decisions int           `json:"decisions"` // findings that need a decision and no allow entry covers
	Allowed   int           `json:"allowed"`   // findings that need a decision, covered by the allow list
	Notices   int           `json:"notices"`   // findings to look at that need no decision
	Summary   string        `json:"summary"`   // one line: what the exit status says
	Stages    []StageReport `json:"stages"`    // every stage of BASE or HEAD, by name
	Notes     []string      `json:"notes"`     // what was not compared, and why
}

// StageReport is the review of one stage.
type StageReport struct {
	Name       string    `json:"name"`       // the stage's name; "" for the top level of the assembly
	Status     string    `json:"status"`     // "added", "removed", "changed" or "unchanged"
	Production bool      `json:"production"` // one of Options.Production
	Stacks     []string  `json:"stacks"`     // its stacks, in BASE and HEAD
	Findings   []Finding `json:"findings"`   // by section, then stack and logical id
	// OtherChanges are the resources added, removed or modified that no
	// finding names, as "modified STACK/LOGICALID (TYPE)".
	OtherChanges []string `json:"otherChanges"`
	// Cost is the change of the stage's fixed monthly cost (cost.Compare),
	// nothing to decide; nil when the stage could not be priced (Notes
	// says why).
	Cost *cost.Delta `json:"cost,omitempty"`
}

// Finding is one change that a reviewer looks at.
type Finding struct {
	Section string `json:"section"` // Reachability, Replacement, Policy or Widening
	// Kind is what happens, by section: reachability "opens", "closes",
	// "changes" (some paths open, others close), "unexpected" (a flow of a
	// new stage against the table); replacement "deleted", "replaced", "may
	// be replaced", "type changed", "replaces-every-instance" (an Auto
	// Scaling group's launch template data changes), and for what another stack reads of
	// the stack, "export-in-use" (the deploy fails: an export in use cannot
	// change), "stale-reference" (a consumer keeps the old value),
	// "output-gone", "reference-form"; policy "deletion-protection",
	// "termination-protection", "multi-az", "nat-per-zone",
	// "point-in-time-recovery", "versioning", "retention", "deletion-policy",
	// "update-replace-policy", "subscribers" (a topic loses its last
	// subscription); widening "iam-wildcard", "iam-new-principal",
	// "iam-new-permission", "iam-deny-removed", "iam-managed-policy",
	// "sg-new-rule", "sg-wider-cidr", "sg-wider-ports", "sg-allow-all-egress".
	Kind      string `json:"kind"`
	Stack     string `json:"stack,omitempty"`
	LogicalID string `json:"logicalId,omitempty"`
	Type      string `json:"type,omitempty"`     // the resource type
	Stateful  bool   `json:"stateful,omitempty"` // a type of replacement.Stateful
	Property  string `json:"property,omitempty"` // the property that forces or weakens, e.g. TableName
	Message   string `json:"message"`            // one line
	Flow      *Flow  `json:"flow,omitempty"`     // reachability only
	// Rules are, for a flow, the rules that made the difference: what lets
	// it through now or blocked it before (it opens), what blocks it now or
	// let it through before (it closes).
	Rules   []Rule   `json:"rules,omitempty"`
	Details []string `json:"details,omitempty"` // widening: the new grants or rules
	// Decision reports whether the finding needs a decision, before the
	// allow list is consulted.
	Decision bool `json:"decision"`
	// AllowKey is what an allow entry names to cover the finding
	// ("STACK/LOGICALID", or "STACK/(stack)" for the stack's termination
	// protection); "" when it cannot be allowed.
	AllowKey string `json:"allowKey,omitempty"`
	Allowed  string `json:"allowed,omitempty"` // the allow entry's reason, when one covers it
}

// Flow is a flow between two endpoints on a TCP port.
type Flow struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Port   int    `json:"port"`
	Before string `json:"before"` // netcheck's verdict in BASE: allow, block, partial, unknown; "" in a new stage
	After  string `json:"after"`  // the verdict in HEAD
	// Expected is "allow" or "block" when the expected table has the flow,
	// at ExpectedLine of the table.
	Expected     string `json:"expected,omitempty"`
	ExpectedLine int    `json:"expectedLine,omitempty"`
}

// Rule is one rule that made a flow's difference.
type Rule struct {
	// Change is "allows now", "blocked before", "blocks now" or "allowed
	// before".
	Change string `json:"change"`
	// Code is netcheck's: a netcheck.GrantCode for what allows (ROUTE,
	// NACL_ALLOW, SG_INGRESS, SG_EGRESS), a netcheck.Code for what blocks
	// (NACL_DENY, SG_NO_INGRESS, NO_ROUTE, ...).
	Code      string `json:"code"`
	Resource  string `json:"resource,omitempty"` // "stack/logicalId" of the rule, ACL, groups or route table
	Direction string `json:"direction,omitempty"`
	Number    int    `json:"number,omitempty"` // NACL rule number; inline security-group rule position
	Message   string `json:"message"`
}

// ExitCode is the command's exit status for r: 1 when a finding needs a
// decision that no allow entry covers, else 0.
func (r *Report) ExitCode() int {
	if r.Decisions > 0 {
		return 1
	}
	return 0
}

// Review compares head with base, stage by stage. It fails when the two
// share no stack, since they are then not two versions of one app, or when
// a stage's templates cannot be modelled.
func Review(base, head *Input, opts Options) (*Report, error) {
	common := 0
	for _, s := range head.Stacks {
		if base.stack(s.Name) != nil {
			common++
		}
	}
	if common == 0 {
		return nil, fmt.Errorf("BASE (%s) and HEAD (%s) share no stack, so they are not two versions of one app: BASE has %s; HEAD has %s",
			base.Dir, head.Dir, stackList(base), stackList(head))
	}
	baseStages, err := base.Stages()
	if err != nil {
		return nil, err
	}
	headStages, err := head.Stages()
	if err != nil {
		return nil, err
	}
	production := opts.Production
	if production == nil {
		production = ProductionStages
	}
	rv := &reviewer{base: base, head: head, opts: opts, expected: map[flowKey]netcheck.Expectation{}}
	for _, x := range opts.Expected {
		rv.expected[flowKey{x.From, x.To, x.Port}] = x
	}
	rv.ports = slices.Clone(opts.Ports)
	if rv.ports == nil {
		rv.ports = slices.Clone(DefaultPorts)
	}
	for _, x := range opts.Expected {
		rv.ports = append(rv.ports, x.Port)
	}
	slices.Sort(rv.ports)
	rv.ports = slices.Compact(rv.ports)

	rep := &Report{Base: base.Dir, Head: head.Dir, Stages: []StageReport{}, Notes: []string{}}
	if !base.Assembly || !head.Assembly {
		var which []string
		for _, in := range []struct {
			side string
			in   *Input
		}{{"BASE", base}, {"HEAD", head}} {
			if !in.in.Assembly {
				which = append(which, in.side+" ("+in.in.Dir+")")
			}
		}
		rep.Notes = append(rep.Notes, "termination protection not compared: "+strings.Join(which, " and ")+
			" is a directory of templates, which does not record it")
	}

	// What every stack loses, from the create-only data of #9.
	baseT, headT := replacement.Templates{}, replacement.Templates{}
	for _, s := range base.Stacks {
		baseT[s.Name] = s.Template
	}
	for _, s := range head.Stacks {
		headT[s.Name] = s.Template
	}
	changes := replacement.Compare(baseT, headT)
	hazards := replacement.CrossStack(baseT, headT, changes)

	bs, hs := stageMap(baseStages), stageMap(headStages)
	names := slices.Sorted(maps.Keys(bs))
	for n := range hs {
		if _, ok := bs[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		b, h := bs[name], hs[name]
		sr := StageReport{Name: name, Production: slices.Contains(production, name), Findings: []Finding{}, OtherChanges: []string{}}
		stacks := map[string]bool{}
		for _, st := range []*netcheck.Stage{b, h} {
			if st != nil {
				for _, s := range st.Stacks {
					stacks[s] = true
				}
			}
		}
		sr.Stacks = slices.Sorted(maps.Keys(stacks))
		switch {
		case b == nil:
			sr.Status = "added"
			sr.Findings = append(sr.Findings, rv.newStageFlows(name, h)...)
			n := 0
			for _, s := range h.Stacks {
				n += len(netcheck.Resources(head.stack(s).Template))
			}
			sr.OtherChanges = append(sr.OtherChanges, fmt.Sprintf("new stage: %d stacks, %d resources", len(h.Stacks), n))
		default:
			if h != nil {
				sr.Findings = append(sr.Findings, rv.flows(name, b, h)...)
			}
			for _, c := range changes {
				if stacks[c.Stack] && base.stack(c.Stack) != nil && base.stack(c.Stack).Stage == name {
					sr.Findings = append(sr.Findings, changeFinding(c))
				}
			}
			for _, h := range hazards {
				if stacks[h.Consumer] && base.stack(h.Consumer).Stage == name {
					sr.Findings = append(sr.Findings, hazardFinding(h))
				}
			}
			if h != nil {
				sr.Findings = append(sr.Findings, rv.instanceReplacements(sr.Stacks)...)
				sr.Findings = append(sr.Findings, rv.policy(sr.Production, sr.Stacks)...)
				sr.Findings = append(sr.Findings, rv.widening(sr.Stacks)...)
				sr.OtherChanges = append(sr.OtherChanges, rv.otherChanges(sr.Stacks, sr.Findings)...)
			}
			switch {
			case h == nil:
				sr.Status = "removed"
			case len(sr.Findings) == 0 && len(sr.OtherChanges) == 0:
				sr.Status = "unchanged"
			default:
				sr.Status = "changed"
			}
		}
		sr.Cost = rv.cost(name, rep)
		sortFindings(sr.Findings)
		for i := range sr.Findings {
			f := &sr.Findings[i]
			switch {
			case !f.Decision:
				rep.Notices++
			case f.AllowKey != "" && opts.Allow[f.AllowKey] != "":
				f.Allowed = opts.Allow[f.AllowKey]
				rep.Allowed++
			default:
				rep.Decisions++
			}
		}
		rep.Stages = append(rep.Stages, sr)
	}
	rep.Summary = rep.summary()
	return rep, nil
}

// summary is the report's one-line verdict.
func (r *Report) summary() string {
	var more []string
	if r.Allowed > 0 {
		more = append(more, fmt.Sprintf("%d allowed by the allow list", r.Allowed))
	}
	if r.Notices > 0 {
		more = append(more, fmt.Sprintf("%d more to look at", r.Notices))
	}
	tail := ""
	if len(more) > 0 {
		tail = " (" + strings.Join(more, ", ") + ")"
	}
	if r.Decisions > 0 {
		return fmt.Sprintf("%d %s a decision%s", r.Decisions, plural(r.Decisions, "change needs", "changes need"), tail)
	}
	if r.Allowed+r.Notices > 0 {
		return "no change that needs a decision" + tail
	}
	other := 0
	for _, s := range r.Stages {
		other += len(s.OtherChanges)
	}
	if other == 0 {
		return "no change that needs a decision: nothing to decide, BASE and HEAD have the same resources"
	}
	return fmt.Sprintf("no change that needs a decision: nothing opens or closes, nothing is replaced or deleted, "+
		"no protection is weakened, nothing widens (%d other %s)", other, plural(other, "change", "changes"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func stackList(in *Input) string {
	names := make([]string, 0, len(in.Stacks))
	for _, s := range in.Stacks {
		names = append(names, s.Name)
	}
	if len(names) > 6 {
		names = append(names[:6], fmt.Sprintf("... (%d stacks)", len(in.Stacks)))
	}
	return strings.Join(names, ", ")
}

func stageMap(stages []netcheck.Stage) map[string]*netcheck.Stage {
	out := map[string]*netcheck.Stage{}
	for i := range stages {
		out[stages[i].Name] = &stages[i]
	}
	return out
}

// reviewer holds what every stage's review shares.
type reviewer struct {
	base, head *Input
	opts       Options
	expected   map[flowKey]netcheck.Expectation
	ports      []int
}

type flowKey struct {
	from, to netcheck.Endpoint
	port     int
}

var sectionOrder = map[string]int{Reachability: 0, Replacement: 1, Policy: 2, Widening: 3}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Section != b.Section {
			return sectionOrder[a.Section] < sectionOrder[b.Section]
		}
		if a.Section == Reachability {
			return false // in the order of netcheck's matrix
		}
		if a.Stack != b.Stack {
			return a.Stack < b.Stack
		}
		if a.LogicalID != b.LogicalID {
			return a.LogicalID < b.LogicalID
		}
		return a.Kind < b.Kind
	})
}

// changeFinding turns one of replacement.Compare's changes into a finding:
// a weakened policy is a lost protection; the rest are replacements.
func changeFinding(c replacement.Change) Finding {
	f := Finding{Section: Replacement, Kind: string(c.Kind), Stack: c.Stack, LogicalID: c.LogicalID, Type: c.Type,
		Stateful: c.Stateful, Property: c.Property, Message: c.Reason, Decision: c.Blocking(), AllowKey: c.Stack + "/" + c.LogicalID}
	if c.Kind == replacement.PolicyWeakened {
		f.Section = Policy
		f.Kind = map[string]string{"DeletionPolicy": "deletion-policy", "UpdateReplacePolicy": "update-replace-policy"}[c.Property]
	}
	return f
}

// hazardFinding turns one of replacement.CrossStack's hazards into a
// finding on the producer's resource (or output) that the consumer reads. It
// cannot be allowed: the deploy fails, or the consumer keeps a stale value,
// whatever anyone intends.
func hazardFinding(h replacement.Hazard) Finding {
	f := Finding{Section: Replacement, Kind: hazardKinds[h.Kind], Stack: h.Producer, LogicalID: h.Target,
		Message: h.Reason, Decision: h.Blocking()}
	if f.LogicalID == "" {
		f.LogicalID = h.Output
	}
	if h.Kind == replacement.FormChanged {
		f.Stack, f.LogicalID = h.Consumer, strings.SplitN(h.Uses[0], ".", 2)[0]
		f.Property = strings.SplitN(h.Uses[0], ".", 2)[1]
	}
	return f
}

var hazardKinds = map[replacement.Kind]string{
	replacement.ExportInUse:    "export-in-use",
	replacement.StaleReference: "stale-reference",
	replacement.OutputGone:     "output-gone",
	replacement.FormChanged:    "reference-form",
}

// pair is one resource, in BASE (nil when new) and in HEAD (nil when gone).
type pair struct {
	stack, id string
	typ       string // HEAD's type, else BASE's
	base      map[string]any
	head      map[string]any
}

// pairs lists every resource of the named stacks, sorted by stack and id.
func (rv *reviewer) pairs(stacks []string) []pair {
	var out []pair
	for _, name := range stacks {
		var bt, ht map[string]any
		if s := rv.base.stack(name); s != nil {
			bt = s.Template
		}
		if s := rv.head.stack(name); s != nil {
			ht = s.Template
		}
		br, hr := netcheck.Resources(bt), netcheck.Resources(ht)
		ids := map[string]bool{}
		for id := range br {
			ids[id] = true
		}
		for id := range hr {
			ids[id] = true
		}
		for _, id := range slices.Sorted(maps.Keys(ids)) {
			p := pair{stack: name, id: id, base: br[id], head: hr[id]}
			if p.head != nil {
				p.typ, _ = p.head["Type"].(string)
			} else {
				p.typ, _ = p.base["Type"].(string)
			}
			out = append(out, p)
		}
	}
	return out
}

// otherChanges lists the resources added, removed or modified that no
// finding names.
func (rv *reviewer) otherChanges(stacks []string, findings []Finding) []string {
	named := map[string]bool{}
	for _, f := range findings {
		named[f.Stack+"/"+f.LogicalID] = true
		for _, r := range f.Rules {
			named[r.Resource] = true
		}
	}
	out := []string{}
	for _, p := range rv.pairs(stacks) {
		key := p.stack + "/" + p.id
		if named[key] {
			continue
		}
		what := ""
		switch {
		case p.base == nil:
			what = "added"
		case p.head == nil:
			what = "removed"
		case !sameResource(p.base, p.head):
			what = "modified"
		default:
			continue
		}
		out = append(out, fmt.Sprintf("%s %s (%s)", what, key, p.typ))
	}
	return out
}

// sameResource compares two resource bodies, Metadata aside.
func sameResource(a, b map[string]any) bool {
	for k, v := range a {
		if k != "Metadata" && !reflect.DeepEqual(v, b[k]) {
			return false
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && k != "Metadata" {
			return false
		}
	}
	return true
}

// cost is the change of the named stage's fixed monthly cost, BASE to HEAD.
// A stage that cannot be priced (its region unknown or not in the table)
// gets a note instead: the cost section never fails a review.
func (rv *reviewer) cost(stage string, rep *Report) *cost.Delta {
	prices := rv.opts.Prices
	if prices == nil {
		prices = cost.Prices
	}
	var sides [2]*cost.Stage
	for i, in := range []*Input{rv.base, rv.head} {
		var stacks []netcheck.StackArtifact
		for _, s := range in.Stacks {
			if s.Stage == stage {
				stacks = append(stacks, s)
			}
		}
		if len(stacks) == 0 {
			continue
		}
		st, err := cost.EstimateStage(stage, stacks, prices, cost.DefaultAssumptions())
		if err != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("cost of %s not compared: %s: %v", stageLabel(StageReport{Name: stage}), [2]string{"BASE", "HEAD"}[i], err))
			return nil
		}
		sides[i] = st
	}
	d := cost.Compare(sides[0], sides[1])
	return &d
}

package review

import (
	"fmt"

	"github.com/project-1/project-1/netcheck"
)

// flows compares every flow between the endpoints, on rv.ports, in a stage
// present in BASE and HEAD: a flow whose open paths differ is a finding,
// with the rules that made the difference. It needs a decision when HEAD
// contradicts the expected table.
func (rv *reviewer) flows(stage string, b, h *netcheck.Stage) []Finding {
	if b.Model.Empty() && h.Model.Empty() {
		return nil
	}
	var out []Finding
	for _, from := range netcheck.Endpoints() {
		for _, to := range netcheck.Endpoints() {
			if from == to {
				continue
			}
			for _, port := range rv.ports {
				rb, rh := b.Model.Check(from, to, port), h.Model.Check(from, to, port)
				opened, closed := pathDiff(rb, rh)
				if len(opened) == 0 && len(closed) == 0 {
					continue
				}
				f := rv.flowFinding(from, to, port, &rb, rh)
				switch {
				case len(closed) == 0:
					f.Kind = "opens"
				case len(opened) == 0:
					f.Kind = "closes"
				default:
					f.Kind = "changes"
				}
				f.Rules = flowRules(rb, rh, opened, closed)
				f.Message = fmt.Sprintf("%s -> %s %d %s: %s -> %s", from, to, port, f.Kind, rb.Verdict, rh.Verdict) + f.Message
				out = append(out, f)
			}
		}
	}
	return out
}

// newStageFlows checks every flow of the expected table in a stage that
// only HEAD has: each that contradicts the table needs a decision.
func (rv *reviewer) newStageFlows(stage string, h *netcheck.Stage) []Finding {
	if h.Model.Empty() {
		return nil
	}
	var out []Finding
	for _, x := range rv.opts.Expected {
		r := h.Model.Check(x.From, x.To, x.Port)
		if x.Met(r) {
			continue
		}
		f := rv.flowFinding(x.From, x.To, x.Port, nil, r)
		f.Kind = "unexpected"
		f.Message = fmt.Sprintf("%s -> %s %d is %s in the new stage", x.From, x.To, x.Port, r.Verdict) + f.Message
		if x.Allowed {
			for _, reason := range r.Reasons {
				f.Rules = appendRule(f.Rules, reasonRule("blocks now", reason))
			}
		} else {
			// A flow that must be blocked is open on some path: what lets it through.
			for _, p := range r.Paths {
				if p.Allowed {
					for _, g := range p.Grants {
						f.Rules = appendRule(f.Rules, grantRule("allows now", g))
					}
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// flowFinding starts the finding of a flow: its verdicts and what the
// expected table says. before is nil in a new stage.
func (rv *reviewer) flowFinding(from, to netcheck.Endpoint, port int, before *netcheck.Result, after netcheck.Result) Finding {
	fl := &Flow{From: string(from), To: string(to), Port: port, After: string(after.Verdict)}
	if before != nil {
		fl.Before = string(before.Verdict)
	}
	f := Finding{Section: Reachability, Flow: fl}
	if x, ok := rv.expected[flowKey{from, to, port}]; ok {
		fl.Expected, fl.ExpectedLine = string(x.Verdict()), x.Line
		where := rv.opts.ExpectedFile
		if where == "" {
			where = "the expected table"
		}
		if x.Line > 0 {
			where = fmt.Sprintf("%s line %d", where, x.Line)
		}
		if x.Met(after) {
			f.Message = fmt.Sprintf(", as %s expects (%s)", where, x.Verdict())
		} else {
			f.Decision = true
			f.Message = fmt.Sprintf(", but %s says %s", where, x.Verdict())
		}
	}
	return f
}

// pathDiff returns the paths (by placement pair) that HEAD opens and closes.
func pathDiff(b, h netcheck.Result) (opened, closed []string) {
	bo, ho := openPaths(b), openPaths(h)
	for _, p := range h.Paths {
		if p.Allowed && !bo[p.From+"\x00"+p.To] {
			opened = append(opened, p.From+"\x00"+p.To)
		}
	}
	for _, p := range b.Paths {
		if p.Allowed && !ho[p.From+"\x00"+p.To] {
			closed = append(closed, p.From+"\x00"+p.To)
		}
	}
	return opened, closed
}

func openPaths(r netcheck.Result) map[string]bool {
	out := map[string]bool{}
	for _, p := range r.Paths {
		if p.Allowed {
			out[p.From+"\x00"+p.To] = true
		}
	}
	return out
}

func pathsByKey(r netcheck.Result) map[string]*netcheck.Path {
	out := map[string]*netcheck.Path{}
	for i := range r.Paths {
		p := &r.Paths[i]
		out[p.From+"\x00"+p.To] = p
	}
	return out
}

type grantKey struct {
	code     netcheck.GrantCode
	resource string
	dir      netcheck.Direction
	rule     int
}

func grantSet(p *netcheck.Path) map[grantKey]bool {
	out := map[grantKey]bool{}
	if p != nil {
		for _, g := range p.Grants {
			out[grantKey{g.Code, g.Resource, g.Direction, g.Rule}] = true
		}
	}
	return out
}

// flowRules are the rules that made a flow's difference. For each path that
// opens: the rules that let it through in HEAD and not in BASE, and what
// blocked it in BASE. For each path that closes: what blocks it in HEAD,
// and the rules that let it through in BASE and not in HEAD.
func flowRules(b, h netcheck.Result, opened, closed []string) []Rule {
	bp, hp := pathsByKey(b), pathsByKey(h)
	var out []Rule
	for _, k := range opened {
		was := grantSet(bp[k])
		for _, g := range hp[k].Grants {
			if !was[grantKey{g.Code, g.Resource, g.Direction, g.Rule}] {
				out = appendRule(out, grantRule("allows now", g))
			}
		}
	}
	for _, k := range opened {
		reasons := b.Reasons
		if p := bp[k]; p != nil {
			reasons = p.Reasons
		}
		for _, r := range reasons {
			out = appendRule(out, reasonRule("blocked before", r))
		}
	}
	for _, k := range closed {
		reasons := h.Reasons
		if p := hp[k]; p != nil {
			reasons = p.Reasons
		}
		for _, r := range reasons {
			out = appendRule(out, reasonRule("blocks now", r))
		}
	}
	for _, k := range closed {
		now := grantSet(hp[k])
		for _, g := range bp[k].Grants {
			if !now[grantKey{g.Code, g.Resource, g.Direction, g.Rule}] {
				out = appendRule(out, grantRule("allowed before", g))
			}
		}
	}
	return out
}

func grantRule(change string, g netcheck.Grant) Rule {
	return Rule{Change: change, Code: string(g.Code), Resource: g.Resource, Direction: string(g.Direction), Number: g.Rule, Message: g.Message}
}

func reasonRule(change string, r netcheck.Reason) Rule {
	return Rule{Change: change, Code: string(r.Code), Resource: r.Resource, Direction: string(r.Direction), Number: r.Rule, Message: r.Message}
}

// appendRule adds r unless a rule of the same change, code, resource,
// direction and number is there: the same rule seen on another path.
func appendRule(rules []Rule, r Rule) []Rule {
	for _, x := range rules {
		if x.Change == r.Change && x.Code == r.Code && x.Resource == r.Resource && x.Direction == r.Direction && x.Number == r.Number {
			return rules
		}
	}
	return append(rules, r)
}

package review

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
)

// widening lists the IAM statements and security-group rules of a stage
// present in both BASE and HEAD that grant more in HEAD. Every one needs a
// decision, except a new IAM permission with no wildcard for a principal
// that already had others, which is shown.
func (rv *reviewer) widening(stacks []string) []Finding {
	var out []Finding
	pairs := rv.pairs(stacks)
	for _, p := range pairs {
		if p.head == nil {
			continue
		}
		// A value read from another stack compares by what it reads, so
		// reading the same value another way widens nothing.
		p.head = rv.head.resolved(p.stack, p.head)
		if p.base != nil {
			p.base = rv.base.resolved(p.stack, p.base)
			if sameResource(p.base, p.head) {
				continue
			}
		}
		out = append(out, iamWidening(p)...)
	}
	out = append(out, sgWidening(pairs)...)
	return out
}

// grant is one (principal, action, resource) an IAM statement allows or
// denies, under a condition (canonical JSON, "" for none).
type grant struct {
	principal, action, resource, condition string
}

func (g grant) String() string {
	s := g.action
	if g.resource != "" {
		s += " on " + g.resource
	}
	if g.principal != "" {
		s += " for " + g.principal
	}
	if g.condition != "" {
		s += " if " + g.condition
	}
	return s
}

// iamWidening compares the policy documents of one resource: every object
// with a Statement under its Properties (identity policies, trust policies,
// bucket, key and other resource policies), and a role's, user's or group's
// ManagedPolicyArns.
func iamWidening(p pair) []Finding {
	hp, _ := p.head["Properties"].(map[string]any)
	var bp map[string]any
	if p.base != nil && p.base["Type"] == p.head["Type"] {
		bp, _ = p.base["Properties"].(map[string]any)
	}
	bAllow, bDeny := statements(p.typ, bp)
	hAllow, hDeny := statements(p.typ, hp)
	var out []Finding
	add := func(kind string, decision bool, message string, details []string) {
		out = append(out, Finding{Section: Widening, Kind: kind, Stack: p.stack, LogicalID: p.id, Type: p.typ,
			Message: message, Details: details, Decision: decision, AllowKey: p.stack + "/" + p.id})
	}
	principals := map[string]bool{}
	for _, g := range bAllow {
		principals[g.principal] = true
	}
	var wild, newPrincipal, other []string
	for _, h := range hAllow {
		if covered(h, bAllow) {
			continue
		}
		switch {
		case strings.Contains(h.action, "*") || strings.Contains(h.resource, "*") || strings.Contains(h.principal, "*"):
			wild = append(wild, h.String())
		case !principals[h.principal]:
			newPrincipal = append(newPrincipal, h.String())
		default:
			other = append(other, h.String())
		}
	}
	for _, l := range [][]string{wild, newPrincipal, other} {
		slices.Sort(l)
	}
	if len(wild) > 0 {
		add("iam-wildcard", true, fmt.Sprintf("%d new %s with a wildcard (*)", len(wild), plural(len(wild), "grant", "grants")), wild)
	}
	if len(newPrincipal) > 0 {
		add("iam-new-principal", true, fmt.Sprintf("%d new %s to a principal it did not grant to", len(newPrincipal), plural(len(newPrincipal), "grant", "grants")), newPrincipal)
	}
	if len(other) > 0 {
		add("iam-new-permission", false, fmt.Sprintf("%d new %s", len(other), plural(len(other), "permission", "permissions")), other)
	}
	var denies []string
	for _, d := range bDeny {
		if !slices.Contains(hDeny, d) {
			denies = append(denies, d.String())
		}
	}
	if len(denies) > 0 {
		add("iam-deny-removed", true, fmt.Sprintf("%d %s no longer denied", len(denies), plural(len(denies), "grant", "grants")), denies)
	}
	switch p.typ {
	case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
		was := map[string]bool{}
		for _, a := range list(bp["ManagedPolicyArns"]) {
			was[canonical(a)] = true
		}
		var added []string
		for _, a := range list(hp["ManagedPolicyArns"]) {
			if !was[canonical(a)] {
				added = append(added, canonical(a))
			}
		}
		if len(added) > 0 {
			add("iam-managed-policy", true, fmt.Sprintf("%d managed %s attached", len(added), plural(len(added), "policy", "policies")), added)
		}
	}
	return out
}

// statements returns the allow and deny grants of every policy document in
// props. A statement without Principal grants to the identities the
// document is attached to: a policy's Roles, Users and Groups, or the role,
// user or group that holds it inline ("(this resource)").
func statements(typ string, props map[string]any) (allow, deny []grant) {
	var attached []string
	switch typ {
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
		for _, k := range []string{"Roles", "Users", "Groups"} {
			for _, v := range list(props[k]) {
				attached = append(attached, strings.TrimSuffix(k, "s")+":"+canonical(v))
			}
		}
	default:
		attached = []string{"(this resource)"}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if st, ok := x["Statement"]; ok {
				for _, s := range list(st) {
					if m, ok := s.(map[string]any); ok {
						a, d := statement(m, attached)
						allow, deny = append(allow, a...), append(deny, d...)
					}
				}
				return
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(props)
	return allow, deny
}

// statement expands one statement into its grants.
func statement(s map[string]any, attached []string) (allow, deny []grant) {
	principals := attached
	if p, ok := s["Principal"]; ok {
		principals = principalList(p, "")
	} else if p, ok := s["NotPrincipal"]; ok {
		principals = principalList(p, "NOT ")
	}
	actions := strs(s["Action"], "")
	if a, ok := s["NotAction"]; ok {
		actions = strs(a, "NOT ")
	}
	resources := strs(s["Resource"], "")
	if r, ok := s["NotResource"]; ok {
		resources = strs(r, "NOT ")
	}
	if len(resources) == 0 {
		resources = []string{""} // a trust policy names no resource
	}
	cond := ""
	if c, ok := s["Condition"]; ok {
		cond = canonical(c)
	}
	var out []grant
	for _, p := range principals {
		for _, a := range actions {
			for _, r := range resources {
				out = append(out, grant{p, a, r, cond})
			}
		}
	}
	if s["Effect"] == "Deny" {
		return nil, out
	}
	return out, nil
}

func principalList(p any, prefix string) []string {
	if s, ok := p.(string); ok {
		return []string{prefix + s}
	}
	m, ok := p.(map[string]any)
	if !ok {
		return []string{prefix + canonical(p)}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		for _, v := range list(m[k]) {
			out = append(out, prefix+k+":"+canonical(v))
		}
	}
	return out
}

func strs(v any, prefix string) []string {
	var out []string
	for _, e := range list(v) {
		out = append(out, prefix+canonical(e))
	}
	return out
}

// list is v as a list: itself, a one-element list, or none.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

// canonical is a string as itself, anything else as compact JSON with
// sorted keys.
func canonical(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// covered reports whether a grant of base already allows h: the same or a
// wider principal, action and resource (IAM's wildcards), with no condition
// or the same one.
func covered(h grant, base []grant) bool {
	for _, b := range base {
		if b.condition != "" && b.condition != h.condition {
			continue
		}
		if (b.principal == h.principal || b.principal == "*" || b.principal == "AWS:*") &&
			glob(strings.ToLower(b.action), strings.ToLower(h.action)) && (b.resource == h.resource || glob(b.resource, h.resource)) {
			return true
		}
	}
	return false
}

// glob matches IAM's * and ? wildcards, on plain strings only.
func glob(pattern, s string) bool {
	if strings.HasPrefix(pattern, "{") || strings.HasPrefix(s, "{") || strings.HasPrefix(pattern, "NOT ") || strings.HasPrefix(s, "NOT ") {
		return pattern == s
	}
	pattern = strings.NewReplacer(`\`, `\\`, `[`, `\[`).Replace(pattern)
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// sgRule is one security-group rule: of a group, in a direction, with a
// protocol, ports and peer.
type sgRule struct {
	stack, id string // the resource that holds it: the group (inline) or the standalone rule
	typ       string
	group     string // "stack/logicalId" of the group, or its reference as JSON
	egress    bool
	proto     string // "-1" (all), "tcp", "udp", "icmp", or a number
	from, to  int
	peer      string // "cidr:10.0.0.0/16", "cidr6:...", "sg:stack/id", "pl:..."
}

func (r sgRule) String() string {
	prep := "from"
	if r.egress {
		prep = "to"
	}
	return fmt.Sprintf("%s of security group %s: %s %s %s", r.direction(), r.group, r.ports(), prep, showPeer(r.peer))
}

func (r sgRule) direction() string {
	if r.egress {
		return "egress"
	}
	return "ingress"
}

// ports shows the rule's protocol and ports: "TCP 80", "TCP 1024-65535",
// "all traffic".
func (r sgRule) ports() string {
	if r.proto == "-1" {
		return "all traffic"
	}
	p := strings.ToUpper(r.proto) + " " + strconv.Itoa(r.from)
	if r.to != r.from {
		p += "-" + strconv.Itoa(r.to)
	}
	return p
}

// showPeer is a rule's peer for a message.
func showPeer(peer string) string {
	for _, p := range [][2]string{{"cidr:", ""}, {"cidr6:", ""}, {"sg:", "security group "}, {"pl:", "prefix list "}} {
		if rest, ok := strings.CutPrefix(peer, p[0]); ok {
			return p[1] + rest
		}
	}
	return peer
}

// sgRules collects the security-group rules of one side's resources:
// inline in AWS::EC2::SecurityGroup, and standalone ingress and egress.
func sgRules(pairs []pair, head bool) (rules []sgRule, inlineEgress map[string]int) {
	inlineEgress = map[string]int{}
	for _, p := range pairs {
		r := p.base
		if head {
			r = p.head
		}
		if r == nil {
			continue
		}
		typ, _ := r["Type"].(string)
		props, _ := r["Properties"].(map[string]any)
		switch typ {
		case "AWS::EC2::SecurityGroup":
			group := p.stack + "/" + p.id
			for _, x := range list(props["SecurityGroupIngress"]) {
				rules = append(rules, newSGRule(p, typ, group, false, x))
			}
			egress := list(props["SecurityGroupEgress"])
			inlineEgress[group] = len(egress)
			for _, x := range egress {
				rules = append(rules, newSGRule(p, typ, group, true, x))
			}
		case "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress":
			rules = append(rules, newSGRule(p, typ, groupRef(p.stack, props["GroupId"]), typ == "AWS::EC2::SecurityGroupEgress", props))
		}
	}
	return rules, inlineEgress
}

// groupRef names a group a rule refers to: "stack/logicalId" for a Ref or
// Fn::GetAtt in the same stack, else the reference as JSON.
func groupRef(stack string, v any) string {
	if m, ok := v.(map[string]any); ok {
		if id, ok := m["Ref"].(string); ok {
			return stack + "/" + id
		}
		if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 {
			if id, ok := att[0].(string); ok {
				return stack + "/" + id
			}
		}
	}
	return canonical(v)
}

func newSGRule(p pair, typ, group string, egress bool, v any) sgRule {
	m, _ := v.(map[string]any)
	r := sgRule{stack: p.stack, id: p.id, typ: typ, group: group, egress: egress, from: 0, to: 65535}
	proto := strings.ToLower(canonical(m["IpProtocol"]))
	r.proto = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}[proto]
	if r.proto == "" {
		r.proto = proto
	}
	if n, ok := daysOf(m["FromPort"], -1); ok && n >= 0 {
		r.from = int(n)
	}
	if n, ok := daysOf(m["ToPort"], -1); ok && n >= 0 {
		r.to = int(n)
	}
	peerGroup := "SourceSecurityGroupId"
	if egress {
		peerGroup = "DestinationSecurityGroupId"
	}
	switch {
	case m["CidrIp"] != nil:
		r.peer = "cidr:" + canonical(m["CidrIp"])
	case m["CidrIpv6"] != nil:
		r.peer = "cidr6:" + canonical(m["CidrIpv6"])
	case m[peerGroup] != nil:
		r.peer = "sg:" + groupRef(p.stack, m[peerGroup])
	case m["SourceSecurityGroupName"] != nil:
		r.peer = "sg:" + canonical(m["SourceSecurityGroupName"])
	case m["SourcePrefixListId"] != nil:
		r.peer = "pl:" + canonical(m["SourcePrefixListId"])
	case m["DestinationPrefixListId"] != nil:
		r.peer = "pl:" + canonical(m["DestinationPrefixListId"])
	default:
		r.peer = "?"
	}
	return r
}

// covers reports whether b allows everything h does, in the same group and
// direction.
func (b sgRule) covers(h sgRule) bool {
	if b.group != h.group || b.egress != h.egress {
		return false
	}
	if b.proto != "-1" && (b.proto != h.proto || b.from > h.from || b.to < h.to) {
		return false
	}
	return b.peer == h.peer || cidrContains(b.peer, h.peer)
}

func cidrContains(outer, inner string) bool {
	o, ok1 := strings.CutPrefix(outer, "cidr:")
	i, ok2 := strings.CutPrefix(inner, "cidr:")
	if !ok1 || !ok2 {
		return false
	}
	op, err1 := netip.ParsePrefix(o)
	ip, err2 := netip.ParsePrefix(i)
	return err1 == nil && err2 == nil && op.Bits() <= ip.Bits() && op.Contains(ip.Addr())
}

// sgWidening lists the rules of HEAD that no rule of BASE covers, and the
// groups that lose their last inline egress rule, so that CloudFormation
// gives them allow-all egress.
func sgWidening(pairs []pair) []Finding {
	bRules, bEgress := sgRules(pairs, false)
	hRules, hEgress := sgRules(pairs, true)
	var out []Finding
	for _, h := range hRules {
		if slices.ContainsFunc(bRules, func(b sgRule) bool { return b.covers(h) }) {
			continue
		}
		rule := h.String()
		if h.stack+"/"+h.id == h.group {
			rule = strings.TrimPrefix(rule, h.direction()+" of security group "+h.group+": ")
			rule = h.direction() + " " + rule
		}
		kind, msg := "sg-new-rule", "new rule: "+rule
		var narrower []string // what BASE had for the same peer
		for _, b := range bRules {
			if b.group != h.group || b.egress != h.egress {
				continue
			}
			if b.proto == h.proto && b.from == h.from && b.to == h.to && cidrContains(h.peer, b.peer) {
				kind, msg = "sg-wider-cidr", fmt.Sprintf("wider CIDR: %s (was %s)", rule, showPeer(b.peer))
				break
			}
			if b.peer == h.peer {
				kind = "sg-wider-ports"
				narrower = append(narrower, b.ports())
			}
		}
		if kind == "sg-wider-ports" {
			msg = fmt.Sprintf("more ports: %s (it had %s for that peer)", rule, strings.Join(narrower, ", "))
		}
		out = append(out, Finding{Section: Widening, Kind: kind, Stack: h.stack, LogicalID: h.id, Type: h.typ,
			Message: msg, Decision: true, AllowKey: h.stack + "/" + h.id})
	}
	for _, p := range pairs {
		group := p.stack + "/" + p.id
		if p.typ != "AWS::EC2::SecurityGroup" || p.base == nil || p.head == nil {
			continue
		}
		if bEgress[group] > 0 && hEgress[group] == 0 {
			out = append(out, Finding{Section: Widening, Kind: "sg-allow-all-egress", Stack: p.stack, LogicalID: p.id, Type: p.typ,
				Property: "SecurityGroupEgress",
				Message:  "the group no longer declares inline egress rules, so CloudFormation gives it allow-all egress",
				Decision: true, AllowKey: group})
		}
	}
	return out
}

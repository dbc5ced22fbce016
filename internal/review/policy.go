package review

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/netcheck"
)

// policy lists the protections, high availability and retention that HEAD
// takes away from a stage present in both: deletion protection (RDS
// instances and clusters, DynamoDB tables, load balancers), the stacks'
// termination protection, Multi-AZ, a NAT gateway per zone, point-in-time
// recovery, bucket versioning, and retention shortened (log groups, the
// CDK's LogRetention, backups, point-in-time recovery periods, bucket
// lifecycle expirations). It compares literal values only. A loss in a
// production stage needs a decision; elsewhere it is shown.
func (rv *reviewer) policy(production bool, stacks []string) []Finding {
	var out []Finding
	add := func(kind string, p pair, property, message string) {
		out = append(out, Finding{Section: Policy, Kind: kind, Stack: p.stack, LogicalID: p.id, Type: p.typ,
			Property: property, Message: message, Decision: production, AllowKey: p.stack + "/" + p.id})
	}
	if rv.base.Assembly && rv.head.Assembly {
		for _, name := range stacks {
			b, h := rv.base.stack(name), rv.head.stack(name)
			if b != nil && h != nil && b.TerminationProtection && !h.TerminationProtection {
				out = append(out, Finding{Section: Policy, Kind: "termination-protection", Stack: name,
					Property: "terminationProtection", Message: "the stack's termination protection: on -> off",
					Decision: production, AllowKey: name + "/(stack)"})
			}
		}
	}
	for _, p := range rv.pairs(stacks) {
		if p.base == nil || p.head == nil || p.base["Type"] != p.head["Type"] {
			continue // new, deleted or retyped: not a weakening in place
		}
		bp, _ := p.base["Properties"].(map[string]any)
		hp, _ := p.head["Properties"].(map[string]any)
		lost := func(kind, path string) {
			if on(field(bp, path)) && !on(field(hp, path)) {
				add(kind, p, path, fmt.Sprintf("%s: %s -> %s", path, replacement.Show(field(bp, path)), replacement.Show(field(hp, path))))
			}
		}
		shorter := func(path string, unset days) {
			b, okb := daysOf(field(bp, path), unset)
			h, okh := daysOf(field(hp, path), unset)
			if okb && okh && h.shorter(b) {
				add("retention", p, path, fmt.Sprintf("%s: %s -> %s", path, b, h))
			}
		}
		switch p.typ {
		case "AWS::RDS::DBInstance", "AWS::RDS::DBCluster":
			lost("deletion-protection", "DeletionProtection")
			if p.typ == "AWS::RDS::DBInstance" {
				lost("multi-az", "MultiAZ")
			}
			shorter("BackupRetentionPeriod", 1)
		case "AWS::DynamoDB::Table":
			lost("deletion-protection", "DeletionProtectionEnabled")
			lost("point-in-time-recovery", "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled")
			if on(field(hp, "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled")) {
				shorter("PointInTimeRecoverySpecification.RecoveryPeriodInDays", 35)
			}
		case "AWS::ElasticLoadBalancingV2::LoadBalancer":
			const attr = "deletion_protection.enabled"
			if on(lbAttribute(bp, attr)) && !on(lbAttribute(hp, attr)) {
				add("deletion-protection", p, "LoadBalancerAttributes "+attr,
					fmt.Sprintf("LoadBalancerAttributes %s: %s -> %s", attr, replacement.Show(lbAttribute(bp, attr)), replacement.Show(lbAttribute(hp, attr))))
			}
		case "AWS::S3::Bucket":
			const path = "VersioningConfiguration.Status"
			if field(bp, path) == "Enabled" && field(hp, path) != "Enabled" {
				add("versioning", p, path, fmt.Sprintf("%s: %s -> %s", path, replacement.Show(field(bp, path)), replacement.Show(field(hp, path))))
			}
			for _, l := range lifecycleLosses(bp, hp) {
				add("retention", p, l[0], l[1])
			}
		case "AWS::Logs::LogGroup", "Custom::LogRetention":
			shorter("RetentionInDays", forever)
		}
	}
	if f, ok := rv.natPerZone(stacks, production); ok {
		out = append(out, f)
	}
	out = append(out, rv.lostSubscribers(stacks, production)...)
	return out
}

// lostSubscribers reports each SNS topic that keeps existing in HEAD but
// loses its last subscription: whatever notifies it (alarms, the Auto
// Scaling group) then reaches no one. A deploy of a non-production
// environment without -c alarmEmail does exactly that to a confirmed
// subscription.
func (rv *reviewer) lostSubscribers(stacks []string, production bool) []Finding {
	var out []Finding
	for _, name := range stacks {
		b, h := rv.base.stack(name), rv.head.stack(name)
		if b == nil || h == nil {
			continue
		}
		before, after := subscriptions(b.Template), subscriptions(h.Template)
		hr := netcheck.Resources(h.Template)
		for _, topic := range slices.Sorted(maps.Keys(before)) {
			if hr[topic] == nil || len(after[topic]) > 0 {
				continue
			}
			out = append(out, Finding{Section: Policy, Kind: "subscribers", Stack: name, LogicalID: topic, Type: "AWS::SNS::Topic",
				Message: fmt.Sprintf("the topic loses its last subscription (%s): every alarm and notification it carries reaches no one",
					strings.Join(before[topic], ", ")),
				Decision: production, AllowKey: name + "/" + topic})
		}
	}
	return out
}

// subscriptions lists each topic's subscriptions of a template, by the
// topic's logical id, as "PROTOCOL ENDPOINT".
func subscriptions(t map[string]any) map[string][]string {
	out := map[string][]string{}
	rs := netcheck.Resources(t)
	for _, id := range slices.Sorted(maps.Keys(rs)) {
		r := rs[id]
		if r["Type"] != "AWS::SNS::Subscription" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		topic, _ := field(props, "TopicArn.Ref").(string)
		if topic == "" {
			continue
		}
		endpoint, ok := props["Endpoint"].(string)
		if !ok {
			endpoint = replacement.Show(props["Endpoint"])
		}
		out[topic] = append(out[topic], fmt.Sprint(props["Protocol"], " ", endpoint))
	}
	return out
}

// natPerZone reports when HEAD keeps NAT gateways in fewer zones than BASE.
func (rv *reviewer) natPerZone(stacks []string, production bool) (Finding, bool) {
	type nat struct{ stack, id, zone string }
	zones := func(in *Input) map[string][]nat {
		out := map[string][]nat{}
		for _, name := range stacks {
			s := in.stack(name)
			if s == nil {
				continue
			}
			rs := netcheck.Resources(s.Template)
			for _, id := range slices.Sorted(maps.Keys(rs)) {
				r := rs[id]
				if r["Type"] != "AWS::EC2::NatGateway" {
					continue
				}
				props, _ := r["Properties"].(map[string]any)
				ref, _ := field(props, "SubnetId.Ref").(string)
				subnet, _ := rs[ref]["Properties"].(map[string]any)
				if zone, ok := field(subnet, "AvailabilityZone").(string); ok {
					out[zone] = append(out[zone], nat{name, id, zone})
				}
			}
		}
		return out
	}
	b, h := zones(rv.base), zones(rv.head)
	if len(h) >= len(b) {
		return Finding{}, false
	}
	var lost []string
	var first nat
	for _, z := range slices.Sorted(maps.Keys(b)) {
		if _, ok := h[z]; !ok {
			lost = append(lost, z)
			if first.id == "" {
				first = b[z][0]
			}
		}
	}
	if first.id == "" { // the same zones, fewer of them in HEAD cannot be
		return Finding{}, false
	}
	return Finding{Section: Policy, Kind: "nat-per-zone", Stack: first.stack, LogicalID: first.id, Type: "AWS::EC2::NatGateway",
		Message: fmt.Sprintf("NAT gateways in %d zones -> %d: %s no longer %s its own, so its private subnets depend on another zone's",
			len(b), len(h), strings.Join(lost, ", "), plural(len(lost), "has", "have")),
		Decision: production, AllowKey: first.stack + "/" + first.id}, true
}

// field returns the value at a dotted path of nested objects, or nil.
func field(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// on reports whether a literal is true or "true".
func on(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		t, _ := strconv.ParseBool(b)
		return t
	}
	return false
}

func lbAttribute(props map[string]any, key string) any {
	attrs, _ := props["LoadBalancerAttributes"].([]any)
	for _, a := range attrs {
		if m, ok := a.(map[string]any); ok && m["Key"] == key {
			return m["Value"]
		}
	}
	return nil
}

// days is a retention in days; forever (-1) is none set: kept for ever.
type days int

const forever days = -1

func (d days) String() string {
	if d == forever {
		return "kept for ever"
	}
	return fmt.Sprintf("%d days", int(d))
}

func (d days) shorter(than days) bool {
	return d != forever && (than == forever || d < than)
}

// daysOf reads a literal number of days; unset when absent. A value that is
// not a literal number (an intrinsic) is not compared.
func daysOf(v any, unset days) (days, bool) {
	switch n := v.(type) {
	case nil:
		return unset, true
	case float64:
		if n == math.Trunc(n) {
			return days(n), true
		}
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return days(i), true
		}
	}
	return 0, false
}

// lifecycleLosses compares a bucket's lifecycle rules, matched by Id (by
// position when a rule has none): an expiration of current or noncurrent
// versions that comes sooner, or appears, shortens what the bucket keeps.
// Each loss is the property and the message.
func lifecycleLosses(bp, hp map[string]any) [][2]string {
	rules := func(props map[string]any) map[string]map[string]any {
		out := map[string]map[string]any{}
		list, _ := field(props, "LifecycleConfiguration.Rules").([]any)
		for i, r := range list {
			m, ok := r.(map[string]any)
			if !ok || m["Status"] == "Disabled" {
				continue
			}
			id, _ := m["Id"].(string)
			if id == "" {
				id = fmt.Sprintf("#%d", i+1)
			}
			out[id] = m
		}
		return out
	}
	b, h := rules(bp), rules(hp)
	var out [][2]string
	for _, id := range slices.Sorted(maps.Keys(h)) {
		for _, path := range []string{"ExpirationInDays", "NoncurrentVersionExpiration.NoncurrentDays", "NoncurrentVersionExpirationInDays"} {
			hd, okh := daysOf(field(h[id], path), forever)
			bd, okb := daysOf(field(b[id], path), forever)
			if okh && okb && hd.shorter(bd) {
				prop := fmt.Sprintf("LifecycleConfiguration.Rules[%s].%s", id, path)
				out = append(out, [2]string{prop, fmt.Sprintf("%s: %s -> %s", prop, bd, hd)})
			}
		}
	}
	return out
}

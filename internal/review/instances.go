package review

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/project-1/project-1/netcheck"
)

// InstancesReplaced is the kind of finding for an Auto Scaling group whose
// launch template's data changes: a new image, user data, instance type or
// anything else of LaunchTemplateData. CloudFormation creates a new version
// of the template, the group references it, and its rolling update replaces
// every instance. It is shown, with nothing to decide: an image refresh is
// meant to do this, but no reviewer should find it out from the fleet.
const InstancesReplaced = "replaces-every-instance"

// instanceReplacements lists, for the named stacks, each Auto Scaling group
// of BASE and HEAD whose launch template (by Ref or Fn::GetAtt, directly or
// through a mixed-instances policy) has different LaunchTemplateData in HEAD.
func (rv *reviewer) instanceReplacements(stacks []string) []Finding {
	var out []Finding
	for _, name := range stacks {
		b, h := rv.base.stack(name), rv.head.stack(name)
		if b == nil || h == nil {
			continue
		}
		br, hr := netcheck.Resources(b.Template), netcheck.Resources(h.Template)
		for _, id := range slices.Sorted(maps.Keys(hr)) {
			group := hr[id]
			if group["Type"] != "AWS::AutoScaling::AutoScalingGroup" || br[id] == nil {
				continue
			}
			for _, lt := range launchTemplatesOf(group, hr) {
				before, after := launchTemplateData(br[lt]), launchTemplateData(hr[lt])
				if before == nil || after == nil || reflect.DeepEqual(before, after) {
					continue
				}
				out = append(out, Finding{Section: Replacement, Kind: InstancesReplaced, Stack: name, LogicalID: id,
					Type: "AWS::AutoScaling::AutoScalingGroup", Property: "LaunchTemplateData",
					Message: fmt.Sprintf("replaces every instance: the launch template %s changes (%s), so the group's rolling update replaces each of its instances with one of the new version",
						lt, dataChanges(before, after))})
			}
		}
	}
	return out
}

// launchTemplatesOf are the logical ids of the launch templates of template
// resources that group launches from.
func launchTemplatesOf(group map[string]any, res map[string]map[string]any) []string {
	p, _ := group["Properties"].(map[string]any)
	var specs []any
	specs = append(specs, p["LaunchTemplate"])
	if mixed, ok := p["MixedInstancesPolicy"].(map[string]any); ok {
		if lt, ok := mixed["LaunchTemplate"].(map[string]any); ok {
			specs = append(specs, lt["LaunchTemplateSpecification"])
		}
	}
	seen := map[string]bool{}
	for _, s := range specs {
		spec, _ := s.(map[string]any)
		for _, id := range refTargets(spec["LaunchTemplateId"]) {
			if r := res[id]; r != nil && r["Type"] == "AWS::EC2::LaunchTemplate" {
				seen[id] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// refTargets are the logical ids v names with Ref or Fn::GetAtt.
func refTargets(v any) []string {
	m, _ := v.(map[string]any)
	if r, ok := m["Ref"].(string); ok {
		return []string{r}
	}
	if g, ok := m["Fn::GetAtt"].([]any); ok && len(g) > 0 {
		return []string{fmt.Sprint(g[0])}
	}
	return nil
}

func launchTemplateData(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	d, _ := p["LaunchTemplateData"].(map[string]any)
	return d
}

// dataChanges names the keys of LaunchTemplateData that differ, with the
// values of ImageId and InstanceType when they are literals.
func dataChanges(before, after map[string]any) string {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if reflect.DeepEqual(before[k], after[k]) {
			continue
		}
		b, bok := before[k].(string)
		a, aok := after[k].(string)
		if bok && aok {
			out = append(out, fmt.Sprintf("%s %s -> %s", k, b, a))
		} else {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

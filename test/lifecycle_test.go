package test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestLoadBalancerWaitsForTheInstances: in every environment the load balancer
// (deletion protection on where configured) is created only after the Auto
// Scaling group has its signals, so a first deploy whose instances never
// signal rolls back before there is a protected load balancer to delete.
func TestLoadBalancerWaitsForTheInstances(t *testing.T) {
	for name, e := range synth.all {
		app := e.stacks["App"]
		var asg string
		for id := range app.resources("AWS::AutoScaling::AutoScalingGroup") {
			asg = id
		}
		for id, lb := range app.resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
			deps := asAny(lb["DependsOn"])
			if !slices.Contains(deps, any(asg)) {
				t.Errorf("%s: load balancer %s does not depend on the Auto Scaling group %s (DependsOn %v)", name, id, asg, lb["DependsOn"])
			}
		}
		if asg == "" {
			t.Errorf("%s: no Auto Scaling group", name)
		}
	}
}

// nameProperties are the properties that give a resource its physical name.
var nameProperties = []string{"TableName", "BucketName", "LogGroupName", "Name", "DBInstanceIdentifier", "AliasName", "TopicName", "RoleName", "KeyName"}

// fixedNames lists "Type name" for each resource of templates that is kept
// when its stack is deleted (Retain, RetainExceptOnCreate, Snapshot) and has
// a literal physical name: after a destroy, a redeploy collides with it.
func fixedNames(templates map[string]map[string]any) []string {
	seen := map[string]bool{}
	for _, tpl := range templates {
		resources, _ := tpl["Resources"].(map[string]any)
		for _, r := range resources {
			body := r.(map[string]any)
			switch body["DeletionPolicy"] {
			case "Retain", "RetainExceptOnCreate", "Snapshot":
			default:
				continue
			}
			for _, p := range nameProperties {
				if name, ok := props(body)[p].(string); ok {
					seen[fmt.Sprintf("%s %s", body["Type"], name)] = true
				}
			}
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readmeFixedNames reads the README's table of retained resources with fixed
// names (section "Tear down"): "Type name" per backticked name of each row.
func readmeFixedNames(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	must(t, "read the README", err)
	readme := string(raw)
	start := strings.Index(readme, "Retained resources with a fixed name")
	if start < 0 {
		t.Fatal(`the README has no table "Retained resources with a fixed name"`)
	}
	var out []string
	row := regexp.MustCompile("^\\| `(AWS::[A-Za-z0-9:]+)` \\| ([^|]+) \\|")
	for _, line := range strings.Split(readme[start:], "\n")[1:] {
		if strings.HasPrefix(line, "| resource") || strings.HasPrefix(line, "|---") {
			continue
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			if len(out) > 0 || strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "|") {
				break
			}
			continue
		}
		for _, n := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(m[2], -1) {
			out = append(out, m[1]+" "+n[1])
		}
	}
	sort.Strings(out)
	return out
}

// TestReadmeListsTheFixedNames: every retained resource with a fixed physical
// name, in every environment and the pipeline's stacks, is in the README's
// tear-down table, and the table lists nothing else.
func TestReadmeListsTheFixedNames(t *testing.T) {
	templates := map[string]map[string]any{}
	for _, e := range synth.all {
		for _, s := range e.stacks {
			templates[s.name] = s.json
		}
	}
	for name, tpl := range pipelineTemplates(t) {
		templates[name] = tpl
	}
	got, listed := fixedNames(templates), readmeFixedNames(t)
	if !slices.Equal(got, listed) {
		t.Errorf("retained resources with a fixed name:\n  templates: %q\n  README:    %q", got, listed)
	}
}

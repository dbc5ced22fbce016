package test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/netcheck"
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

// TestAnUpdateThatReplacesAnExportedValue: a change that replaces a resource
// whose value another stack reads (here the web tier's security group, whose
// description is create-only) cannot be deployed stale. The app stack reads
// the group's id with Fn::ImportValue of the network stack's export, so the
// network stack's update would modify an export in use, which CloudFormation
// refuses ("After another stack imports an output value, you can't ... modify
// the exported output value": the Fn::ImportValue reference); the update
// fails and rolls back, and the review names the change before that.
func TestAnUpdateThatReplacesAnExportedValue(t *testing.T) {
	old := replacement.Templates{}
	for _, s := range synth.stacks {
		old[s.name] = s.json
	}
	changed := netcheck.CloneTemplates(old)
	networkName, appName := stack(t, "Network").name, stack(t, "App").name
	network := changed[networkName]
	var group string
	for id, r := range network["Resources"].(map[string]any) {
		body := r.(map[string]any)
		if body["Type"] == "AWS::EC2::SecurityGroup" && strings.HasPrefix(id, "SecurityGroupsWeb") {
			body["Properties"].(map[string]any)["GroupDescription"] = "project-1 web tier, renamed"
			group = id
		}
	}
	if group == "" {
		t.Fatal("no web security group in the network stack")
	}
	// The group is replaced, and with it the rules that refer to it; nothing
	// stateful.
	changes := replacement.Compare(old, changed)
	replaced := false
	for _, c := range changes {
		replaced = replaced || c.LogicalID == group && c.Kind == replacement.Replaced
		if c.Blocking() || !strings.HasPrefix(c.Type, "AWS::EC2::SecurityGroup") {
			t.Errorf("%s: want only the group and its rules replaced", c)
		}
	}
	if !replaced {
		t.Fatal("the web group is not replaced")
	}
	// The app stack imports the group's id from an export of the network stack.
	var export string
	for name, o := range network["Outputs"].(map[string]any) {
		value, _ := json.Marshal(o.(map[string]any)["Value"])
		if !strings.Contains(string(value), `"`+group+`"`) {
			continue
		}
		e, ok := o.(map[string]any)["Export"].(map[string]any)
		if !ok {
			t.Errorf("output %s of the web group is not exported: the app stack would read it weakly and go stale", name)
			continue
		}
		if n, _ := e["Name"].(string); strings.Contains(string(stack(t, "App").raw), `"Fn::ImportValue": "`+n+`"`) {
			export = n
		}
	}
	if export == "" {
		t.Fatal("the app stack does not import the web group's id from the network stack's exports")
	}
	// The network stack's update would change that export while the app
	// stack imports it: the review's hazard names the producer's resource,
	// the consumer, and where the consumer reads it.
	found := false
	for _, h := range replacement.CrossStack(old, changed, changes) {
		if h.Export != export {
			continue
		}
		found = true
		if h.Kind != replacement.ExportInUse || !h.Blocking() || h.Producer != networkName || h.Consumer != appName || h.Target != group || len(h.Uses) == 0 {
			t.Errorf("hazard %+v: want export in use, blocking, %s's %s read by %s", h, networkName, group, appName)
		}
	}
	if !found {
		t.Errorf("no cross-stack hazard for export %s", export)
	}
}

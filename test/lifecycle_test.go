package test

import (
	"encoding/json"
	"fmt"
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
	for name, e := range synthAll().all {
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

// TestProtectedResourcesComeLast: in every stage, each deletion-protected
// resource (a table, a database, a load balancer with protection on) is
// created after every resource of its stack that does not depend on it. A
// failed first create rolls back by deleting what it created, and protection
// blocks that delete (ROLLBACK_FAILED); so only the protected resource's own
// create and the creates of what reads it may fail while it exists. README
// "When the first deploy fails" names what that leaves.
func TestProtectedResourcesComeLast(t *testing.T) {
	protected := 0
	for name, e := range synthAll().all {
		for stack, tpl := range stageTemplates(e) {
			problems, n := protectedNotLast(tpl)
			protected += n
			for _, p := range problems {
				t.Errorf("%s: %s: %s", name, stack, p)
			}
		}
	}
	// project-1 and prod protect their table, database and load balancer.
	if protected < 6 {
		t.Errorf("only %d deletion-protected resources across every stage: the check sees nothing", protected)
	}
}

// TestProtectedNotLast plants a protected table with a bucket beside it that
// nothing orders: the bucket's create may fail after the table exists.
func TestProtectedNotLast(t *testing.T) {
	tpl := map[string]any{"Resources": map[string]any{
		"Table":  map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{"DeletionProtectionEnabled": true}},
		"Bucket": map[string]any{"Type": "AWS::S3::Bucket"},
		"Alarm":  map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{"Dimensions": []any{map[string]any{"Value": map[string]any{"Ref": "Table"}}}}},
	}}
	problems, n := protectedNotLast(tpl)
	if n != 1 || len(problems) != 1 || !strings.Contains(problems[0], "Table") || !strings.Contains(problems[0], "Bucket") || strings.Contains(problems[0], "Alarm") {
		t.Fatalf("planted: %d protected, problems %q", n, problems)
	}
	res := tpl["Resources"].(map[string]any)
	res["Table"].(map[string]any)["DependsOn"] = []any{"Bucket"}
	if problems, _ := protectedNotLast(tpl); len(problems) != 0 {
		t.Errorf("the table after the bucket: problems %q", problems)
	}
	res["Table"].(map[string]any)["Properties"] = map[string]any{"DeletionProtectionEnabled": false}
	res["Lb"] = map[string]any{"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": map[string]any{
		"LoadBalancerAttributes": []any{map[string]any{"Key": "deletion_protection.enabled", "Value": "true"}}}}
	if problems, n := protectedNotLast(tpl); n != 1 || len(problems) != 1 || !strings.Contains(problems[0], "Lb") {
		t.Errorf("a protected load balancer first: %d protected, problems %q", n, problems)
	}
}

// protectedNotLast lists, for one template, each deletion-protected resource
// with the resources that neither it depends on nor depend on it: CloudFormation
// may create those after it. It returns how many protected resources it saw.
func protectedNotLast(tpl map[string]any) (problems []string, protected int) {
	resources, _ := tpl["Resources"].(map[string]any)
	deps := directDependencies(resources)
	for id, r := range resources {
		body := r.(map[string]any)
		if !deletionProtected(body) {
			continue
		}
		protected++
		var unordered []string
		for other, o := range resources {
			if other == id || o.(map[string]any)["Type"] == "AWS::CDK::Metadata" {
				continue
			}
			if !deps.reaches(id, other) && !deps.reaches(other, id) {
				unordered = append(unordered, other)
			}
		}
		if len(unordered) > 0 {
			sort.Strings(unordered)
			problems = append(problems, fmt.Sprintf("%s (%s, deletion protection on) may be created before %s, whose failure would then end a first create in ROLLBACK_FAILED",
				id, body["Type"], strings.Join(unordered, ", ")))
		}
	}
	return problems, protected
}

// deletionProtected reports whether a resource's deletion protection is on.
func deletionProtected(body map[string]any) bool {
	p := props(body)
	switch body["Type"] {
	case "AWS::DynamoDB::Table":
		return p["DeletionProtectionEnabled"] == true
	case "AWS::RDS::DBInstance", "AWS::RDS::DBCluster":
		return p["DeletionProtection"] == true
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		for _, a := range asAny(p["LoadBalancerAttributes"]) {
			if kv, ok := a.(map[string]any); ok && kv["Key"] == "deletion_protection.enabled" && kv["Value"] == "true" {
				return true
			}
		}
	}
	return false
}

// nameProperties are the properties that give a resource its physical name.
var nameProperties = []string{"TableName", "BucketName", "LogGroupName", "Name", "DBInstanceIdentifier", "AliasName", "TopicName", "RoleName", "KeyName", "BackupVaultName"}

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

// readmeFixedNames reads the table of retained resources with fixed names
// (docs/deploy.md, "Tear down"): "Type name" per backticked name of each row.
func readmeFixedNames(t *testing.T) []string {
	t.Helper()
	readme := docSection(t, "docs/deploy.md", "Tear down")
	start := strings.Index(readme, "Retained resources with a fixed name")
	if start < 0 {
		t.Fatal(`docs/deploy.md's "Tear down" has no table "Retained resources with a fixed name"`)
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
// name, in every environment and the pipeline's stacks, is in docs/deploy.md's
// tear-down table, and the table lists nothing else.
func TestReadmeListsTheFixedNames(t *testing.T) {
	templates := map[string]map[string]any{}
	for _, e := range synthAll().all {
		for _, s := range e.stacks {
			templates[s.name] = s.json
		}
	}
	for name, tpl := range pipelineTemplates(t) {
		templates[name] = tpl
	}
	got, listed := fixedNames(templates), readmeFixedNames(t)
	if !slices.Equal(got, listed) {
		t.Errorf("retained resources with a fixed name:\n  templates:      %q\n  docs/deploy.md: %q", got, listed)
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
	for _, s := range synthAll().stacks {
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
		if !ok && strings.HasPrefix(name, "PublishOutput") {
			continue // kept one release for old consumers' rollbacks; no template of this version reads it (TestWeakOutputsKeptOneRelease)
		}
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

// TestWeakOutputsKeptOneRelease: the network and data stacks keep, for one
// release, the outputs that consumers deployed by the previous version read
// with Fn::GetStackOutput, under their old logical ids and values (those of
// the golden templates before the move to Fn::ImportValue), so that a
// consumer whose update fails in the migrating deploy can roll back to its
// old template (CHANGELOG). dev has one NAT gateway, so one output less.
func TestWeakOutputsKeptOneRelease(t *testing.T) {
	for _, want := range []struct{ stack, id, value string }{
		{"Network", "PublishOutputRefNetworkPrivateSubnet1E849118972FC91C8", `{"Ref":"NetworkPrivateSubnet1E8491189"}`},
		{"Network", "PublishOutputRefNetworkPrivateSubnet26BD46F8C0A7AEB3D", `{"Ref":"NetworkPrivateSubnet26BD46F8C"}`},
		{"Network", "PublishOutputFnGetAttSecurityGroupsDatabase03711F2AGroupId5FF19AA4", `{"Fn::GetAtt":["SecurityGroupsDatabase03711F2A","GroupId"]}`},
		{"Network", "PublishOutputFnGetAttSecurityGroupsFunctionsF2C2D0F4GroupId0229133A", `{"Fn::GetAtt":["SecurityGroupsFunctionsF2C2D0F4","GroupId"]}`},
		{"Network", "PublishOutputFnGetAttSecurityGroupsWebAE39F2C2GroupId40E2BA2E", `{"Fn::GetAtt":["SecurityGroupsWebAE39F2C2","GroupId"]}`},
		{"Network", "PublishOutputFnGetAttSecurityGroupsAlbFB2F0AE8GroupId142758BE", `{"Fn::GetAtt":["SecurityGroupsAlbFB2F0AE8","GroupId"]}`},
		{"Network", "PublishOutputRefNetworkPublicSubnet13B56D0982B5D665B", `{"Ref":"NetworkPublicSubnet13B56D098"}`},
		{"Network", "PublishOutputRefNetworkPublicSubnet2E7B6D3F82D950EA6", `{"Ref":"NetworkPublicSubnet2E7B6D3F8"}`},
		{"Network", "PublishOutputRefNetworkVpcFAC8F4A5497856B5", `{"Ref":"NetworkVpcFAC8F4A5"}`},
		{"Network", "PublishOutputRefNetworkPublicSubnet1NatGateway4B44EA806142BCDD", `{"Ref":"NetworkPublicSubnet1NatGateway4B44EA80"}`},
		{"Network", "PublishOutputRefNetworkPublicSubnet2NatGatewayE8F1C691A1FC2180", `{"Ref":"NetworkPublicSubnet2NatGatewayE8F1C691"}`},
		{"Data", "PublishOutputFnGetAttDataBucketE3889A50Arn0E8BC76C", `{"Fn::GetAtt":["DataBucketE3889A50","Arn"]}`},
		{"Data", "PublishOutputFnGetAttDataBucketKeyF49B2630ArnD6550FA6", `{"Fn::GetAtt":["DataBucketKeyF49B2630","Arn"]}`},
		{"Data", "PublishOutputFnGetAttForumTable1FBA2B20ArnBC130254", `{"Fn::GetAtt":["ForumTable1FBA2B20","Arn"]}`},
		{"Data", "PublishOutputFnGetAttForumTableKey5D226C3AArn55809765", `{"Fn::GetAtt":["ForumTableKey5D226C3A","Arn"]}`},
		{"Data", "PublishOutputRefDatabaseSecretAttachmentE5D1B020FC8DF5BB", `{"Ref":"DatabaseSecretAttachmentE5D1B020"}`},
		{"Data", "PublishOutputFnGetAttDatabaseKey7576F140Arn548D8C76", `{"Fn::GetAtt":["DatabaseKey7576F140","Arn"]}`},
		{"Data", "PublishOutputRefLogBucketCC3B17E80FAFE4DE", `{"Ref":"LogBucketCC3B17E8"}`},
		{"Data", "PublishOutputRefDatabaseInstanceAA8A5FDE96074C11", `{"Ref":"DatabaseInstanceAA8A5FDE"}`},
		{"Data", "PublishOutputRefForumTable1FBA2B2053A2526C", `{"Ref":"ForumTable1FBA2B20"}`},
	} {
		for name, e := range synthAll().all {
			outputs, _ := e.stacks[want.stack].json["Outputs"].(map[string]any)
			o, ok := outputs[want.id].(map[string]any)
			if !ok {
				if !(name == "dev" && strings.Contains(want.id, "Subnet2NatGateway")) {
					t.Errorf("%s: %s has no output %s", name, want.stack, want.id)
				}
				continue
			}
			got, _ := json.Marshal(o["Value"])
			if string(got) != want.value || len(o) != 1 {
				t.Errorf("%s: %s output %s is %v, want only the value %s", name, want.stack, want.id, o, want.value)
			}
		}
	}
}

package test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestCreateTimeRolesHoldTheirPermissions: no resource that names a role at
// create time (RDS's monitoring role, a flow log's delivery role, a Lambda
// function's execution role, an instance profile's role) gets that role's
// permissions from a policy that depends on the resource itself. Such a
// policy attaches only after the resource exists, and a service that checks
// the role when it creates the resource fails the create: CreateDBInstance
// answers "IAM role ARN value is invalid or does not include the required
// permissions for: ENHANCED_MONITORING" (issue 21: the monitoring role's
// policy named the instance's DbiResourceId).
func TestCreateTimeRolesHoldTheirPermissions(t *testing.T) {
	all := map[string]map[string]map[string]any{"pipeline": pipelineTemplates(t)}
	for name, e := range synthAll().all {
		all[name] = stageTemplates(e)
	}
	checked := 0
	for stage, templates := range all {
		for name, tpl := range templates {
			problems, n := createTimeRoleProblems(tpl)
			checked += n
			for _, p := range problems {
				t.Errorf("%s: %s: %s", stage, name, p)
			}
		}
	}
	// The check must see the roles it is about: at least the monitoring
	// role, the flow logs' role and the functions' roles in every stage.
	if checked < 3*len(synthAll().all) {
		t.Errorf("only %d resources name a role at create time across every stage: the check sees nothing", checked)
	}
}

// TestCreateTimeRoleProblems plants the shape issue 21 found: the monitoring
// role's permissions in a policy that reads the instance's resource id.
func TestCreateTimeRoleProblems(t *testing.T) {
	tpl := map[string]any{"Resources": map[string]any{
		"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{}},
		"Db": map[string]any{"Type": "AWS::RDS::DBInstance", "Properties": map[string]any{
			"MonitoringRoleArn": map[string]any{"Fn::GetAtt": []any{"Role", "Arn"}},
		}},
		"Policy": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
			"Roles": []any{map[string]any{"Ref": "Role"}},
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Resource": map[string]any{"Fn::Join": []any{"", []any{"arn:aws:logs:us-east-1:1:log-group:RDSOSMetrics:log-stream:", map[string]any{"Fn::GetAtt": []any{"Db", "DbiResourceId"}}}}},
			}}},
		}},
	}}
	problems, n := createTimeRoleProblems(tpl)
	if n != 1 || len(problems) != 1 || !strings.Contains(problems[0], "Db.MonitoringRoleArn") || !strings.Contains(problems[0], "Policy") {
		t.Fatalf("planted race: %d checked, problems %q", n, problems)
	}
	// Through a DependsOn, and through a resource between them.
	res := tpl["Resources"].(map[string]any)
	res["Policy"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"] = map[string]any{"Statement": []any{map[string]any{"Resource": map[string]any{"Ref": "Mid"}}}}
	res["Mid"] = map[string]any{"Type": "AWS::Logs::LogGroup", "DependsOn": "Db"}
	if problems, _ := createTimeRoleProblems(tpl); len(problems) != 1 {
		t.Errorf("race through DependsOn: problems %q", problems)
	}
	// The same permissions inline in the role, or in a policy that does not
	// depend on the instance: no problem.
	res["Policy"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"] = map[string]any{"Statement": []any{map[string]any{"Resource": "*"}}}
	if problems, _ := createTimeRoleProblems(tpl); len(problems) != 0 {
		t.Errorf("no race: problems %q", problems)
	}
	// A CodeBuild project's role is used when a build runs: not checked.
	res["Db"].(map[string]any)["Type"] = "AWS::CodeBuild::Project"
	res["Policy"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"] = map[string]any{"Statement": []any{map[string]any{"Resource": map[string]any{"Ref": "Db"}}}}
	if problems, n := createTimeRoleProblems(tpl); len(problems) != 0 || n != 0 {
		t.Errorf("a CodeBuild project: %d checked, problems %q", n, problems)
	}
	res["Db"].(map[string]any)["Type"] = "AWS::RDS::DBInstance"
	res["Policy"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"] = map[string]any{"Statement": []any{map[string]any{"Resource": "*"}}}
	// Through an instance profile: the launch template names the profile,
	// the profile names the role.
	res["Profile"] = map[string]any{"Type": "AWS::IAM::InstanceProfile", "Properties": map[string]any{"Roles": []any{map[string]any{"Ref": "Role"}}}}
	res["Lt"] = map[string]any{"Type": "AWS::EC2::LaunchTemplate", "Properties": map[string]any{"LaunchTemplateData": map[string]any{
		"IamInstanceProfile": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{"Profile", "Arn"}}}}}}
	res["Policy"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"] = map[string]any{"Statement": []any{map[string]any{"Resource": map[string]any{"Ref": "Lt"}}}}
	if problems, _ := createTimeRoleProblems(tpl); len(problems) != 1 || !strings.Contains(problems[0], "Lt.") {
		t.Errorf("race through an instance profile: problems %q", problems)
	}
}

// usesRoleLater are the types whose role is used only once the resource
// runs, not checked for permissions as it is created, each with why.
var usesRoleLater = map[string]string{
	"AWS::CodeBuild::Project": "CodeBuild assumes the service role when a build runs; aws-cdk-lib's Project " +
		"grants the role the project's own log group and report groups in the role's default policy, " +
		"which names the project, in every CDK Pipeline",
}

// roleProperty is a property that hands a resource a role (or an instance
// profile) to use as it is created.
var roleProperty = regexp.MustCompile(`(?i)(role|rolearn|permissionarn|permissionsarn|instanceprofile)$`)

// createTimeRoleProblems lists, for one template, each resource that names a
// role of the template in a role property and a policy attached to that role
// that depends on the resource (by Ref, Fn::GetAtt, Fn::Sub or DependsOn,
// directly or through other resources). It returns how many (resource,
// property, role) uses it checked.
func createTimeRoleProblems(tpl map[string]any) (problems []string, checked int) {
	resources, _ := tpl["Resources"].(map[string]any)
	typeOf := func(id string) string {
		r, _ := resources[id].(map[string]any)
		s, _ := r["Type"].(string)
		return s
	}
	deps := directDependencies(resources)
	dependsOn := func(from, to string) bool { return deps.reaches(from, to) }
	// roles a target hands over: a role itself, or an instance profile's.
	rolesOf := func(id string) []string {
		switch typeOf(id) {
		case "AWS::IAM::Role":
			return []string{id}
		case "AWS::IAM::InstanceProfile":
			var out []string
			for _, x := range targets(resources[id].(map[string]any)["Properties"]) {
				if typeOf(x) == "AWS::IAM::Role" {
					out = append(out, x)
				}
			}
			return out
		}
		return nil
	}
	// policies attached to each role.
	policies := map[string][]string{}
	for id, r := range resources {
		switch typeOf(id) {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy":
		default:
			continue
		}
		p, _ := r.(map[string]any)["Properties"].(map[string]any)
		for _, key := range []string{"Roles", "RoleName"} {
			for _, x := range targets(p[key]) {
				if typeOf(x) == "AWS::IAM::Role" {
					policies[x] = append(policies[x], id)
				}
			}
		}
	}
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		switch typeOf(id) {
		case "AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy":
			continue
		}
		if _, ok := usesRoleLater[typeOf(id)]; ok {
			continue
		}
		rolePaths(resources[id].(map[string]any)["Properties"], id, func(path, target string) {
			for _, role := range rolesOf(target) {
				checked++
				for _, p := range policies[role] {
					if dependsOn(p, id) {
						problems = append(problems, fmt.Sprintf("%s names role %s at create time, but %s's permissions in %s depend on %s, so they attach after it: move them into the role (Policies) or off %s",
							path, role, role, p, id, id))
					}
				}
			}
		})
	}
	return problems, checked
}

// rolePaths calls f for each value under a role property of v that refers to
// a resource, with the property's path ("ID.Prop.Sub").
func rolePaths(v any, path string, f func(path, target string)) {
	m, ok := v.(map[string]any)
	if !ok {
		if l, ok := v.([]any); ok {
			for _, x := range l {
				rolePaths(x, path, f)
			}
		}
		return
	}
	for k, x := range m {
		p := path + "." + k
		if roleProperty.MatchString(k) {
			for _, target := range targets(x) {
				f(p, target)
			}
		}
		rolePaths(x, p, f)
	}
}

// targets lists the logical ids v refers to with Ref, Fn::GetAtt or Fn::Sub.
func targets(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["Ref"].(string); ok && len(x) == 1 {
				out = append(out, r)
				return
			}
			if g, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 && len(g) > 0 {
				out = append(out, fmt.Sprint(g[0]))
				return
			}
			if s, ok := x["Fn::Sub"].(string); ok && len(x) == 1 {
				for _, m := range subRef.FindAllStringSubmatch(s, -1) {
					out = append(out, m[1])
				}
				return
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)[.}]`)

// dependencies maps each resource of a template to the resources it depends
// on directly: by Ref, Fn::GetAtt or Fn::Sub in its properties, or DependsOn.
type dependencies map[string]map[string]bool

func directDependencies(resources map[string]any) dependencies {
	deps := dependencies{}
	for id, r := range resources {
		d := map[string]bool{}
		body := r.(map[string]any)
		for _, x := range targets(body["Properties"]) {
			d[x] = true
		}
		switch on := body["DependsOn"].(type) {
		case string:
			d[on] = true
		case []any:
			for _, x := range on {
				d[fmt.Sprint(x)] = true
			}
		}
		deps[id] = d
	}
	return deps
}

// reaches reports whether from depends on to, directly or through others.
func (deps dependencies) reaches(from, to string) bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for d := range deps[id] {
			if d == to {
				return true
			}
			if !seen[d] {
				seen[d] = true
				stack = append(stack, d)
			}
		}
	}
	return false
}

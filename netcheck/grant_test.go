package netcheck

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReadAssembly: every stack with its stage, region and termination
// protection, and StagesOf models them as LoadStages does.
func TestReadAssembly(t *testing.T) {
	devNet, devApp := weakStacksOf("dev-Net", "us-east-1")
	dir := writeAssembly(t,
		assemblyStack{name: "project-1-Pipeline", region: "us-east-1", t: newStack().add("Pipeline", "AWS::CodePipeline::Pipeline", obj{}).t},
		assemblyStack{stage: "dev", name: "dev-Net", region: "us-east-1", t: devNet.t, protected: true},
		assemblyStack{stage: "dev", name: "dev-App", t: devApp.t})
	stacks, err := ReadAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stacks {
		got = append(got, strings.Join([]string{s.Name, s.Stage, s.Region, map[bool]string{true: "protected", false: "-"}[s.TerminationProtection]}, " "))
		if s.Template["Resources"] == nil {
			t.Errorf("%s: no template", s.Name)
		}
	}
	want := []string{"dev-App dev  -", "dev-Net dev us-east-1 protected", "project-1-Pipeline  us-east-1 -"}
	if !slices.Equal(got, want) {
		t.Errorf("stacks\n%q, want\n%q", got, want)
	}
	fromDisk, err := LoadStages(dir)
	if err != nil {
		t.Fatal(err)
	}
	fromStacks, err := StagesOf(stacks)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromDisk) != len(fromStacks) {
		t.Fatalf("%d stages from StagesOf, %d from LoadStages", len(fromStacks), len(fromDisk))
	}
	for i := range fromDisk {
		a, b := fromDisk[i], fromStacks[i]
		if a.Name != b.Name || !slices.Equal(a.Stacks, b.Stacks) || a.Model.Empty() != b.Model.Empty() {
			t.Errorf("stage %d: StagesOf %q %q, LoadStages %q %q", i, b.Name, b.Stacks, a.Name, a.Stacks)
		}
		if !a.Model.Empty() {
			if x, y := a.Model.Check(Web, RDS, 3306), b.Model.Check(Web, RDS, 3306); x.Verdict != y.Verdict {
				t.Errorf("stage %q: web -> rds 3306 %s from StagesOf, %s from LoadStages", a.Name, y.Verdict, x.Verdict)
			}
		}
	}
	if _, err := StagesOf(append(stacks, stacks[0])); err == nil || !strings.Contains(err.Error(), `two stacks named "dev-App"`) {
		t.Errorf("a duplicate stack: %v", err)
	}
}

// grantLines are a result's grants as "CODE resource direction rule".
func grantLines(r Result) []string {
	var out []string
	for _, g := range r.Grants {
		out = append(out, strings.TrimSpace(strings.Join([]string{string(g.Code), g.Resource, string(g.Direction), strconv.Itoa(g.Rule)}, " ")))
	}
	return out
}

// TestGrantsNameTheRulesThatAllow: an open flow names every rule that let it
// through, in the fixture's real network template: the security-group rules
// on both sides, the ACL entries of request and reply, and the routes.
func TestGrantsNameTheRulesThatAllow(t *testing.T) {
	m, err := FromTemplates(withPublicAclFix(loadFixture(t)))
	if err != nil {
		t.Fatal(err)
	}
	r := expectAllowed(t, m, ALB, Web, 80)
	lines := grantLines(r)
	has := func(prefix, substr string) {
		t.Helper()
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) && strings.Contains(l, substr) {
				return
			}
		}
		t.Errorf("no grant %q ... %q among\n%s", prefix, substr, strings.Join(lines, "\n"))
	}
	// The fixture's ALB group keeps CloudFormation's allow-all egress
	// (TestFixtureNotesALBDefaultEgress).
	has("SG_EGRESS project-1-Network/SecurityGroupsAlb", "outbound 0")
	has("SG_INGRESS project-1-Network/SecurityGroupsWebfrom", "inbound")
	has("NACL_ALLOW project-1-Network/NetworkPrivateAclIngress100", "inbound 100")
	has("NACL_ALLOW project-1-Network/NetworkPrivateAclIngress101", "inbound 101")
	has("NACL_ALLOW project-1-Network/NetworkPublicAclEgress100", "outbound 100")
	for _, g := range r.Grants {
		if g.Code == GrantNACL && g.Rule == 100 && g.Direction == Inbound && strings.Contains(g.Resource, "Private") {
			if want := "network ACL NetworkPrivateAcl inbound rule 100: allow TCP 80 from 10.0.1.0/24"; g.Message != want {
				t.Errorf("message %q, want %q", g.Message, want)
			}
		}
	}

	web := expectAllowed(t, m, Web, Internet, 443)
	lines = grantLines(web)
	has("ROUTE project-1-Network/NetworkPrivateSubnet1DefaultRoute", "")
	for _, g := range web.Grants {
		if g.Code == GrantSGEgress && strings.Contains(g.Message, "inline rule 2") {
			return
		}
	}
	t.Errorf("web -> internet 443: no grant names the web group's second inline egress rule:\n%s", strings.Join(lines, "\n"))
}

// TestGrantsOfABlockedPath: a blocked path still lists what let part of it
// through, so that a review can tell which rule changed.
func TestGrantsOfABlockedPath(t *testing.T) {
	m, err := FromTemplates(loadFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	r := m.Check(ALB, RDS, 3306)
	if r.Verdict != VerdictBlock {
		t.Fatalf("alb -> rds 3306: %s", r.Verdict)
	}
	for _, g := range r.Grants {
		if g.Code == GrantNACL && g.Direction == Outbound && strings.Contains(g.Resource, "NetworkPublicAclEgress120") {
			return
		}
	}
	t.Errorf("alb -> rds 3306: the public ACL's outbound rule 120 let the request out, but no grant says so:\n%s", strings.Join(grantLines(r), "\n"))
}

// withPublicAclFix applies to the fixture (frozen before it) the fix of the
// public ACL's inbound replies: rule 60 (deny 3389) and rule 130 go, and rule
// 120 allows the whole ephemeral range, so no reply is dropped now and then.
func withPublicAclFix(templates map[string]map[string]any) map[string]map[string]any {
	for _, tpl := range templates {
		resources, _ := tpl["Resources"].(map[string]any)
		for id, r := range resources {
			body := r.(map[string]any)
			meta, _ := body["Metadata"].(map[string]any)
			path, _ := meta["aws:cdk:path"].(string)
			switch {
			case strings.HasSuffix(path, "/PublicAcl/Ingress60"), strings.HasSuffix(path, "/PublicAcl/Ingress130"):
				delete(resources, id)
			case strings.HasSuffix(path, "/PublicAcl/Ingress120"):
				body["Properties"].(map[string]any)["PortRange"] = map[string]any{"From": 1024.0, "To": 65535.0}
			}
		}
	}
	return templates
}

package test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/stacks"
	"github.com/project-1/project-1/netcheck"
)

// expectedTable is the spec's reachability table as cmd/netcheck (and CI) reads it.
const expectedTable = "../cmd/netcheck/expected.txt"

// TestSpecReachability proves every row of the spec's table on every
// synthesized environment (one NAT gateway or two, either region): routes, NAT
// gateways, network ACLs (request and reply) and security groups, every zone
// pairing.
func TestSpecReachability(t *testing.T) {
	exps := expectedFlows(t)
	if len(exps) < 20 {
		t.Fatalf("%s holds %d flows; the spec's table needs more", expectedTable, len(exps))
	}
	for name, e := range synthAll().all {
		m, err := netcheck.Load(e.dir)
		must(t, "load "+name, err)
		for _, x := range exps {
			t.Run(name+"/"+x.String(), func(t *testing.T) {
				if r := m.Check(x.From, x.To, x.Port); !x.Met(r) {
					var why []string
					for _, reason := range r.Reasons {
						why = append(why, reason.String())
					}
					t.Errorf("verdict %s:\n%s", r.Verdict, strings.Join(why, "\n"))
				}
			})
		}
		if notes := m.Notes(); len(notes) > 0 {
			t.Errorf("%s: the checker could not model everything:\n%s", name, strings.Join(notes, "\n"))
		}
	}
}

var matrixPorts = []int{22, 80, 443, 3306, 3389, 8080}

// verdicts is the checker's verdict on every flow between the endpoints.
func verdicts(t *testing.T, templates map[string]map[string]any) map[string]netcheck.Verdict {
	t.Helper()
	m, err := netcheck.FromTemplates(templates)
	must(t, "analyse", err)
	out := map[string]netcheck.Verdict{}
	for _, r := range m.Matrix(matrixPorts) {
		out[fmt.Sprintf("%s -> %s %d", r.From, r.To, r.Port)] = r.Verdict
	}
	return out
}

// TestMutationsFlipExactlyTheirFlows shows the checker is not a rubber stamp:
// each mutation of the synthesized templates changes the verdict of exactly
// the flows listed, and no other of the 120 (5 endpoints x 4 peers x 6 ports).
func TestMutationsFlipExactlyTheirFlows(t *testing.T) {
	base, err := netcheck.LoadTemplates(synthAll().dir)
	must(t, "load templates", err)
	before := verdicts(t, base)
	for _, tc := range []struct {
		name   string
		mutate func(t *testing.T, net, data, app map[string]any)
		flips  []string // "from -> to port: before => after"
		// reasons: for these flows, the distinct reason codes after the mutation
		reasons map[string][]netcheck.Code
	}{
		{
			// The replies to the private subnets on ephemeral ports: whatever
			// the web tier opens across a subnet boundary loses its reply.
			name: "remove the private ACL's inbound ephemeral rule",
			mutate: func(t *testing.T, net, _, _ map[string]any) {
				removeWhere(t, net, "AWS::EC2::NetworkAclEntry", func(p map[string]any) bool {
					return !isTrue(p["Egress"]) && p["RuleNumber"] == 150.0 && strings.HasPrefix(refID(p["NetworkAclId"]), "NetworkPrivateAcl")
				})
			},
			flips: []string{
				"web -> internet 80: allow => block", "web -> internet 443: allow => block",
				"web -> alb 80: allow => block", "web -> alb 443: allow => block",
				// same-subnet pairs skip the ACL; the cross-zone ones lose the reply
				"web -> rds 3306: allow => partial",
			},
		},
		{
			name: "drop Private Subnet 2's route to its NAT gateway",
			mutate: func(t *testing.T, net, _, _ map[string]any) {
				removeWhere(t, net, "AWS::EC2::Route", func(p map[string]any) bool {
					return strings.HasPrefix(refID(p["RouteTableId"]), "NetworkPrivateSubnet2RouteTable")
				})
			},
			flips: []string{"web -> internet 80: allow => partial", "web -> internet 443: allow => partial"},
		},
		{
			// The EC2 group now admits port 80 from anywhere, but the instances
			// have no public address, their subnets no route to the internet
			// gateway, and the private ACL no rule for it: no verdict changes,
			// and the security group drops out of the reasons.
			name: "add 0.0.0.0/0 on port 80 to the EC2 group",
			mutate: func(t *testing.T, net, _, _ map[string]any) {
				group := propsWhere(t, net, "AWS::EC2::SecurityGroup", func(p map[string]any) bool {
					return strings.HasPrefix(fmt.Sprint(p["GroupDescription"]), "Web tier")
				})
				group["SecurityGroupIngress"] = []any{map[string]any{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 80.0, "ToPort": 80.0}}
			},
			reasons: map[string][]netcheck.Code{
				"internet -> web 80":  {netcheck.NACLDeny, netcheck.NoPublicAddress, netcheck.NoRoute},
				"internet -> web 443": {netcheck.NACLDeny, netcheck.NoPublicAddress, netcheck.NoRoute, netcheck.SGNoIngress},
			},
		},
		{
			// A public address and a route to the internet gateway: the public
			// ACL admits 3306 within its inbound ephemeral range, so only the
			// RDS group still stands between the internet and MySQL.
			name:   "make RDS publicly accessible in the public subnets",
			mutate: publishDatabase,
			reasons: map[string][]netcheck.Code{
				"internet -> rds 3306": {netcheck.SGNoIngress},
			},
		},
		{
			name: "make RDS publicly accessible in the public subnets and open its group",
			mutate: func(t *testing.T, net, data, app map[string]any) {
				publishDatabase(t, net, data, app)
				group := propsWhere(t, net, "AWS::EC2::SecurityGroup", func(p map[string]any) bool {
					return strings.HasPrefix(fmt.Sprint(p["GroupDescription"]), "Database")
				})
				group["SecurityGroupIngress"] = []any{map[string]any{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 3306.0, "ToPort": 3306.0}}
			},
			// web -> rds stays open: the private ACL's outbound ephemeral rule to
			// the VPC and the public ACL's inbound ephemeral rule both cover 3306.
			flips: []string{"internet -> rds 3306: block => allow"},
		},
		{
			// The rule this project had until the checker found the fault:
			// it lies inside the ephemeral range (1024-65535) of the load
			// balancer and the NAT gateways, so it drops their replies on
			// 3389, about one connection in 64,512. Every flow whose reply
			// enters the public subnets turns intermittent; RDP to the load
			// balancer was blocked by its group anyway.
			name: "put back the public ACL's inbound deny of 3389",
			mutate: func(t *testing.T, net, _, _ map[string]any) {
				acl := idWhere(t, net, "AWS::EC2::NetworkAcl", func(p map[string]any) bool { return true }, "NetworkPublicAcl")
				net["Resources"].(map[string]any)["Deny3389"] = map[string]any{
					"Type": "AWS::EC2::NetworkAclEntry",
					"Properties": map[string]any{
						"NetworkAclId": map[string]any{"Ref": acl}, "RuleNumber": 60.0, "Egress": false, "RuleAction": "deny",
						"Protocol": 6.0, "CidrBlock": "0.0.0.0/0", "PortRange": map[string]any{"From": 3389.0, "To": 3389.0},
					},
				}
			},
			flips: []string{
				"alb -> web 80: allow => intermittent", "alb -> web 443: allow => intermittent",
				"web -> internet 80: allow => intermittent", "web -> internet 443: allow => intermittent",
				"nat -> internet 80: allow => intermittent", "nat -> internet 443: allow => intermittent",
				"nat -> internet 3306: allow => intermittent", "nat -> internet 3389: allow => intermittent",
				"nat -> internet 8080: allow => intermittent",
			},
			reasons: map[string][]netcheck.Code{
				"alb -> web 80":        {netcheck.NACLEphemeralGap},
				"nat -> internet 443":  {netcheck.NACLEphemeralGap},
				"internet -> alb 3389": {netcheck.NACLDeny, netcheck.SGNoIngress},
			},
		},
		{
			name: "insert a lower-numbered deny of 443 before the public ACL's allow",
			mutate: func(t *testing.T, net, _, _ map[string]any) {
				acl := idWhere(t, net, "AWS::EC2::NetworkAcl", func(p map[string]any) bool { return true }, "NetworkPublicAcl")
				net["Resources"].(map[string]any)["Deny443"] = map[string]any{
					"Type": "AWS::EC2::NetworkAclEntry",
					"Properties": map[string]any{
						"NetworkAclId": map[string]any{"Ref": acl}, "RuleNumber": 90.0, "Egress": false, "RuleAction": "deny",
						"Protocol": 6.0, "CidrBlock": "0.0.0.0/0", "PortRange": map[string]any{"From": 443.0, "To": 443.0},
					},
				}
			},
			flips: []string{
				"internet -> alb 443: allow => block",
				"web -> internet 443: allow => block", // leg 1 enters the public subnets on 443
				"web -> alb 443: allow => block",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := netcheck.CloneTemplates(base)
			tc.mutate(t, ts["project-1-Network"], ts["project-1-Data"], ts["project-1-App"])
			after := verdicts(t, ts)
			var flips []string
			for flow, v := range before {
				if after[flow] != v {
					flips = append(flips, fmt.Sprintf("%s: %s => %s", flow, v, after[flow]))
				}
			}
			sort.Strings(flips)
			want := slices.Clone(tc.flips)
			sort.Strings(want)
			if !slices.Equal(flips, want) {
				t.Errorf("flipped flows:\n got %q\nwant %q", flips, want)
			}
			m, err := netcheck.FromTemplates(ts)
			must(t, "analyse", err)
			for flow, want := range tc.reasons {
				var from, to string
				var port int
				fmt.Sscanf(flow, "%s -> %s %d", &from, &to, &port)
				var got []netcheck.Code
				for _, r := range m.Check(netcheck.Endpoint(from), netcheck.Endpoint(to), port).Reasons {
					if !slices.Contains(got, r.Code) {
						got = append(got, r.Code)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s: reasons %v, want %v", flow, got, want)
				}
			}
		})
	}
}

// publishDatabase makes the DB instance publicly accessible and moves its
// subnet group into the load balancer's (public) subnets.
func publishDatabase(t *testing.T, _, data, app map[string]any) {
	propsWhere(t, data, "AWS::RDS::DBInstance", nil)["PubliclyAccessible"] = true
	lb := propsWhere(t, app, "AWS::ElasticLoadBalancingV2::LoadBalancer", nil)
	propsWhere(t, data, "AWS::RDS::DBSubnetGroup", nil)["SubnetIds"] = lb["Subnets"]
}

// resourcesWhere returns the ids of template's resources of type typ whose
// properties satisfy match (nil: all), sorted.
func resourcesWhere(template map[string]any, typ string, match func(map[string]any) bool) []string {
	var ids []string
	for id, r := range template["Resources"].(map[string]any) {
		body := r.(map[string]any)
		if body["Type"] == typ && (match == nil || match(props(body))) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// idWhere is the one resource resourcesWhere finds whose id starts with prefix.
func idWhere(t *testing.T, template map[string]any, typ string, match func(map[string]any) bool, prefix string) string {
	t.Helper()
	var found []string
	for _, id := range resourcesWhere(template, typ, match) {
		if strings.HasPrefix(id, prefix) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d resources of type %s match (%q), want 1", len(found), typ, found)
	}
	return found[0]
}

func propsWhere(t *testing.T, template map[string]any, typ string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	id := idWhere(t, template, typ, match, "")
	return props(template["Resources"].(map[string]any)[id].(map[string]any))
}

func removeWhere(t *testing.T, template map[string]any, typ string, match func(map[string]any) bool) {
	t.Helper()
	delete(template["Resources"].(map[string]any), idWhere(t, template, typ, match, ""))
}

func refID(v any) string { return ref(v) }

func isTrue(v any) bool { return v == true }

// BenchmarkReachability is the analysis of the default environment: load the
// synthesized assembly and evaluate all 120 flows.
//
//	go test ./test -run '^$' -bench Reachability
func BenchmarkReachability(b *testing.B) {
	for b.Loop() {
		m, err := netcheck.Load(synthAll().dir)
		if err != nil {
			b.Fatal(err)
		}
		m.Matrix(matrixPorts)
	}
}

const (
	diagramBegin = "<!-- netcheck -mermaid: generated; refresh with go test ./test -run TestReadmeDiagram -update -->\n"
	diagramEnd   = "<!-- end of the generated diagram -->\n"
)

// TestReadmeDiagram fails when the README's network diagram is not the one
// netcheck draws from the synthesized templates.
func TestReadmeDiagram(t *testing.T) {
	m, err := netcheck.Load(synthAll().dir)
	must(t, "load the assembly", err)
	want := "```mermaid\n" + m.Mermaid() + "```\n"
	text := docPage(t, "README.md")
	begin, end := strings.Index(text, diagramBegin), strings.Index(text, diagramEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md lacks the diagram markers %q ... %q", diagramBegin, diagramEnd)
	}
	begin += len(diagramBegin)
	if text[begin:end] == want {
		return
	}
	if *update {
		must(t, "write the README", os.WriteFile("../README.md", []byte(text[:begin]+want+text[end:]), 0o644))
		return
	}
	t.Errorf("README.md's diagram is stale; refresh it with\n  go test ./test -run TestReadmeDiagram -update")
}

// TestPublicAclRdpGap: with Network.PublicAclRdpGap the public subnets' ACL
// admits no RDP from anywhere, so Control Tower's CT.EC2.PR.5 passes, and the
// reachability checker shows the price: the flows whose replies come back
// through the public ACL lose the ones on port 3389 (intermittent, for
// NACL_EPHEMERAL_GAP), and no other verdict changes. Run as hooks, the
// controls then fail as for the default environment, CT.EC2.PR.5 excepted.
func TestPublicAclRdpGap(t *testing.T) {
	env := synthAll().env
	env.Network.PublicAclRdpGap = true
	app := scratchApp(t)
	stage := buildOne(t, app, env)
	findings, err := stacks.Synth(app)
	must(t, "synthesize", err)
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
	dir := *stage.Synth(nil).Directory()

	base, err := netcheck.LoadTemplates(synthAll().dir)
	must(t, "load the default templates", err)
	gap, err := netcheck.LoadTemplates(dir)
	must(t, "load the templates with the gap", err)
	before, after := verdicts(t, base), verdicts(t, gap)
	var flips []string
	for flow, v := range before {
		if after[flow] != v {
			flips = append(flips, fmt.Sprintf("%s: %s => %s", flow, v, after[flow]))
		}
	}
	sort.Strings(flips)
	want := []string{
		"alb -> web 443: allow => intermittent", "alb -> web 80: allow => intermittent",
		"nat -> internet 3306: allow => intermittent", "nat -> internet 3389: allow => intermittent",
		"nat -> internet 443: allow => intermittent", "nat -> internet 80: allow => intermittent",
		"nat -> internet 8080: allow => intermittent",
		"web -> internet 443: allow => intermittent", "web -> internet 80: allow => intermittent",
	}
	sort.Strings(want)
	if !slices.Equal(flips, want) {
		t.Errorf("the gap changes\n  %s\nwant\n  %s", strings.Join(flips, "\n  "), strings.Join(want, "\n  "))
	}

	// As an Organization's hooks run the controls: every control the default
	// environment fails there but CT.EC2.PR.5. The hook documents of the two
	// differ only in the public ACL's entries, so the controls run on those
	// alone: on the default's they fail CT.EC2.PR.5 alone, on these none.
	binary, rules := cfnGuard(t)
	ids, err := controlIDs(rules)
	must(t, "read the rules", err)
	withGap, without := t.TempDir(), t.TempDir()
	must(t, "write the hook documents", hookDocuments(env.Region, gap, withGap))
	must(t, "write the default's hook documents", hookDocuments(env.Region, base, without))
	changed := map[string][]string{} // directory -> documents not in the other, or not the same
	for _, dirs := range [][2]string{{withGap, without}, {without, withGap}} {
		entries, err := os.ReadDir(dirs[0])
		must(t, "list the hook documents", err)
		for _, entry := range entries {
			doc, err := os.ReadFile(filepath.Join(dirs[0], entry.Name()))
			must(t, "read a hook document", err)
			if other, err := os.ReadFile(filepath.Join(dirs[1], entry.Name())); err == nil && bytes.Equal(doc, other) {
				continue
			}
			if !bytes.HasPrefix(doc, []byte(`{"AWS::EC2::NetworkAclEntry":`)) {
				t.Errorf("the gap changes %s, which is not an ACL entry", entry.Name())
			}
			changed[dirs[0]] = append(changed[dirs[0]], filepath.Join(dirs[0], entry.Name()))
		}
	}
	relevant, err := relevantRules(rules, map[string]bool{"AWS::EC2::NetworkAclEntry": true})
	must(t, "select the rules", err)
	for _, tc := range []struct {
		dir  string
		want []string
	}{{without, []string{"CT.EC2.PR.5"}}, {withGap, nil}} {
		if len(changed[tc.dir]) == 0 {
			t.Fatalf("no ACL entry differs in %s", tc.dir)
		}
		byFile, err := failedControls(binary, relevant, ids, changed[tc.dir])
		must(t, "run the controls as hooks", err)
		failing := map[string]bool{}
		for _, controls := range byFile {
			for id := range controls {
				failing[id] = true
			}
		}
		if got := sortedKeys(failing); !slices.Equal(got, tc.want) {
			t.Errorf("the ACL entries that differ in %s fail %q as hooks, want %q", tc.dir, got, tc.want)
		}
	}
	controlsFailing(t) // waits for the default environment's controls
	if _, ok := controls.hooks["CT.EC2.PR.5"]; !ok {
		t.Errorf("as hooks, the default environment passes CT.EC2.PR.5 already: %q", sortedKeys(controls.hooks))
	}
	t.Logf("as hooks, with the gap, the default environment fails %d controls", len(controls.hooks)-1)
}

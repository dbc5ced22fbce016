package netcheck

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is a cloud assembly: a Stage holding the real project-1-Network
// template and a hand-written project-1-Workload stack that imports its
// subnets and security groups (see testdata/README.md).
const fixture = "testdata/assembly"

// specTable is the spec's reachability table; for a blocked flow, codes are
// reasons that must be among those reported. The flows whose replies enter
// the public subnets are intermittent in the fixture (see
// TestFixtureEphemeralGap), and allowed once its public ACL is fixed.
var specTable = []struct {
	from, to Endpoint
	ports    []int
	allowed  bool
	codes    []Code
}{
	{Internet, ALB, []int{80, 443}, true, nil},
	{ALB, Web, []int{80, 443}, true, []Code{NACLEphemeralGap}},
	{Web, RDS, []int{3306}, true, nil},
	{Web, Internet, []int{80, 443}, true, []Code{NACLEphemeralGap}},
	{NAT, Internet, []int{80, 443}, true, []Code{NACLEphemeralGap}},
	{Internet, Web, []int{80, 443, 22, 3389, 8080}, false, []Code{NoPublicAddress, NoRoute, SGNoIngress}},
	{Internet, RDS, []int{3306, 80, 443, 22, 3389}, false, []Code{NoPublicAddress, NoRoute, NACLDeny, SGNoIngress}},
	{Internet, NAT, []int{80, 443, 22, 3389}, false, []Code{NATInbound}},
	{ALB, RDS, []int{3306}, false, []Code{NACLDeny, SGNoIngress}},
	{Internet, ALB, []int{22, 3389}, false, []Code{NACLDeny, SGNoIngress}},
}

func loadFixture(t *testing.T) map[string]map[string]any {
	t.Helper()
	templates, err := LoadTemplates(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return templates
}

func TestFixtureMeetsSpecTable(t *testing.T) {
	m, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := FromTemplates(fixPublicACL(t, loadFixture(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range specTable {
		for _, port := range row.ports {
			t.Run(fmt.Sprintf("%s->%s/%d", row.from, row.to, port), func(t *testing.T) {
				if row.allowed {
					expectAllowed(t, fixed, row.from, row.to, port)
					if row.codes == nil {
						expectAllowed(t, m, row.from, row.to, port)
					} else if r := m.Check(row.from, row.to, port); r.Verdict != VerdictIntermittent || !slices.Equal(codes(r), row.codes) {
						t.Errorf("the fixture: %s %v, want intermittent %v", r.Verdict, codes(r), row.codes)
					}
					return
				}
				for _, c := range row.codes {
					expectBlocked(t, m, row.from, row.to, port, c)
				}
			})
		}
	}
	// Every zone pairing is evaluated: two load balancer subnets, two web
	// subnets, two database subnets, two NAT gateways.
	if r := m.Check(ALB, Web, 80); len(r.Paths) != 4 {
		t.Errorf("alb -> web: %d paths, want 4", len(r.Paths))
	}
	if r := m.Check(NAT, Internet, 443); len(r.Paths) != 2 {
		t.Errorf("nat -> internet: %d paths, want 2", len(r.Paths))
	}
	// The SSH and RDP denies are numbered rules, not the implicit deny.
	r := expectBlocked(t, m, Internet, ALB, 22, NACLDeny)
	if r.Rule != 50 || r.Direction != Inbound || !strings.HasSuffix(r.Resource, "/NetworkPublicAcl9B404FC7") {
		t.Errorf("internet -> alb 22: %+v, want NetworkPublicAcl inbound rule 50", r)
	}
	r = expectBlocked(t, m, ALB, RDS, 3306, NACLDeny)
	if r.Rule != 130 || !strings.HasSuffix(r.Resource, "/NetworkPrivateAcl1899B2E2") {
		t.Errorf("alb -> rds 3306: %+v, want NetworkPrivateAcl rule 130", r)
	}
}

func TestLoadNestedAssembly(t *testing.T) {
	templates := loadFixture(t)
	if got, want := slices.Sorted(maps.Keys(templates)), []string{"project-1-Network", "project-1-Workload"}; !slices.Equal(got, want) {
		t.Errorf("stacks %q, want %q", got, want)
	}

	// Two levels of nesting, and the stack-name fallbacks: displayName, then
	// the artifact id.
	dir := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.json", `{"artifacts": {
		"Top": {"type": "aws:cloudformation:stack", "displayName": "top-display", "properties": {"templateFile": "top.json"}},
		"stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-stage"}},
		"Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}`)
	write("top.json", `{"Resources": {}}`)
	write("assembly-stage/manifest.json", `{"artifacts": {
		"inner": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-inner"}}}}`)
	write("assembly-stage/assembly-inner/manifest.json", `{"artifacts": {
		"DeepStack": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "deep.json"}}}}`)
	write("assembly-stage/assembly-inner/deep.json", `{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}}}}`)
	got, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, []string{"DeepStack", "top-display"}) {
		t.Errorf("stacks %q", names)
	}

	write("assembly-stage/assembly-inner/manifest.json", `{"artifacts": {
		"DeepStack": {"type": "aws:cloudformation:stack", "displayName": "top-display", "properties": {"templateFile": "deep.json"}}}}`)
	if _, err := LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "two stacks") {
		t.Errorf("duplicate stack names: err %v", err)
	}
	write("assembly-stage/assembly-inner/manifest.json", `{"artifacts": {
		"DeepStack": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "missing.json"}}}}`)
	if _, err := LoadTemplates(dir); err == nil {
		t.Error("missing template: want an error")
	}
	write("assembly-stage/assembly-inner/manifest.json", `{`)
	if _, err := LoadTemplates(dir); err == nil {
		t.Error("malformed manifest: want an error")
	}
	if _, err := Load(filepath.Join(dir, "nope")); err == nil {
		t.Error("missing directory: want an error")
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "manifest.json"), []byte(`{"artifacts": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(empty); err == nil {
		t.Error("assembly without stacks: want an error")
	}
}

func TestLoadReadsRegions(t *testing.T) {
	for in, want := range map[string]string{
		"aws://unknown-account/us-east-1":      "us-east-1",
		"aws://111111111111/eu-west-1":         "eu-west-1",
		"aws://unknown-account/unknown-region": "",
		"":                                     "",
		"gcp://x/y":                            "",
	} {
		if got := region(in); got != want {
			t.Errorf("region(%q) = %q, want %q", in, got, want)
		}
	}

	// Fn::GetStackOutput names us-east-1; the manifest puts Net in eu-west-1.
	netStack, app := weakStacks("us-east-1")
	dir := writeAssembly(t,
		assemblyStack{name: "Net", region: "eu-west-1", t: netStack.t},
		assemblyStack{name: "App", region: "eu-west-1", t: app.t})
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Check(Web, RDS, 3306); r.Verdict != VerdictUnknown {
		t.Errorf("web -> rds: %s, want unknown: the references name another region", r.Verdict)
	}
	if !slices.ContainsFunc(m.Notes(), func(n string) bool { return strings.Contains(n, "is in region eu-west-1, not us-east-1") }) {
		t.Errorf("no note about the region: %q", m.Notes())
	}
	// In us-east-1, or where the manifest does not say, they resolve.
	for _, region := range []string{"us-east-1", ""} {
		dir := writeAssembly(t,
			assemblyStack{name: "Net", region: region, t: netStack.t},
			assemblyStack{name: "App", region: region, t: app.t})
		m, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		expectAllowed(t, m, Web, RDS, 3306)
	}
}

func TestCloneTemplatesIsDeep(t *testing.T) {
	a := loadFixture(t)
	b := CloneTemplates(a)
	properties(t, b["project-1-Network"], "AWS::EC2::Subnet", nil)["CidrBlock"] = "x"
	for _, r := range a["project-1-Network"]["Resources"].(map[string]any) {
		if p, _ := r.(map[string]any)["Properties"].(map[string]any); p["CidrBlock"] == "x" {
			t.Fatal("mutating the clone changed the original")
		}
	}
}

// resourceID returns the logical id of the one resource of type typ whose
// properties satisfy match (nil: the first of its type, by id). Mutation
// tests find resources this way rather than by hash-suffixed logical id.
func resourceID(t *testing.T, template map[string]any, typ string, match func(props map[string]any) bool) string {
	t.Helper()
	resources := template["Resources"].(map[string]any)
	var found []string
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		r := resources[id].(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		if r["Type"] == typ && (match == nil || match(props)) {
			found = append(found, id)
		}
	}
	if len(found) == 0 || match != nil && len(found) > 1 {
		t.Fatalf("%d resources of type %s match, want one", len(found), typ)
	}
	return found[0]
}

// properties returns the Properties of the resource resourceID finds.
func properties(t *testing.T, template map[string]any, typ string, match func(props map[string]any) bool) map[string]any {
	t.Helper()
	id := resourceID(t, template, typ, match)
	return template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
}

// removeResource deletes the resource resourceID finds.
func removeResource(t *testing.T, template map[string]any, typ string, match func(props map[string]any) bool) {
	t.Helper()
	delete(template["Resources"].(map[string]any), resourceID(t, template, typ, match))
}

// refersTo reports whether v is {"Ref": id}.
func refersTo(v any, id string) bool {
	r, ok := v.(map[string]any)
	return ok && len(r) == 1 && r["Ref"] == id
}

// aclEntry matches the fixture's NACL entry by ACL logical id, direction and
// rule number.
func aclEntry(acl string, egress bool, rule int) func(map[string]any) bool {
	return func(p map[string]any) bool {
		return refersTo(p["NetworkAclId"], acl) && p["Egress"] == egress && p["RuleNumber"] == float64(rule)
	}
}

const (
	publicACL  = "NetworkPublicAcl9B404FC7"
	privateACL = "NetworkPrivateAcl1899B2E2"
)

// fixPublicACL gives the fixture's public ACL the rules constructs/network
// now writes: no inbound deny of 3389 (rule 60), and one inbound rule for
// the whole ephemeral range (120: 1024-65535) instead of 120 and 130.
func fixPublicACL(t *testing.T, templates map[string]map[string]any) map[string]map[string]any {
	t.Helper()
	net := templates["project-1-Network"]
	removeResource(t, net, "AWS::EC2::NetworkAclEntry", aclEntry(publicACL, false, 60))
	removeResource(t, net, "AWS::EC2::NetworkAclEntry", aclEntry(publicACL, false, 130))
	properties(t, net, "AWS::EC2::NetworkAclEntry", aclEntry(publicACL, false, 120))["PortRange"] = map[string]any{"From": 1024.0, "To": 65535.0}
	return templates
}

// TestFixtureEphemeralGap: the fixture's public ACL denies 3389 inbound
// (rule 60), inside the ephemeral range 1024-65535 of the load balancer and
// the NAT gateways, so the replies they receive on port 3389 are dropped.
func TestFixtureEphemeralGap(t *testing.T) {
	m, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		from, to Endpoint
		client   Endpoint
		peer     string // the reply's source
	}{
		{ALB, Web, ALB, "10.0.2.20"},          // the web tier's reply to the load balancer
		{NAT, Internet, NAT, InternetAddress}, // the internet's reply to a NAT gateway (leg 2)
		{Web, Internet, NAT, InternetAddress}, // the same, on the way back to the web tier
	} {
		r := m.Check(f.from, f.to, 443)
		if r.Verdict != VerdictIntermittent || r.Allowed {
			t.Errorf("%s -> %s 443: %s, want intermittent", f.from, f.to, r.Verdict)
		}
		if len(r.Reasons) != 1 {
			t.Fatalf("%s -> %s 443: %d reasons, want the one rule:\n%s", f.from, f.to, len(r.Reasons), reasonLines(r))
		}
		why := r.Reasons[0]
		if why.Code != NACLEphemeralGap || why.Resource != "project-1-Network/"+publicACL || why.Direction != Inbound ||
			why.Rule != 60 || why.Port != 3389 || !slices.Equal(why.Ports, []PortRange{{3389, 3389}}) {
			t.Errorf("%s -> %s 443: %+v, want NACL_EPHEMERAL_GAP of the public ACL, inbound rule 60, port 3389", f.from, f.to, why)
		}
		for _, want := range []string{"rule 60 denies TCP 3389 from " + f.peer, "inside the ephemeral range 1024-65535 of " + string(f.client),
			"1 of its 64512 ports, so about 1 connection in 64512 fails"} {
			if !strings.Contains(why.Message, want) {
				t.Errorf("%s -> %s: message %q does not say %q", f.from, f.to, why.Message, want)
			}
		}
		for _, p := range r.Paths {
			if !p.Intermittent || p.Allowed {
				t.Errorf("%s -> %s: path %s -> %s is not intermittent", f.from, f.to, p.From, p.To)
			}
		}
		if (Expectation{From: f.from, To: f.to, Port: 443, Allowed: true}).Met(r) {
			t.Errorf("%s -> %s: an intermittent flow meets an expected allow", f.from, f.to)
		}
		if (Expectation{From: f.from, To: f.to, Port: 443}).Met(r) {
			t.Errorf("%s -> %s: an intermittent flow meets an expected block", f.from, f.to)
		}
	}
	// The private ACL's denies of 3389 and 3306 lie outside the web tier's
	// ephemeral range (32768-60999): its replies are never on those ports.
	fixed, err := FromTemplates(fixPublicACL(t, loadFixture(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, port := range []int{80, 443} {
		expectAllowed(t, fixed, Web, Internet, port)
		expectAllowed(t, fixed, ALB, Web, port)
		expectAllowed(t, fixed, NAT, Internet, port)
	}
	expectAllowed(t, fixed, Web, RDS, 3306)
}

// TestFixtureMutations shows how a mutation test uses the package: load the
// assembly once, clone, change the parsed JSON, re-analyse. The base is the
// fixture with its public ACL fixed, so that the flows are open before.
func TestFixtureMutations(t *testing.T) {
	base := fixPublicACL(t, loadFixture(t))
	analyse := func(t *testing.T, mutate func(net, app map[string]any)) *Model {
		t.Helper()
		ts := CloneTemplates(base)
		mutate(ts["project-1-Network"], ts["project-1-Workload"])
		m, err := FromTemplates(ts)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	t.Run("delete the private inbound ephemeral rule", func(t *testing.T) {
		m := analyse(t, func(net, _ map[string]any) {
			removeResource(t, net, "AWS::EC2::NetworkAclEntry", aclEntry(privateACL, false, 150))
		})
		r := expectBlocked(t, m, Web, Internet, 443, NACLDeny)
		if r.Direction != Inbound || r.Port != EphemeralPort || r.Rule != 0 {
			t.Errorf("reason %+v, want the private ACL's inbound implicit deny of the reply", r)
		}
		// Same-subnet web -> rds pairs skip the ACL; cross-zone pairs lose the reply.
		if v := m.Check(Web, RDS, 3306).Verdict; v != VerdictPartial {
			t.Errorf("web -> rds: %s, want partial", v)
		}
		expectAllowed(t, m, ALB, Web, 80)
	})

	t.Run("drop a private default route", func(t *testing.T) {
		m := analyse(t, func(net, _ map[string]any) {
			removeResource(t, net, "AWS::EC2::Route", func(p map[string]any) bool {
				return refersTo(p["RouteTableId"], "NetworkPrivateSubnet2RouteTable11232014")
			})
		})
		r := m.Check(Web, Internet, 443)
		if r.Verdict != VerdictPartial || !slices.Equal(codes(r), []Code{NoRoute}) {
			t.Errorf("web -> internet: %s %v, want partial NO_ROUTE", r.Verdict, codes(r))
		}
	})

	t.Run("add an ALB -> database ingress rule", func(t *testing.T) {
		m := analyse(t, func(net, _ map[string]any) {
			net["Resources"].(map[string]any)["DbFromAlb"] = map[string]any{
				"Type": "AWS::EC2::SecurityGroupIngress",
				"Properties": map[string]any{
					"GroupId": getAtt("SecurityGroupsDatabase03711F2A", "GroupId"), "IpProtocol": "tcp",
					"FromPort": 3306, "ToPort": 3306, "SourceSecurityGroupId": getAtt("SecurityGroupsAlbFB2F0AE8", "GroupId"),
				},
			}
		})
		// The private ACL's rule 130 still stops it: defence in depth.
		r := m.Check(ALB, RDS, 3306)
		if r.Verdict != VerdictBlock || !slices.Equal(codes(r), []Code{NACLDeny}) || r.Reasons[0].Rule != 130 {
			t.Errorf("alb -> rds: %s\n%s want block by rule 130 only", r.Verdict, reasonLines(r))
		}
	})

	t.Run("publicly accessible database in the public subnets", func(t *testing.T) {
		publish := func(net, app map[string]any) {
			properties(t, app, "AWS::RDS::DBInstance", nil)["PubliclyAccessible"] = true
			alb := properties(t, app, "AWS::ElasticLoadBalancingV2::LoadBalancer", nil)
			properties(t, app, "AWS::RDS::DBSubnetGroup", nil)["SubnetIds"] = alb["Subnets"]
		}
		m := analyse(t, publish)
		// Only the database's security group still blocks it: the public
		// ACL's inbound ephemeral range admits 3306.
		r := m.Check(Internet, RDS, 3306)
		if r.Verdict != VerdictBlock || !slices.Equal(codes(r), []Code{SGNoIngress}) {
			t.Errorf("internet -> rds: %s\n%s want block by SG_NO_INGRESS only", r.Verdict, reasonLines(r))
		}
		m = analyse(t, func(net, app map[string]any) {
			publish(net, app)
			sg := properties(t, net, "AWS::EC2::SecurityGroup", func(p map[string]any) bool {
				return strings.HasPrefix(fmt.Sprint(p["GroupDescription"]), "Database")
			})
			sg["SecurityGroupIngress"] = []any{tcp(3306, 3306, cidrIP("0.0.0.0/0"))}
		})
		expectAllowed(t, m, Internet, RDS, 3306)
	})

	t.Run("insert a lower-numbered deny", func(t *testing.T) {
		m := analyse(t, func(net, _ map[string]any) {
			net["Resources"].(map[string]any)["Deny443"] = map[string]any{
				"Type": "AWS::EC2::NetworkAclEntry",
				"Properties": map[string]any{
					"NetworkAclId": ref(publicACL), "RuleNumber": 90, "Egress": false, "RuleAction": "deny",
					"Protocol": 6, "CidrBlock": "0.0.0.0/0", "PortRange": map[string]any{"From": 443, "To": 443},
				},
			}
		})
		r := expectBlocked(t, m, Internet, ALB, 443, NACLDeny)
		if r.Rule != 90 {
			t.Errorf("rule %d, want 90", r.Rule)
		}
		expectAllowed(t, m, Internet, ALB, 80)
		// Leg 1 of web -> internet 443 enters the public subnets too.
		r = expectBlocked(t, m, Web, Internet, 443, NACLDeny)
		if r.Rule != 90 {
			t.Errorf("web -> internet 443: rule %d, want 90", r.Rule)
		}
	})
}

func TestFixtureNotesALBDefaultEgress(t *testing.T) {
	m, err := Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	notes := m.Notes()
	if len(notes) != 1 || !strings.Contains(notes[0], "SecurityGroupsAlbFB2F0AE8") {
		t.Errorf("notes %q, want one about the ALB group's allow-all egress", notes)
	}
}

var benchPorts = []int{22, 80, 443, 3306, 3389, 8080}

// BenchmarkAnalyze loads the fixture assembly and evaluates the full matrix:
// every ordered pair of endpoints on six ports.
func BenchmarkAnalyze(b *testing.B) {
	for b.Loop() {
		m, err := Load(fixture)
		if err != nil {
			b.Fatal(err)
		}
		if rs := m.Matrix(benchPorts); len(rs) != 20*len(benchPorts) {
			b.Fatalf("%d results", len(rs))
		}
	}
}

// BenchmarkCheck is the matrix alone, on a loaded model.
func BenchmarkCheck(b *testing.B) {
	m, err := Load(fixture)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m.Matrix(benchPorts)
	}
}

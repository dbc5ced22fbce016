package review

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/project-1/project-1/internal/assemblytest"
	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/netcheck"
)

// The fixtures are the golden templates of every environment (what
// `cdk synth -c env=all` writes, test/testdata), laid out at test time as a
// cloud assembly and edited one change at a time: no copy of them is kept
// here.
const goldenDir = "../../test/testdata"

// golden returns the golden stacks, fresh: each call returns its own deep copy
// of the files, parsed once per test binary, so an edit touches only its own
// copy.
func golden(t testing.TB) []netcheck.StackArtifact {
	t.Helper()
	goldenOnce.Do(func() {
		var in *Input
		if in, goldenErr = Load(goldenDir); goldenErr != nil {
			return
		}
		for i := range in.Stacks {
			s := &in.Stacks[i]
			// As stacks.Environments configures them (TestSettingsReachTemplates
			// checks it on the synthesized manifests): the data stack is
			// termination-protected except in dev; prod is in eu-west-1.
			s.TerminationProtection = s.Stage != "dev" && strings.HasSuffix(s.Name, "-Data")
			s.Region = map[bool]string{true: "eu-west-1", false: "us-east-1"}[s.Stage == "prod"]
		}
		goldenStacks = in.Stacks
	})
	if goldenErr != nil {
		t.Fatal(goldenErr)
	}
	out := make([]netcheck.StackArtifact, len(goldenStacks))
	for i, s := range goldenStacks {
		s.Template = deepCopy(s.Template).(map[string]any)
		out[i] = s
	}
	return out
}

var (
	goldenOnce   sync.Once
	goldenStacks []netcheck.StackArtifact
	goldenErr    error
)

// deepCopy copies a parsed JSON value: maps, slices and scalars.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}

// goldenAssembly is the unedited golden assembly, laid out once per test
// binary (TestMain removes it): the base of every review.
func goldenAssembly(t testing.TB) string {
	t.Helper()
	baseOnce.Do(func() {
		if baseDir, baseErr = os.MkdirTemp("", "review-golden-"); baseErr == nil {
			baseErr = assemblytest.LayOut(baseDir, golden(t))
		}
	})
	if baseErr != nil {
		t.Fatal(baseErr)
	}
	return baseDir
}

var (
	baseOnce sync.Once
	baseDir  string
	baseErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if baseDir != "" {
		os.RemoveAll(baseDir)
	}
	os.Exit(code)
}

// writeAssembly lays stacks out as cdk synth does: a top-level manifest.json
// with one nested cloud assembly per stage, each with its own manifest and
// templates. It returns the directory.
func writeAssembly(t testing.TB, stacks []netcheck.StackArtifact) string {
	t.Helper()
	root := t.TempDir()
	if err := assemblytest.LayOut(root, stacks); err != nil {
		t.Fatal(err)
	}
	return root
}

// stackNamed returns the named stack of stacks.
func stackNamed(t testing.TB, stacks []netcheck.StackArtifact, name string) *netcheck.StackArtifact {
	t.Helper()
	for i := range stacks {
		if stacks[i].Name == name {
			return &stacks[i]
		}
	}
	t.Fatalf("no stack %q", name)
	return nil
}

// res returns the resources of a stack's template.
func res(t testing.TB, stacks []netcheck.StackArtifact, stack string) map[string]any {
	return stackNamed(t, stacks, stack).Template["Resources"].(map[string]any)
}

// find returns the logical id of the one resource of typ in stack whose
// properties match.
func find(t testing.TB, stacks []netcheck.StackArtifact, stack, typ string, match func(props map[string]any) bool) string {
	t.Helper()
	var ids []string
	for id, r := range res(t, stacks, stack) {
		body := r.(map[string]any)
		props, _ := body["Properties"].(map[string]any)
		if body["Type"] == typ && (match == nil || match(props)) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: %d %s match, want 1: %q", stack, len(ids), typ, ids)
	}
	return ids[0]
}

// findID returns the logical id of the one resource of stack that CDK named
// prefix plus its hash.
func findID(t testing.TB, stacks []netcheck.StackArtifact, stack, prefix string) string {
	t.Helper()
	var ids []string
	for id := range res(t, stacks, stack) {
		if strings.HasPrefix(id, prefix) && len(id) == len(prefix)+8 {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: %d resources named %s, want 1: %q", stack, len(ids), prefix, ids)
	}
	return ids[0]
}

func props(t testing.TB, stacks []netcheck.StackArtifact, stack, id string) map[string]any {
	return res(t, stacks, stack)[id].(map[string]any)["Properties"].(map[string]any)
}

func expectations(t testing.TB) []netcheck.Expectation {
	return assemblytest.Expectations(t, "../../cmd/netcheck/expected.txt")
}

// review runs a review of the golden assembly against its edited copy, each
// read back from disk as the command reads them.
func review(t testing.TB, edit func(head []netcheck.StackArtifact) []netcheck.StackArtifact, opts Options) (*Report, string) {
	t.Helper()
	base, err := Load(goldenAssembly(t))
	if err != nil {
		t.Fatal(err)
	}
	head, err := Load(writeAssembly(t, edit(golden(t))))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Review(base, head, opts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return rep, b.String()
}

func tableOpts(t testing.TB) Options {
	return Options{Expected: expectations(t), ExpectedFile: "expected.txt"}
}

func mustSay(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the review does not say %q:\n%s", w, text)
		}
	}
}

// findings returns the findings of a stage, of a section.
func findings(rep *Report, stage, section string) []Finding {
	var out []Finding
	for _, s := range rep.Stages {
		if s.Name != stage {
			continue
		}
		for _, f := range s.Findings {
			if f.Section == section {
				out = append(out, f)
			}
		}
	}
	return out
}

func TestSameAssemblyNothingToDecide(t *testing.T) {
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact { return s }, tableOpts(t))
	if rep.ExitCode() != 0 || rep.Decisions+rep.Notices+rep.Allowed != 0 {
		t.Errorf("exit %d, %d decisions, %d notices:\n%s", rep.ExitCode(), rep.Decisions, rep.Notices, text)
	}
	mustSay(t, text, "no change that needs a decision: nothing to decide", "stage dev: unchanged", "stage prod (production): unchanged", "stage project-1: unchanged")
	if len(rep.Notes) != 0 {
		t.Errorf("notes %q: two assemblies compare everything", rep.Notes)
	}
}

// A security-group rule (ingress on the database's group, with the egress
// on the load balancer's that CDK's Connections adds beside it) and a NACL
// entry open alb -> rds 3306, which the table says must be blocked.
func TestSecurityGroupRuleAndNACLEntryOpenALBToRDS(t *testing.T) {
	var ingress, egress, entry string
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		const net = "prod-Network"
		db := find(t, s, net, "AWS::EC2::SecurityGroup", func(p map[string]any) bool { return strings.HasPrefix(p["GroupDescription"].(string), "Database") })
		alb := find(t, s, net, "AWS::EC2::SecurityGroup", func(p map[string]any) bool { return strings.HasPrefix(p["GroupDescription"].(string), "Load balancer") })
		acl := findID(t, s, net, "NetworkPrivateAcl")
		ingress, egress, entry = "SecurityGroupsDatabasefromAlb3306", "SecurityGroupsAlbtoDatabase3306", "NetworkPrivateAclIngress122"
		r := res(t, s, net)
		groupID := func(id string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, "GroupId"}} }
		r[ingress] = map[string]any{"Type": "AWS::EC2::SecurityGroupIngress", "Properties": map[string]any{
			"GroupId": groupID(db), "IpProtocol": "tcp", "FromPort": 3306.0, "ToPort": 3306.0, "SourceSecurityGroupId": groupID(alb)}}
		r[egress] = map[string]any{"Type": "AWS::EC2::SecurityGroupEgress", "Properties": map[string]any{
			"GroupId": groupID(alb), "IpProtocol": "tcp", "FromPort": 3306.0, "ToPort": 3306.0, "DestinationSecurityGroupId": groupID(db)}}
		r[entry] = map[string]any{"Type": "AWS::EC2::NetworkAclEntry", "Properties": map[string]any{
			"NetworkAclId": map[string]any{"Ref": acl}, "RuleNumber": 122.0, "Protocol": 6.0, "RuleAction": "allow", "Egress": false,
			"CidrBlock": "10.2.0.0/21", "PortRange": map[string]any{"From": 3306.0, "To": 3306.0}}}
		return s
	}, tableOpts(t))
	if rep.ExitCode() != 1 {
		t.Fatalf("exit %d, want 1:\n%s", rep.ExitCode(), text)
	}
	flows := findings(rep, "prod", Reachability)
	if len(flows) != 1 || flows[0].Flow.From != "alb" || flows[0].Flow.To != "rds" || flows[0].Flow.Port != 3306 || flows[0].Kind != "opens" || !flows[0].Decision {
		t.Fatalf("reachability findings %+v, want alb -> rds 3306 opening, a decision:\n%s", flows, text)
	}
	var allows []string
	for _, r := range flows[0].Rules {
		if r.Change == "allows now" {
			allows = append(allows, r.Code+" "+r.Resource)
		}
	}
	slices.Sort(allows)
	want := []string{"NACL_ALLOW prod-Network/" + entry, "SG_EGRESS prod-Network/" + egress, "SG_INGRESS prod-Network/" + ingress}
	if !slices.Equal(allows, want) {
		t.Errorf("the rules that opened it: %q, want %q", allows, want)
	}
	mustSay(t, text, "alb -> rds 3306 opens: block -> allow, but expected.txt line 36 says block",
		"network ACL NetworkPrivateAcl inbound rule 122: allow TCP 3306 from 10.2.0.0/21",
		"blocked before: NACL_DENY", "rule 130 denies TCP 3306",
		"sg-"[:0]+"new rule: ingress of security group prod-Network/")
	for _, s := range []string{"dev", "project-1"} {
		if f := findings(rep, s, Reachability); len(f) != 0 {
			t.Errorf("stage %s: %+v; the edit is prod's alone", s, f)
		}
	}
}

// The ALB -> web ingress removed: the flow closes. With the spec's table,
// which says it must be open, that needs a decision; with a table that
// does not list it, it is shown and the exit is 0.
func TestALBToWebIngressRemoved(t *testing.T) {
	var removed []string
	edit := func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		removed = nil
		for id, r := range res(t, s, "dev-Network") {
			body := r.(map[string]any)
			if body["Type"] == "AWS::EC2::SecurityGroupIngress" && strings.HasPrefix(id, "SecurityGroupsWebfrom") {
				delete(res(t, s, "dev-Network"), id)
				removed = append(removed, id)
			}
		}
		if len(removed) != 2 {
			t.Fatalf("removed %q, want the two ALB -> web rules (80, 443)", removed)
		}
		return s
	}
	rep, text := review(t, edit, tableOpts(t))
	if rep.ExitCode() != 1 {
		t.Fatalf("exit %d, want 1:\n%s", rep.ExitCode(), text)
	}
	flows := findings(rep, "dev", Reachability)
	var closed []string
	for _, f := range flows {
		closed = append(closed, f.Message)
		if !f.Decision || f.Kind != "closes" {
			t.Errorf("%s: kind %s, decision %v; want closes, a decision", f.Message, f.Kind, f.Decision)
		}
	}
	if want := []string{
		"alb -> web 80 closes: allow -> block, but expected.txt line 15 says allow",
		"alb -> web 443 closes: allow -> block, but expected.txt line 15 says allow",
	}; !slices.Equal(closed, want) {
		t.Errorf("flows %q, want %q", closed, want)
	}
	for _, id := range removed {
		mustSay(t, text, "allowed before: SG_INGRESS dev-Network/"+id)
	}
	mustSay(t, text, "blocks now: SG_NO_INGRESS")

	var noALBRows []netcheck.Expectation
	for _, x := range expectations(t) {
		if !(x.From == netcheck.ALB && x.To == netcheck.Web) {
			noALBRows = append(noALBRows, x)
		}
	}
	rep, text = review(t, edit, Options{Expected: noALBRows})
	// The two flows, and the two rules' deletions (not stateful: shown).
	if rep.ExitCode() != 0 || rep.Notices != 4 {
		t.Errorf("without the table's alb -> web rows: exit %d, %d notices; want 0 and the two flows shown:\n%s", rep.ExitCode(), rep.Notices, text)
	}
	mustSay(t, text, "look      alb -> web 80 closes: allow -> block", "no change that needs a decision (4 more to look at)",
		"(AWS::EC2::SecurityGroupIngress): deleted: the logical id is gone")
}

// The table renamed: a stateful resource replaced, naming TableName, and the
// exports of it that the app stack imports; an allow entry covers the
// table, and cannot cover the exports.
func TestTableRenamed(t *testing.T) {
	var table string
	edit := func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		table = find(t, s, "prod-Data", "AWS::DynamoDB::Table", nil)
		props(t, s, "prod-Data", table)["TableName"] = "Forum2"
		return s
	}
	rep, text := review(t, edit, tableOpts(t))
	if rep.ExitCode() != 1 {
		t.Fatalf("exit %d, want 1:\n%s", rep.ExitCode(), text)
	}
	var replaced, inUse []Finding
	for _, f := range findings(rep, "prod", Replacement) {
		switch f.Kind {
		case "replaced":
			replaced = append(replaced, f)
		case "export-in-use":
			inUse = append(inUse, f)
		default:
			t.Errorf("unexpected finding %+v", f)
		}
	}
	if len(replaced) != 1 || replaced[0].LogicalID != table || replaced[0].Property != "TableName" || !replaced[0].Stateful {
		t.Fatalf("replacements %+v, want the table replaced by TableName", replaced)
	}
	// The app stack imports the table's name and ARN: prod-Data's deploy
	// would fail on both exports, whatever the allow list says.
	if len(inUse) != 2 || inUse[0].LogicalID != table || !inUse[0].Decision || inUse[0].AllowKey != "" {
		t.Fatalf("exports in use %+v, want the table's two", inUse)
	}
	mustSay(t, text, "prod-Data/"+table+` (AWS::DynamoDB::Table) STATEFUL: replaced: TableName: "Forum" -> "Forum2"`,
		"if intended, allow it: prod-Data/"+table, "which prod-App imports (", "prod-Data's deploy fails and rolls back", "3 changes need a decision")

	opts := tableOpts(t)
	opts.Allow, _ = replacement.ParseAllowList(strings.NewReader("prod-Data/" + table + " the forum moves to a new table, exported and re-imported first\n"))
	rep, text = review(t, edit, opts)
	if rep.ExitCode() != 1 || rep.Allowed != 1 || rep.Decisions != 2 {
		t.Errorf("allowed: exit %d, %d allowed, %d decisions:\n%s", rep.ExitCode(), rep.Allowed, rep.Decisions, text)
	}
	mustSay(t, text, "ALLOWED", "allowed by prod-Data/"+table+": the forum moves", "2 changes need a decision (1 allowed by the allow list)")
}

// Prod's database deletion protection off: a production protection goes. The
// same change in project-1, which is not production, is shown only.
func TestDeletionProtectionOff(t *testing.T) {
	off := func(stack string) func([]netcheck.StackArtifact) []netcheck.StackArtifact {
		return func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
			db := find(t, s, stack, "AWS::RDS::DBInstance", nil)
			props(t, s, stack, db)["DeletionProtection"] = false
			return s
		}
	}
	rep, text := review(t, off("prod-Data"), tableOpts(t))
	if rep.ExitCode() != 1 {
		t.Fatalf("exit %d, want 1:\n%s", rep.ExitCode(), text)
	}
	f := findings(rep, "prod", Policy)
	if len(f) != 1 || f[0].Kind != "deletion-protection" || f[0].Property != "DeletionProtection" || !f[0].Decision {
		t.Fatalf("policy findings %+v", f)
	}
	mustSay(t, text, "stage prod (production): changed", "deletion-protection: DeletionProtection: true -> false")

	rep, text = review(t, off("project-1-Data"), tableOpts(t))
	if rep.ExitCode() != 0 || len(findings(rep, "project-1", Policy)) != 1 {
		t.Errorf("project-1 (not production): exit %d, want 0 with the loss shown:\n%s", rep.ExitCode(), text)
	}
}

// Every protection of the policy section, taken from prod one at a time.
func TestProductionProtections(t *testing.T) {
	for _, tc := range []struct {
		kind string
		edit func(t *testing.T, s []netcheck.StackArtifact)
	}{
		{"termination-protection", func(t *testing.T, s []netcheck.StackArtifact) {
			stackNamed(t, s, "prod-Data").TerminationProtection = false
		}},
		{"multi-az", func(t *testing.T, s []netcheck.StackArtifact) {
			props(t, s, "prod-Data", find(t, s, "prod-Data", "AWS::RDS::DBInstance", nil))["MultiAZ"] = false
		}},
		{"deletion-protection", func(t *testing.T, s []netcheck.StackArtifact) {
			props(t, s, "prod-Data", find(t, s, "prod-Data", "AWS::DynamoDB::Table", nil))["DeletionProtectionEnabled"] = false
		}},
		{"point-in-time-recovery", func(t *testing.T, s []netcheck.StackArtifact) {
			delete(props(t, s, "prod-Data", find(t, s, "prod-Data", "AWS::DynamoDB::Table", nil)), "PointInTimeRecoverySpecification")
		}},
		{"versioning", func(t *testing.T, s []netcheck.StackArtifact) {
			b := findID(t, s, "prod-Data", "DataBucket")
			props(t, s, "prod-Data", b)["VersioningConfiguration"] = map[string]any{"Status": "Suspended"}
		}},
		{"retention", func(t *testing.T, s []netcheck.StackArtifact) {
			props(t, s, "prod-Network", find(t, s, "prod-Network", "AWS::Logs::LogGroup", nil))["RetentionInDays"] = 365.0
		}},
		{"retention", func(t *testing.T, s []netcheck.StackArtifact) {
			props(t, s, "prod-Data", find(t, s, "prod-Data", "AWS::RDS::DBInstance", nil))["BackupRetentionPeriod"] = 7.0
		}},
		{"deletion-protection", func(t *testing.T, s []netcheck.StackArtifact) {
			lb := props(t, s, "prod-App", find(t, s, "prod-App", "AWS::ElasticLoadBalancingV2::LoadBalancer", nil))
			for _, a := range lb["LoadBalancerAttributes"].([]any) {
				if m := a.(map[string]any); m["Key"] == "deletion_protection.enabled" {
					m["Value"] = "false"
				}
			}
		}},
		{"subscribers", func(t *testing.T, s []netcheck.StackArtifact) {
			// prod deployed without -c alarmEmail: the topic stays, its subscription goes.
			delete(res(t, s, "prod-App"), find(t, s, "prod-App", "AWS::SNS::Subscription", nil))
		}},
		{"nat-per-zone", func(t *testing.T, s []netcheck.StackArtifact) {
			// One NAT gateway left: the second zone's private route goes to the first's.
			r := res(t, s, "prod-Network")
			nat2 := find(t, s, "prod-Network", "AWS::EC2::NatGateway", func(p map[string]any) bool {
				return strings.Contains(p["SubnetId"].(map[string]any)["Ref"].(string), "PublicSubnet2")
			})
			nat1 := find(t, s, "prod-Network", "AWS::EC2::NatGateway", func(p map[string]any) bool {
				return strings.Contains(p["SubnetId"].(map[string]any)["Ref"].(string), "PublicSubnet1")
			})
			delete(r, nat2)
			for _, body := range r {
				p, _ := body.(map[string]any)["Properties"].(map[string]any)
				if ref, ok := p["NatGatewayId"].(map[string]any); ok && ref["Ref"] == nat2 {
					ref["Ref"] = nat1
				}
			}
		}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact { tc.edit(t, s); return s }, tableOpts(t))
			var kinds []string
			for _, f := range findings(rep, "prod", Policy) {
				kinds = append(kinds, f.Kind)
			}
			if rep.ExitCode() != 1 || !slices.Contains(kinds, tc.kind) {
				t.Errorf("exit %d, policy findings %q; want 1 and %s:\n%s", rep.ExitCode(), kinds, tc.kind, text)
			}
		})
	}
}

// Flow-log retention lengthened: harmless, one line says so.
func TestRetentionLengthened(t *testing.T) {
	var group string
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		group = find(t, s, "project-1-Network", "AWS::Logs::LogGroup", nil)
		props(t, s, "project-1-Network", group)["RetentionInDays"] = 731.0
		return s
	}, tableOpts(t))
	if rep.ExitCode() != 0 || rep.Notices != 0 {
		t.Fatalf("exit %d, %d notices, want 0 and none:\n%s", rep.ExitCode(), rep.Notices, text)
	}
	want := "no change that needs a decision: nothing opens or closes, nothing is replaced or deleted, no protection is weakened, nothing widens (1 other change)"
	if rep.Summary != want {
		t.Errorf("summary %q, want %q", rep.Summary, want)
	}
	mustSay(t, text, "modified project-1-Network/"+group+" (AWS::Logs::LogGroup)")
}

// cloneStage copies the stacks of one stage as another, renaming the
// stacks and their cross-stack references.
func cloneStage(t testing.TB, s []netcheck.StackArtifact, from, to string) []netcheck.StackArtifact {
	t.Helper()
	for _, st := range slices.Clone(s) {
		if st.Stage != from {
			continue
		}
		raw, err := json.Marshal(st.Template)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.ReplaceAll(raw, []byte(`"`+from+`-`), []byte(`"`+to+`-`))
		var tpl map[string]any
		if err := json.Unmarshal(raw, &tpl); err != nil {
			t.Fatal(err)
		}
		st.Name, st.Stage, st.Template = to+strings.TrimPrefix(st.Name, from), to, tpl
		s = append(s, st)
	}
	slices.SortFunc(s, func(a, b netcheck.StackArtifact) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// A stage added in HEAD: reported as new, its flows checked against the
// table: as dev is, they hold; without the database's ingress from the web
// tier, web -> rds 3306 does not.
func TestStageAdded(t *testing.T) {
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact { return cloneStage(t, s, "dev", "qa") }, tableOpts(t))
	if rep.ExitCode() != 0 {
		t.Fatalf("exit %d, want 0:\n%s", rep.ExitCode(), text)
	}
	mustSay(t, text, "stage qa: added", "new stage: 3 stacks,", "stage dev: unchanged")

	rep, text = review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		s = cloneStage(t, s, "dev", "qa")
		delete(res(t, s, "qa-Network"), find(t, s, "qa-Network", "AWS::EC2::SecurityGroupIngress", func(p map[string]any) bool { return p["FromPort"] == 3306.0 }))
		return s
	}, tableOpts(t))
	flows := findings(rep, "qa", Reachability)
	if rep.ExitCode() != 1 || len(flows) == 0 {
		t.Fatalf("exit %d, flows %+v; want 1 and the flows against the table:\n%s", rep.ExitCode(), flows, text)
	}
	for _, f := range flows {
		if f.Kind != "unexpected" || f.Flow.Before != "" || !f.Decision {
			t.Errorf("%+v: want an unexpected flow of a new stage, a decision", f)
		}
	}
	if len(flows) != 1 || flows[0].Message != "web -> rds 3306 is block in the new stage, but expected.txt line 18 says allow" {
		t.Errorf("flows %+v", flows)
	}
	mustSay(t, text, "stage qa: added", "blocks now: SG_NO_INGRESS qa-Network/")
}

func TestStageRemoved(t *testing.T) {
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		return slices.DeleteFunc(s, func(st netcheck.StackArtifact) bool { return st.Stage == "dev" })
	}, tableOpts(t))
	if rep.ExitCode() != 1 {
		t.Fatalf("exit %d, want 1 (dev's table, database and buckets are deleted):\n%s", rep.ExitCode(), text)
	}
	mustSay(t, text, "stage dev: removed", "STATEFUL: deleted: the stack is gone")
}

// A new wildcard in the web role's policy, and a wider CIDR on the ALB group.
func TestWidening(t *testing.T) {
	var policy, alb string
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		policy = find(t, s, "prod-App", "AWS::IAM::Policy", nil)
		doc := props(t, s, "prod-App", policy)["PolicyDocument"].(map[string]any)
		doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
		alb = find(t, s, "prod-Network", "AWS::EC2::SecurityGroup", func(p map[string]any) bool { return strings.HasPrefix(p["GroupDescription"].(string), "Load balancer") })
		egress := props(t, s, "prod-Network", alb)
		egress["SecurityGroupEgress"] = []any{map[string]any{"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}}
		return s
	}, tableOpts(t))
	if rep.ExitCode() != 1 {
		t.Fatalf("exit %d, want 1:\n%s", rep.ExitCode(), text)
	}
	var kinds []string
	for _, f := range findings(rep, "prod", Widening) {
		kinds = append(kinds, f.Kind+" "+f.LogicalID)
	}
	slices.Sort(kinds)
	if want := []string{"iam-wildcard " + policy, "sg-new-rule " + alb}; !slices.Equal(kinds, want) {
		t.Errorf("widenings %q, want %q", kinds, want)
	}
	mustSay(t, text, "1 new grant with a wildcard (*)", "dynamodb:* on * for Role:", "prod-Network/"+alb+" (AWS::EC2::SecurityGroup): new rule: egress all traffic to 0.0.0.0/0")
}

func TestGrantCoverage(t *testing.T) {
	base := []grant{{"Role:web", "s3:GetObject*", "arn:aws:s3:::b/*", ""}, {"AWS:*", "kms:Decrypt", "*", `{"StringEquals":{"a":"b"}}`}}
	for _, tc := range []struct {
		h    grant
		want bool
	}{
		{grant{"Role:web", "s3:GetObject", "arn:aws:s3:::b/key", ""}, true},
		{grant{"Role:web", "S3:GetObjectVersion", "arn:aws:s3:::b/a/b", ""}, true},
		{grant{"Role:web", "s3:PutObject", "arn:aws:s3:::b/key", ""}, false},
		{grant{"Role:other", "s3:GetObject", "arn:aws:s3:::b/key", ""}, false},
		{grant{"Role:web", "s3:GetObject", "arn:aws:s3:::c/key", ""}, false},
		{grant{"Role:x", "kms:Decrypt", "k", `{"StringEquals":{"a":"b"}}`}, true},
		{grant{"Role:x", "kms:Decrypt", "k", ""}, false},
	} {
		if got := covered(tc.h, base); got != tc.want {
			t.Errorf("covered(%s) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestSGRuleCoverage(t *testing.T) {
	r := func(proto string, from, to int, peer string) sgRule {
		return sgRule{group: "g", proto: proto, from: from, to: to, peer: peer}
	}
	for _, tc := range []struct {
		b, h sgRule
		want bool
	}{
		{r("tcp", 80, 80, "cidr:10.0.0.0/16"), r("tcp", 80, 80, "cidr:10.0.1.0/24"), true},
		{r("tcp", 80, 80, "cidr:10.0.1.0/24"), r("tcp", 80, 80, "cidr:10.0.0.0/16"), false},
		{r("tcp", 80, 443, "sg:x"), r("tcp", 443, 443, "sg:x"), true},
		{r("tcp", 443, 443, "sg:x"), r("tcp", 80, 443, "sg:x"), false},
		{r("-1", 0, 65535, "cidr:0.0.0.0/0"), r("udp", 53, 53, "cidr:1.1.1.1/32"), true},
		{r("tcp", 0, 65535, "cidr:0.0.0.0/0"), r("udp", 53, 53, "cidr:1.1.1.1/32"), false},
	} {
		if got := tc.b.covers(tc.h); got != tc.want {
			t.Errorf("%s covers %s = %v, want %v", tc.b, tc.h, got, tc.want)
		}
	}
}

func TestBadInput(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("hello"), 0o644)
	notJSON := t.TempDir()
	os.WriteFile(filepath.Join(notJSON, "x-Network.template.json"), []byte("{\"Resources\": "), 0o644)
	badManifest := t.TempDir()
	os.WriteFile(filepath.Join(badManifest, "manifest.json"), []byte("not json"), 0o644)
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"no such directory", filepath.Join(empty, "nope"), "no such file or directory"},
		{"a file", filepath.Join(empty, "notes.txt"), "is a file, not a cloud assembly"},
		{"not an assembly", empty, "is not a cloud assembly (it has no manifest.json) nor a directory of templates (it has no *.template.json)"},
		{"a template that is not JSON", notJSON, "x-Network.template.json is not a CloudFormation template: unexpected end of JSON input"},
		{"a manifest that is not JSON", badManifest, "is not a readable cloud assembly"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want an error saying %q", err, tc.want)
			}
		})
	}

	t.Run("different apps", func(t *testing.T) {
		base, err := Load(goldenAssembly(t))
		if err != nil {
			t.Fatal(err)
		}
		other := t.TempDir()
		if err := assemblytest.WriteJSON(filepath.Join(other, "shop-Api.template.json"), map[string]any{"Resources": map[string]any{
			"Fn": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{}}}}); err != nil {
			t.Fatal(err)
		}
		head, err := Load(other)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Review(base, head, Options{})
		if err == nil || !strings.Contains(err.Error(), "share no stack, so they are not two versions of one app") || !strings.Contains(err.Error(), "HEAD has shop-Api") {
			t.Errorf("Review: %v", err)
		}
	})
}

// The golden directory reads as the assembly does, with a note that it
// records no termination protection.
func TestTemplateDirectory(t *testing.T) {
	dir, err := Load(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	for _, s := range dir.Stacks {
		if !slices.Contains(stages, s.Stage) {
			stages = append(stages, s.Stage)
		}
	}
	if want := []string{"dev", "prod", "project-1"}; !slices.Equal(stages, want) || dir.Assembly {
		t.Errorf("stages %q (assembly %v), want %q", stages, dir.Assembly, want)
	}
	asm, err := Load(writeAssembly(t, golden(t)))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Review(dir, asm, tableOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode() != 0 || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "termination protection not compared: BASE") {
		t.Errorf("exit %d, notes %q", rep.ExitCode(), rep.Notes)
	}
}

// The JSON field names are those the package documentation lists.
func TestJSONFieldNames(t *testing.T) {
	rep, _ := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		db := find(t, s, "prod-Network", "AWS::EC2::SecurityGroup", func(p map[string]any) bool { return strings.HasPrefix(p["GroupDescription"].(string), "Database") })
		props(t, s, "prod-Network", db)["SecurityGroupIngress"] = []any{map[string]any{"CidrIp": "10.2.1.0/24", "IpProtocol": "tcp", "FromPort": 3306.0, "ToPort": 3306.0}}
		props(t, s, "prod-Data", find(t, s, "prod-Data", "AWS::DynamoDB::Table", nil))["TableName"] = "Forum2"
		delete(res(t, s, "prod-Network"), find(t, s, "prod-Network", "AWS::EC2::SecurityGroupIngress", func(p map[string]any) bool { return p["FromPort"] == 80.0 }))
		return s
	}, tableOpts(t))
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	check := func(what string, got, allowed []string) {
		t.Helper()
		for _, k := range got {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s: field %q is not documented (%q)", what, k, allowed)
			}
		}
	}
	check("report", keys(doc), []string{"allowed", "base", "decisions", "head", "notes", "notices", "stages", "summary"})
	seen := map[string]bool{}
	for _, s := range doc["stages"].([]any) {
		stage := s.(map[string]any)
		check("stage", keys(stage), []string{"cost", "findings", "name", "otherChanges", "production", "stacks", "status"})
		if c, ok := stage["cost"].(map[string]any); ok {
			check("cost", keys(c), []string{"base", "baseNotPriced", "change", "head", "headNotPriced", "lines", "region"})
		}
		for _, f := range stage["findings"].([]any) {
			finding := f.(map[string]any)
			check("finding", keys(finding), []string{"allowKey", "allowed", "decision", "details", "flow", "kind", "logicalId", "message", "property", "rules", "section", "stack", "stateful", "type"})
			seen[finding["section"].(string)] = true
			if fl, ok := finding["flow"].(map[string]any); ok {
				check("flow", keys(fl), []string{"after", "before", "expected", "expectedLine", "from", "port", "to"})
			}
			for _, r := range asList(finding["rules"]) {
				check("rule", keys(r.(map[string]any)), []string{"change", "code", "direction", "message", "number", "resource"})
			}
		}
	}
	for _, s := range []string{Reachability, Replacement, Widening} {
		if !seen[s] {
			t.Errorf("no %s finding in the JSON", s)
		}
	}
	if doc["decisions"].(float64) < 2 {
		t.Errorf("decisions %v", doc["decisions"])
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// Markdown: the summary line first, each changed stage folded.
func TestMarkdown(t *testing.T) {
	rep, _ := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		props(t, s, "prod-Data", find(t, s, "prod-Data", "AWS::DynamoDB::Table", nil))["TableName"] = "Forum2"
		return s
	}, tableOpts(t))
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	first, _, _ := strings.Cut(md, "\n")
	if first != ":x: **Review: 3 changes need a decision**" {
		t.Errorf("first line %q", first)
	}
	for _, want := range []string{"| stage prod (production) | changed | 3 | 0 | 0 |", "<details><summary>stage prod (production): changed, 3 decision", "</details>",
		`TableName: "Forum" -&gt; "Forum2"`[:0] + `TableName: "Forum" -> "Forum2"`} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown does not hold %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "<details>") != 1 {
		t.Errorf("%d folded stages, want prod's alone:\n%s", strings.Count(md, "<details>"), md)
	}
}

// A pinned image that changes (web.Props.ImageId, stacks' Web.ImageId): the
// launch template's data changes, and the group's rolling update replaces
// every instance. Shown, nothing to decide; the same data is no finding.
func TestImageChangeReplacesEveryInstance(t *testing.T) {
	pin := func(image string) func([]netcheck.StackArtifact) []netcheck.StackArtifact {
		return func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
			lt := find(t, s, "prod-App", "AWS::EC2::LaunchTemplate", nil)
			props(t, s, "prod-App", lt)["LaunchTemplateData"].(map[string]any)["ImageId"] = image
			return s
		}
	}
	rep, text := review(t, pin("ami-0123456789abcdef0"), tableOpts(t))
	if rep.ExitCode() != 0 {
		t.Fatalf("exit %d, want 0:\n%s", rep.ExitCode(), text)
	}
	var got []Finding
	for _, f := range findings(rep, "prod", Replacement) {
		if f.Kind == InstancesReplaced {
			got = append(got, f)
		}
	}
	asg := find(t, golden(t), "prod-App", "AWS::AutoScaling::AutoScalingGroup", nil)
	if len(got) != 1 || got[0].LogicalID != asg || got[0].Decision {
		t.Fatalf("instance findings %+v, want one for %s, shown", got, asg)
	}
	mustSay(t, text, "replaces every instance", "ImageId")
	if len(findings(rep, "project-1", Replacement)) != 0 {
		t.Errorf("project-1's launch template is unchanged, yet: %+v", findings(rep, "project-1", Replacement))
	}
	// BASE and HEAD pinned to the same image: nothing.
	base, head := golden(t), golden(t)
	pin("ami-0123456789abcdef0")(base)
	pin("ami-0123456789abcdef0")(head)
	b, err := Load(writeAssembly(t, base))
	if err != nil {
		t.Fatal(err)
	}
	h, err := Load(writeAssembly(t, head))
	if err != nil {
		t.Fatal(err)
	}
	same, err := Review(b, h, tableOpts(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(findings(same, "prod", Replacement)); n != 0 {
		t.Errorf("the same pinned image: %d replacement findings", n)
	}
}

// A non-production topic that loses its last subscription is shown, naming
// the address; one that keeps a subscription (a new address) is not.
func TestSubscriberLost(t *testing.T) {
	rep, text := review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		delete(res(t, s, "dev-App"), find(t, s, "dev-App", "AWS::SNS::Subscription", nil))
		return s
	}, tableOpts(t))
	f := findings(rep, "dev", Policy)
	if rep.ExitCode() != 0 || len(f) != 1 || f[0].Kind != "subscribers" || f[0].Decision {
		t.Fatalf("exit %d, policy findings %+v; want 0 and one subscribers finding, shown:\n%s", rep.ExitCode(), f, text)
	}
	mustSay(t, text, "loses its last subscription (email alarms@example.com)")
	rep, text = review(t, func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		props(t, s, "dev-App", find(t, s, "dev-App", "AWS::SNS::Subscription", nil))["Endpoint"] = "ops@example.com"
		return s
	}, tableOpts(t))
	if f := findings(rep, "dev", Policy); len(f) != 0 {
		t.Errorf("a new address: policy findings %+v\n%s", f, text)
	}
}

// TestCostNatGatewayRemoved: a HEAD with one NAT gateway and its Elastic IP
// fewer than the golden templates reports the monthly saving of the gateway
// and the address, by line, in the stage's cost section, text and JSON.
func TestCostNatGatewayRemoved(t *testing.T) {
	head := t.TempDir()
	for _, st := range []string{"App", "Data", "Network"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "project-1-"+st+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		if st == "Network" {
			var tmpl map[string]any
			if err := json.Unmarshal(raw, &tmpl); err != nil {
				t.Fatal(err)
			}
			res := tmpl["Resources"].(map[string]any)
			delete(res, "NetworkPublicSubnet2NatGatewayE8F1C691")
			delete(res, "NetworkPublicSubnet2EipE0E488FD")
			if raw, err = json.Marshal(tmpl); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(head, "project-1-"+st+".template.json"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, err := Load(filepath.Join("..", "..", "test", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := Load(head)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Review(base, h, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stage *StageReport
	for i := range rep.Stages {
		if rep.Stages[i].Name == "project-1" {
			stage = &rep.Stages[i]
		}
	}
	if stage == nil || stage.Cost == nil {
		t.Fatalf("no cost section for project-1: %+v (notes %q)", stage, rep.Notes)
	}
	want := []string{"-1 NAT gateway: -$32.85", "-1 public IPv4 address: -$3.65"}
	if !slices.Equal(stage.Cost.Lines, want) || stage.Cost.Change != -36.50 {
		t.Errorf("cost = %+v, want change -36.50 and lines %q", stage.Cost, want)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, l := range append(want, "(-$36.50)") {
		if !strings.Contains(b.String(), l) {
			t.Errorf("the text report lacks %q:\n%s", l, b.String())
		}
	}
	b.Reset()
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "-1 NAT gateway: -$32.85") {
		t.Errorf("the Markdown report lacks the NAT gateway line:\n%s", b.String())
	}
}

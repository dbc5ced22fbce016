package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The command runs from the repository's root, where -expect's default is.
func chdirRoot(t *testing.T) {
	t.Helper()
	wd, _ := os.Getwd()
	t.Chdir(filepath.Join(wd, "..", ".."))
}

// edited copies the golden templates into a directory, editing one file's
// text.
func edited(t *testing.T, file string, edit func(string) string) string {
	t.Helper()
	dst := t.TempDir()
	files, _ := filepath.Glob(filepath.Join("test", "testdata", "*.template.json"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == file {
			raw = []byte(edit(string(raw)))
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestRun(t *testing.T) {
	chdirRoot(t)
	golden := filepath.Join("test", "testdata")
	renamed := edited(t, "prod-Data.template.json", func(s string) string {
		return strings.Replace(s, `"TableName": "Forum"`, `"TableName": "Forum2"`, 1)
	})
	notJSON := edited(t, "dev-App.template.json", func(string) string { return "{" })
	allow := filepath.Join(t.TempDir(), "allow.txt")
	os.WriteFile(allow, []byte("prod-Data/ForumTable1FBA2B20 the forum moves to a new table, copied over first\n"), 0o644)
	badAllow := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(badAllow, []byte("ForumTable short\n"), 0o644)
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "shop-Api.template.json"), []byte(`{"Resources": {}}`), 0o644)
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		out, err   string
		firstLine  string
		jsonReport bool
	}{
		{name: "the same templates", args: []string{golden, golden}, code: 0, out: "no change that needs a decision: nothing to decide"},
		{name: "the table renamed", args: []string{golden, renamed}, code: 1,
			out: `prod-Data/ForumTable1FBA2B20 (AWS::DynamoDB::Table) STATEFUL: replaced: TableName: "Forum" -> "Forum2"`},
		{name: "the table's exports", args: []string{golden, renamed}, code: 1,
			out: "prod-Data/ForumTable1FBA2B20: export-in-use: prod-Data replaced ForumTable1FBA2B20, the value of its export prod-Data:ExportsOutputFnGetAttForumTable1FBA2B20Arn"},
		// The allow entry covers the table, not the exports the app imports:
		// no entry makes CloudFormation change an export in use.
		{name: "allowed", args: []string{"-allow", allow, golden, renamed}, code: 1, out: "allowed by prod-Data/ForumTable1FBA2B20: the forum moves"},
		{name: "markdown", args: []string{"-format", "markdown", golden, renamed}, code: 1, firstLine: ":x: **Review: 3 changes need a decision**"},
		{name: "json", args: []string{"-format", "json", golden, renamed}, code: 1, jsonReport: true},
		{name: "no table", args: []string{"-expect", "", golden, golden}, code: 0, out: "nothing to decide"},
		{name: "usage", args: []string{golden}, code: 2, err: "usage: review"},
		{name: "bad format", args: []string{"-format", "yaml", golden, golden}, code: 2, err: `-format "yaml": want text, markdown or json`},
		{name: "not an assembly", args: []string{golden, t.TempDir()}, code: 2, err: "review: HEAD: "},
		{name: "a template that is not JSON", args: []string{golden, notJSON}, code: 2, err: "dev-App.template.json is not a CloudFormation template"},
		{name: "different apps", args: []string{golden, other}, code: 2, err: "share no stack, so they are not two versions of one app"},
		{name: "missing table", args: []string{"-expect", "nope.txt", golden, golden}, code: 2, err: "the expected table: open nope.txt"},
		{name: "bad allow file", args: []string{"-allow", badAllow, golden, golden}, code: 2, err: "want STACK/LOGICALID and a reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(tc.args, &out, &errs)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errs.String())
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout does not say %q:\n%s", tc.out, out.String())
			}
			if !strings.Contains(errs.String(), tc.err) || tc.err == "" && errs.Len() > 0 {
				t.Errorf("stderr %q, want %q", errs.String(), tc.err)
			}
			if first, _, _ := strings.Cut(out.String(), "\n"); tc.firstLine != "" && first != tc.firstLine {
				t.Errorf("first line %q, want %q", first, tc.firstLine)
			}
			if tc.jsonReport {
				var rep struct {
					Decisions int    `json:"decisions"`
					Summary   string `json:"summary"`
				}
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Decisions != 3 || rep.Summary != "3 changes need a decision" {
					t.Errorf("json: %v, %+v\n%s", err, rep, out.String())
				}
			}
		})
	}
}

// TestReplacedValuesAnotherStackReads: a change that replaces a resource
// whose value another stack imports (the database and web security groups,
// a private subnet) cannot deploy, since CloudFormation refuses to change an
// export in use: the review exits 1 and names the producer's resource, the
// consumer stack and where it reads the value.
func TestReplacedValuesAnotherStackReads(t *testing.T) {
	chdirRoot(t)
	golden := filepath.Join("test", "testdata")
	for _, tc := range []struct {
		name, from, to string
		want           []string // one line each: producer's resource, consumer stack, its use
	}{
		{"the database group", `"Database: MySQL from the web tier only; sends nothing"`, `"Database: MySQL from the web tier only"`,
			[]string{"project-1-Network/SecurityGroupsDatabase03711F2A: export-in-use: project-1-Network replaced SecurityGroupsDatabase03711F2A", "which project-1-Data imports (DatabaseInstanceAA8A5FDE.VPCSecurityGroups)"}},
		{"the web group", `"Web tier: HTTP and HTTPS from the load balancer only;`, `"Web tier: HTTP and HTTPS from the load balancer;`,
			[]string{"project-1-Network/SecurityGroupsWebAE39F2C2: export-in-use", "which project-1-App imports (WebLaunchTemplate"}},
		{"a private subnet", `"CidrBlock": "10.0.2.0/24"`, `"CidrBlock": "10.0.5.0/24"`,
			[]string{"project-1-Network/NetworkPrivateSubnet1E8491189: export-in-use", "which project-1-Data imports (DatabaseInstanceSubnetGroup",
				"which project-1-App imports (WebInstancesASG"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head := edited(t, "project-1-Network.template.json", func(s string) string {
				if !strings.Contains(s, tc.from) {
					t.Fatalf("the network template has no %s", tc.from)
				}
				return strings.Replace(s, tc.from, tc.to, 1)
			})
			var out, errs bytes.Buffer
			if code := run([]string{golden, head}, &out, &errs); code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", code, out.String(), errs.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("the review does not say %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "export-in-use") && strings.Contains(out.String(), "if intended, allow it: project-1-Network/SecurityGroups") {
				t.Errorf("an export in use is offered an allow entry:\n%s", out.String())
			}
		})
	}
}

// TestCostOfANatGatewayRemoved: a HEAD with one NAT gateway and its Elastic
// IP fewer than the golden templates makes the review report, in project-1's
// cost section, the monthly saving of the gateway and of the address, by line.
// The pipeline's Build step runs this command, so its log shows the same.
func TestCostOfANatGatewayRemoved(t *testing.T) {
	chdirRoot(t)
	golden := filepath.Join("test", "testdata")
	head := edited(t, "project-1-Network.template.json", func(s string) string {
		var tmpl map[string]any
		if err := json.Unmarshal([]byte(s), &tmpl); err != nil {
			t.Fatal(err)
		}
		res := tmpl["Resources"].(map[string]any)
		for _, id := range []string{"NetworkPublicSubnet2NatGatewayE8F1C691", "NetworkPublicSubnet2EipE0E488FD"} {
			if _, ok := res[id]; !ok {
				t.Fatalf("the network template has no %s", id)
			}
			delete(res, id)
		}
		raw, err := json.Marshal(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	})
	var out, errs bytes.Buffer
	code := run([]string{golden, head}, &out, &errs)
	if code == 2 {
		t.Fatalf("exit 2: %s", errs.String())
	}
	_, projectOne, _ := strings.Cut(out.String(), "\nstage project-1: ")
	for _, want := range []string{"(-$36.50)", "\n    -1 NAT gateway: -$32.85\n", "\n    -1 public IPv4 address: -$3.65\n"} {
		if !strings.Contains(projectOne, want) {
			t.Errorf("project-1's section does not say %q:\n%s", want, out.String())
		}
	}
	// docs/cost.md quotes this section: its lines are the command's.
	doc, err := os.ReadFile(filepath.Join("docs", "cost.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, quoted, ok := strings.Cut(string(doc), "and its Elastic IP reads:\n\n```\n")
	quoted, _, _ = strings.Cut(quoted, "```")
	if !ok || quoted == "" {
		t.Fatal("docs/cost.md has no example after \"and its Elastic IP reads:\"")
	}
	for _, line := range strings.Split(strings.TrimSuffix(quoted, "\n"), "\n") {
		if !strings.Contains(projectOne, line+"\n") {
			t.Errorf("docs/cost.md quotes %q, which project-1's section does not print:\n%s", line, projectOne)
		}
	}
}

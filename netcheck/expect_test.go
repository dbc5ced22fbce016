package netcheck

import (
	"slices"
	"strings"
	"testing"
)

func TestParseExpectations(t *testing.T) {
	in := `# the spec
internet -> alb 80,443 allow

  EC2 -> DB 3306 Allowed   # aliases, any case
internet->web 22 block
internet -> nat 443 deny
`
	got, err := ParseExpectations(strings.NewReader(in))
	if err == nil {
		t.Fatalf("want an error: \"internet->web\" lacks spaces around ->, got %v", got)
	}
	if !strings.Contains(err.Error(), "line 5") {
		t.Errorf("error %q does not name line 5", err)
	}

	in = strings.Replace(in, "internet->web", "internet -> web", 1)
	got, err = ParseExpectations(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Expectation{
		{Internet, ALB, 80, true, 2},
		{Internet, ALB, 443, true, 2},
		{Web, RDS, 3306, true, 4},
		{Internet, Web, 22, false, 5},
		{Internet, NAT, 443, false, 6},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if s := got[3].String(); s != "internet -> web 22 block" {
		t.Errorf("String() = %q", s)
	}

	for _, bad := range []string{
		"internet -> alb 80",
		"internet -> alb 80 maybe",
		"internet -> s3 80 allow",
		"internet -> alb 0 allow",
		"internet -> alb 80,,443 allow",
		"internet => alb 80 allow",
	} {
		if _, err := ParseExpectations(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestExpectationMet(t *testing.T) {
	for _, tc := range []struct {
		allowed bool
		verdict Verdict
		met     bool
	}{
		{true, VerdictAllow, true},
		{true, VerdictBlock, false},
		{true, VerdictPartial, false},
		{true, VerdictUnknown, false},
		{false, VerdictBlock, true},
		{false, VerdictAllow, false},
		{false, VerdictPartial, false},
		{false, VerdictUnknown, false},
	} {
		x := Expectation{Allowed: tc.allowed}
		if got := x.Met(Result{Verdict: tc.verdict}); got != tc.met {
			t.Errorf("expect allowed=%v, verdict %s: met=%v", tc.allowed, tc.verdict, got)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string]Endpoint{"Internet": Internet, "ALB": ALB, "lb": ALB, "ec2": Web, "database": RDS, " nat ": NAT} {
		if got, err := ParseEndpoint(in); err != nil || got != want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseEndpoint("vpn"); err == nil {
		t.Error("vpn: want an error")
	}
}

func TestMermaid(t *testing.T) {
	m := baseStack().model(t)
	d := m.Mermaid()
	if d != m.Mermaid() {
		t.Error("two renderings differ")
	}
	for _, want := range []string{
		"flowchart LR\n",
		`subgraph vpc1["VPC Vpc 10.0.0.0/16"]`,
		`{{"internet gateway Igw"}}`,
		`["us-east-1a"]`,
		`PublicA 10.0.1.0/24<br/>RT PublicARt, default ACL`,
		`(["nat: Nat (public IP)"])`,
		`["alb: Alb (public IP)"]`,
		`[("rds: Db")]`,
		"internet --- igw2",
		`-.->|"0.0.0.0/0"| igw2`,
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diagram lacks %q:\n%s", want, d)
		}
	}
	// Allowed flows: internet to the ALB on 80 only, web to the database.
	ids := map[string]string{}
	for _, line := range strings.Split(d, "\n") {
		line = strings.TrimSpace(line)
		for _, name := range []string{"alb", "web", "rds"} {
			if strings.Contains(line, `"`+name+": ") {
				ids[name] = line[:strings.IndexAny(line, "[(")]
			}
		}
	}
	for _, edge := range []string{
		`internet ==>|"TCP 80"| ` + ids["alb"],
		ids["alb"] + ` ==>|"TCP 80"| ` + ids["web"],
		ids["web"] + ` ==>|"TCP 3306"| ` + ids["rds"],
	} {
		if !strings.Contains(d, edge) {
			t.Errorf("diagram lacks the edge %q:\n%s", edge, d)
		}
	}
	if strings.Contains(d, ids["alb"]+` ==>|"TCP 3306"| `+ids["rds"]) || strings.Contains(d, `internet ==>|"TCP 80"| `+ids["web"]) {
		t.Errorf("diagram draws a blocked flow:\n%s", d)
	}
	if got := m.Mermaid(3306); strings.Contains(got, `"TCP 80"`) {
		t.Errorf("Mermaid(3306) draws port 80:\n%s", got)
	}

	// An intermittent flow is a crossed arrow: the public ACL drops the
	// load balancer's replies on 3389.
	m = baseStack().acl("PubAcl", []string{"PublicA"},
		"in 60 deny 0.0.0.0/0 3389",
		"in 100 allow 0.0.0.0/0 80",
		"in 120 allow 0.0.0.0/0 1024-65535",
		"out 100 allow 0.0.0.0/0 all").model(t)
	d = m.Mermaid(80)
	if !strings.Contains(d, ids["alb"]+` --x|"TCP 80: replies partly dropped"| `+ids["web"]) || strings.Contains(d, ids["alb"]+` ==>`) {
		t.Errorf("diagram does not cross the intermittent alb -> web:\n%s", d)
	}
	if !strings.Contains(d, `internet ==>|"TCP 80"| `+ids["alb"]) {
		t.Errorf("diagram lacks the open internet -> alb:\n%s", d)
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"NetworkPublicSubnet13B56D098": "NetworkPublicSubnet1",
		"Vpc":                          "Vpc",
		"ABCDEF12":                     "ABCDEF12",
		"WebSgabcdef12":                "WebSgabcdef12",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	a := newStack().
		add("Vpc", "AWS::EC2::VPC", obj{"CidrBlock": "10.1.0.0/16"}).
		export("O1", "cidr", getAtt("Vpc", "CidrBlock")).
		export("O2", "chain", importValue("cidr"))
	a.t["Parameters"] = obj{"P": obj{"Type": "String", "Default": "10.2.0.0/16"}}
	ix, err := newIndex(map[string]map[string]any{"A": a.t}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := func(x any) value { return value{"A", x} }
	for _, tc := range []struct {
		in   any
		want string
		ok   bool
	}{
		{"literal", "literal", true},
		{importValue("cidr"), "10.1.0.0/16", true},
		{importValue("chain"), "10.1.0.0/16", true},
		{obj{"Fn::GetAtt": "Vpc.CidrBlock"}, "10.1.0.0/16", true},
		{ref("Vpc"), "", false},
		{ref("P"), "", false}, // parameters are deploy-time values
		{obj{"Fn::Join": arr{"", arr{"10.", "3.0.0/16"}}}, "", false},
		{importValue("missing"), "", false},
	} {
		got, ok := ix.str(v(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("str(%v) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for in, want := range map[any]int{float64(6): 6, "-1": -1, " 100 ": 100} {
		if got, ok := ix.num(v(in)); !ok || got != want {
			t.Errorf("num(%v) = %d, %v", in, got, ok)
		}
	}
	if _, ok := ix.num(v(1.5)); ok {
		t.Error("num(1.5) resolved")
	}
	for in, want := range map[any]bool{true: true, "false": false, "true": true} {
		if got, ok := ix.flag(v(in)); !ok || got != want {
			t.Errorf("flag(%v) = %v, %v", in, got, ok)
		}
	}
	if r := ix.target(v(obj{"Fn::GetAtt": arr{"Vpc", "CidrBlock"}})); r == nil || r.id != "Vpc" {
		t.Errorf("target(GetAtt Vpc) = %v", r)
	}
	if l := ix.list(v(obj{"Fn::Split": arr{",", obj{"Fn::Join": arr{";", arr{"a"}}}}})); l != nil {
		t.Errorf("Fn::Split on another delimiter resolved to %v", l)
	}
}

package test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/constructs/network"
	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/stacks"
	"github.com/project-1/project-1/netcheck"
)

func TestEveryEnvironmentSynthesizes(t *testing.T) {
	var names []string
	for name := range synthAll().all {
		names = append(names, name)
	}
	slices.Sort(names)
	var want []string
	for _, e := range environments() {
		want = append(want, e.Name)
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("synthesized environments %q, want every one of config.Environments(), %q", names, want)
	}
	if prod := synthAll().all["prod"]; prod != nil && *prod.stage.Network.Stack.Region() != "eu-west-1" {
		t.Errorf("prod is in %s, want eu-west-1", *prod.stage.Network.Stack.Region())
	}
}

// TestNetworksMatchTheirConfig: each environment's VPC, subnets and NAT
// gateways are the ones its configuration states, and every private subnet
// routes 0.0.0.0/0 to a NAT gateway of its stack: the one in its zone when
// there is one per zone, the shared one otherwise.
func TestNetworksMatchTheirConfig(t *testing.T) {
	for name, e := range synthAll().all {
		s := e.stacks["Network"]
		cfg := e.env.Network
		vpc := s.resources("AWS::EC2::VPC")
		if len(vpc) != 1 || props(vpc[vpcID(t, s)])["CidrBlock"] != cfg.Cidr {
			t.Errorf("%s: VPC %v, want one with CIDR %s", name, vpc, cfg.Cidr)
		}
		subnets := s.resources("AWS::EC2::Subnet")
		if len(subnets) != len(cfg.Subnets) {
			t.Errorf("%s: %d subnets, want %d", name, len(subnets), len(cfg.Subnets))
		}
		for _, want := range cfg.Subnets {
			p := props(subnets[subnetByName(t, s, want.Name)])
			if p["CidrBlock"] != want.Cidr || p["AvailabilityZone"] != want.AvailabilityZone {
				t.Errorf("%s: %s is %v in %v, want %s in %s", name, want.Name, p["CidrBlock"], p["AvailabilityZone"], want.Cidr, want.AvailabilityZone)
			}
		}
		nats := s.resources("AWS::EC2::NatGateway")
		if len(nats) != cfg.NatGateways || len(s.resources("AWS::EC2::EIP")) != cfg.NatGateways {
			t.Errorf("%s: %d NAT gateways, %d Elastic IPs, want %d of each", name, len(nats), len(s.resources("AWS::EC2::EIP")), cfg.NatGateways)
		}
		tableOf := routeTables(t, s)
		var used []string
		for _, want := range cfg.Subnets {
			if want.Public {
				continue
			}
			var nat string
			for _, r := range s.resources("AWS::EC2::Route") {
				if ref(props(r)["RouteTableId"]) == tableOf[subnetByName(t, s, want.Name)] {
					nat = ref(props(r)["NatGatewayId"])
				}
			}
			body, ok := nats[nat]
			if !ok {
				t.Errorf("%s: %s routes to %q, which is not a NAT gateway of the stack", name, want.Name, nat)
				continue
			}
			zone := props(subnets[ref(props(body)["SubnetId"])])["AvailabilityZone"]
			if cfg.NatGateways > 1 && zone != want.AvailabilityZone {
				t.Errorf("%s: %s (%s) uses the NAT gateway in %v, want its own zone's", name, want.Name, want.AvailabilityZone, zone)
			}
			if !slices.Contains(used, nat) {
				used = append(used, nat)
			}
		}
		if len(used) != cfg.NatGateways {
			t.Errorf("%s: private subnets use %d NAT gateways, want all %d", name, len(used), cfg.NatGateways)
		}
	}
}

// TestSynthesisIsDeterministic synthesizes every environment a second time,
// in a new app, and compares each template byte for byte.
func TestSynthesisIsDeterministic(t *testing.T) {
	app := scratchApp(t)
	stages, err := stacks.BuildApp(app, environments(), config.AllEnvironments)
	must(t, "build", err)
	check(t, "synthesize", func() { app.Synth(nil) })
	compared := 0
	for _, stage := range stages {
		dir := *stage.Synth(nil).Directory()
		for _, s := range stage.Stacks() {
			again, err := os.ReadFile(filepath.Join(dir, *s.TemplateFile()))
			must(t, "read", err)
			first := synthAll().all[*stage.StageName()].stacks[*s.Node().Id()]
			if !bytes.Equal(first.raw, again) {
				t.Errorf("%s differs between two syntheses of the same code", first.name)
			}
			compared++
		}
	}
	want := 0
	for _, e := range environments() {
		want += 3
		if e.Backup.CopyRegion != "" {
			want++ // the backup copy's stack
		}
	}
	if compared != want {
		t.Errorf("compared %d templates, want %d", compared, want)
	}
}

// unknownEnvironment is a name no environment may take: Validate refuses names
// with underscores.
const unknownEnvironment = "no_such_environment"

// TestBadConfigAcrossEnvironments: what only the set of environments can get
// wrong, each named with the environment, the field and the value.
func TestBadConfigAcrossEnvironments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func([]config.Environment)
		want   []string
	}{
		{"overlapping VPC CIDRs", func(es []config.Environment) {
			es[1].Network.Cidr = "10.0.0.0/16"
			es[1].Network.Subnets = slices.Clone(es[0].Network.Subnets)
		}, []string{`environment "dev": Network.Cidr "10.0.0.0/16" overlaps environment "project-1"'s Network.Cidr "10.0.0.0/16"`}},
		{"a block inside another environment's", func(es []config.Environment) {
			es[1].Network.Cidr = "10.0.128.0/17"
		}, []string{`environment "dev": Network.Cidr "10.0.128.0/17" overlaps environment "project-1"'s Network.Cidr "10.0.0.0/16"`}},
		{"a block holding another environment's", func(es []config.Environment) {
			es[0].Network.Cidr = "10.1.0.0/16"
			es[1].Network.Cidr = "10.1.0.0/17"
		}, []string{`environment "dev": Network.Cidr "10.1.0.0/17" overlaps environment "project-1"'s Network.Cidr "10.1.0.0/16"`}},
		{"duplicate name", func(es []config.Environment) { es[2].Name = "dev" },
			[]string{`environment "dev": Name "dev" is used by another environment too`}},
		{"one table name in one region", func(es []config.Environment) { es[1].Storage.TableName = "Forum" },
			[]string{`environment "dev": Storage.TableName "Forum" is also environment "project-1"'s, in the same region us-east-1`}},
		{"an invalid environment among valid ones", func(es []config.Environment) { es[2].Web.Instances = 50 },
			[]string{`environment "prod": Web.Instances 50`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			envs := environments()
			tc.change(envs)
			err := config.ValidateAll(envs)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
	if err := config.ValidateAll(environments()); err != nil {
		t.Errorf("the shipped environments are invalid: %v", err)
	}
	// Adjacent blocks do not overlap.
	envs := environments()
	envs[1].Network.Cidr = "10.1.0.0/16"
	if err := config.ValidateAll(envs); err != nil && strings.Contains(err.Error(), "overlaps environment") {
		t.Errorf("10.0.0.0/16 and 10.1.0.0/16 reported as overlapping: %v", err)
	}
}

// TestAddAnEnvironment follows docs/configuration.md's "Add an environment" with one
// more environment, built here rather than in config.Environments: it passes
// validation with the others, synthesizes with no finding, and the spec's
// reachability table holds on it.
func TestAddAnEnvironment(t *testing.T) {
	staging := environments()[0]
	staging.Name = "staging"
	staging.Region = "ap-southeast-2"
	staging.Network.Name = "project-1-staging"
	staging.Network.Cidr = "10.9.0.0/16"
	staging.Network.Subnets = network.SpecLayout(9, "ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c")
	staging.Network.NatGateways = 3
	staging.Storage.TableName = "Forum-staging"
	envs := append(environments(), staging)
	must(t, "validate", config.ValidateAll(envs))

	app := scratchApp(t)
	stages, err := stacks.BuildApp(app, envs, staging.Name)
	must(t, "build", err)
	findings, err := stacks.Synth(app)
	must(t, "synthesize", err)
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
	loaded, err := netcheck.LoadStages(*stages[0].Synth(nil).Directory())
	must(t, "load the assembly", err)
	if len(loaded) != 1 {
		t.Fatalf("%d stages in the environment's assembly, want 1", len(loaded))
	}
	checkStage(t, loaded[0], expectedFlows(t))
	if n := len(loaded[0].Model.Placements(netcheck.RDS)); n != 3 {
		t.Errorf("the database is placed in %d subnets, want the three private ones", n)
	}
}

// TestReadmeEnvironmentsTable: the table of environments of
// docs/configuration.md says what
// each environment's configuration is: region, VPC block, NAT gateways, web
// tier, database class and Multi-AZ, protections on or off.
func TestReadmeEnvironmentsTable(t *testing.T) {
	rows := map[string][]string{}
	for _, line := range strings.Split(docSection(t, "docs/configuration.md", "Environments"), "\n") {
		m := regexp.MustCompile("^\\| `([a-z0-9-]+)`( \\(default\\))? \\|(.*)\\|$").FindStringSubmatch(line)
		if m == nil {
			continue
		}
		cells := strings.Split(m[3], "|")
		if len(cells) == 6 {
			rows[m[1]] = cells
		}
	}
	for _, e := range environments() {
		cells, ok := rows[e.Name]
		if !ok {
			t.Errorf("docs/configuration.md's environments table has no row for %s", e.Name)
			continue
		}
		zone := strings.TrimSpace(cells[0])
		multiAz := map[bool]string{true: "Multi-AZ", false: "single-AZ"}[e.Database.MultiAz]
		protections := map[bool]string{true: "everything on", false: "protection off"}[e.TerminationProtection && e.Database.DeletionProtection && e.Storage.TableDeletionProtection && e.Web.DeletionProtection]
		for _, c := range []struct {
			cell int
			want string
		}{
			{1, "`" + e.Network.Cidr + "`"},
			{2, fmt.Sprintf("%d, ", e.Network.NatGateways)},
			{3, fmt.Sprintf("%d x %s", e.Web.Instances, e.Web.InstanceType)},
			{4, "db." + e.Database.InstanceType + ", " + multiAz},
			{5, protections},
		} {
			if !strings.Contains(cells[c.cell], c.want) {
				t.Errorf("docs/configuration.md, %s: %q does not say %q", e.Name, strings.TrimSpace(cells[c.cell]), c.want)
			}
		}
		if !strings.HasPrefix(zone, e.Region) {
			t.Errorf("docs/configuration.md, %s: zones %q are not in %s", e.Name, zone, e.Region)
		}
	}
}

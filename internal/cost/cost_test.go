package cost_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/cost"
	"github.com/project-1/project-1/netcheck"
)

// golden reads the golden templates of one environment (test/testdata) as
// the stacks of stage env, with no region: the estimator reads it from the
// availability zones, as for a directory of templates.
func golden(t *testing.T, env string) []netcheck.StackArtifact {
	t.Helper()
	var out []netcheck.StackArtifact
	for _, st := range []string{"App", "Data", "Network"} {
		name := env + "-" + st
		raw, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", name+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		var tmpl map[string]any
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			t.Fatal(err)
		}
		out = append(out, netcheck.StackArtifact{Name: name, Stage: env, Template: tmpl})
	}
	return out
}

func estimate(t *testing.T, stacks []netcheck.StackArtifact, table cost.Table) *cost.Stage {
	t.Helper()
	st, err := cost.EstimateStage(stacks[0].Stage, stacks, table, cost.DefaultAssumptions())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func resources(s netcheck.StackArtifact) map[string]any {
	r, _ := s.Template["Resources"].(map[string]any)
	return r
}

// edit applies fn to the named resource's properties in stacks.
func edit(t *testing.T, stacks []netcheck.StackArtifact, stack, id string, fn func(p map[string]any)) {
	t.Helper()
	for _, s := range stacks {
		if s.Name == stack {
			r, ok := resources(s)[id].(map[string]any)
			if !ok {
				t.Fatalf("%s has no %s", stack, id)
			}
			fn(r["Properties"].(map[string]any))
			return
		}
	}
	t.Fatalf("no stack %s", stack)
}

// TestEveryResourcePricedOrListed: on every golden environment, each
// resource of the templates is priced (a fixed or usage line), listed as
// not priced with a reason, or counted as free with a reason; no line is
// priced at zero.
func TestEveryResourcePricedOrListed(t *testing.T) {
	for _, env := range []string{"project-1", "dev", "prod"} {
		stacks := golden(t, env)
		st := estimate(t, stacks, cost.Prices)
		seen := map[string]bool{}
		for _, l := range append(slices.Clone(st.Fixed), st.Usage...) {
			seen[l.Stack+"/"+l.LogicalID] = true
			if l.UnitUSD <= 0 || l.Monthly < 0 || (l.Count > 0 && l.Monthly == 0) {
				t.Errorf("%s: %s/%s %s priced at %v × $%v = $%v", env, l.Stack, l.LogicalID, l.Kind, l.Count, l.UnitUSD, l.Monthly)
			}
		}
		for _, n := range st.NotPriced {
			seen[n.Stack+"/"+n.LogicalID] = true
			if n.Reason == "" {
				t.Errorf("%s: %s/%s not priced without a reason", env, n.Stack, n.LogicalID)
			}
		}
		free := map[string]int{}
		for _, f := range st.Free {
			free[f.Type] = f.Count
			if f.Reason == "" {
				t.Errorf("%s: %s free without a reason", env, f.Type)
			}
		}
		for _, s := range stacks {
			for id, r := range resources(s) {
				typ := r.(map[string]any)["Type"].(string)
				if seen[s.Name+"/"+id] {
					continue
				}
				if typ == "AWS::EC2::VPCEndpoint" {
					typ += " (Gateway)"
				}
				if free[typ] == 0 {
					t.Errorf("%s: %s/%s (%s) is neither priced, nor not priced, nor free", env, s.Name, id, typ)
				}
			}
		}
	}
}

// TestEveryPricedTypeOnTheGoldens: each kind of priced line appears on the
// golden templates of us-east-1 (project-1 and dev), so that every price of
// the table that the templates use is exercised.
func TestEveryPricedTypeOnTheGoldens(t *testing.T) {
	used := map[string]bool{}
	for _, env := range []string{"project-1", "dev"} {
		st := estimate(t, golden(t, env), cost.Prices)
		for _, l := range append(st.Fixed, st.Usage...) {
			used[l.PriceKey] = true
		}
	}
	for key := range cost.Prices["us-east-1"] {
		if !used[key] {
			t.Errorf("the us-east-1 price %s prices no line of project-1 or dev", key)
		}
	}
}

// TestProject1FixedTotalByHand: project-1's fixed total is the sum, done by
// hand from the table, of what its templates create.
func TestProject1FixedTotalByHand(t *testing.T) {
	st := estimate(t, golden(t, "project-1"), cost.Prices)
	const hours = 730
	hand := 0.0
	hand += 2 * 0.045 * hours       // two NAT gateways: $65.70
	hand += (2 + 2) * 0.005 * hours // two Elastic IPs and the load balancer's address in each of two zones: $14.60
	hand += 16.43                   // the load balancer, 0.0225 × 730 = 16.425, rounded to the cent as a line
	hand += 7 * 1.00                // KMS keys: flow logs, data bucket, table, database, alarm topic, web ACL logs, backup vault
	hand += 0.40                    // the database's secret
	hand += (15 + 2 + 8) * 0.10     // 17 alarms: 15 of one metric, one of 2, one of 8
	hand += 5.00 + 4*1.00           // the web ACL and its 4 rules (3 managed rule groups, the rate rule)
	hand += 3.00                    // the dashboard
	hand += 20 * 0.115 * 2          // 20 GB of gp3, Multi-AZ: $4.60
	hand += 2 * 8 * 0.08            // the two web servers' 8 GB gp3 volumes: $1.28
	hand += 53.00                   // the two web servers, c7g.medium: 2 × 0.0363 × 730 = 52.998, rounded as a line
	hand += 24.82                   // the database, db.t3.micro Multi-AZ: 2 × 0.017 × 730 = 24.82
	if got, want := st.FixedTotal, 202.33; got != want || abs(hand-want) > 0.005 {
		t.Errorf("project-1's fixed total = $%.2f, the hand computation $%.2f; want $%.2f", got, hand, want)
	}
	// What the total leaves out, and says it does: the fixed charges the table
	// has no price for.
	np := map[string]int{}
	for _, n := range st.NotPriced {
		if !n.Usage {
			np[n.Kind]++
		}
	}
	want := map[string]int{
		"KMS key rotation":        7, // every key rotates: its second year's backing key
		"EC2 detailed monitoring": 1, // the launch template's Monitoring
		"RDS Enhanced Monitoring": 1, // MonitoringInterval 60
	}
	if !maps.Equal(np, want) {
		t.Errorf("fixed lines not priced = %v, want %v", np, want)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestUnknownInstanceTypeNotPriced: an instance type the table does not
// have is listed as not priced, by name, never priced at zero.
func TestUnknownInstanceTypeNotPriced(t *testing.T) {
	stacks := golden(t, "dev")
	edit(t, stacks, "dev-App", "WebInstancesASG09F72588", func(p map[string]any) {
		o := p["MixedInstancesPolicy"].(map[string]any)["LaunchTemplate"].(map[string]any)["Overrides"].([]any)
		o[0].(map[string]any)["InstanceType"] = "x9z.huge"
	})
	st := estimate(t, stacks, cost.Prices)
	for _, n := range st.NotPriced {
		if n.Kind == "EC2 instance x9z.huge" && strings.Contains(n.Reason, "x9z.huge") && n.Count == 1 {
			return
		}
	}
	t.Errorf("no not-priced line names x9z.huge: %+v", st.NotPriced)
}

// TestRegionNotInTable: a stage in a region the table lacks is an error
// naming the region and the stage.
func TestRegionNotInTable(t *testing.T) {
	stacks := golden(t, "dev")
	for i := range stacks {
		stacks[i].Region = "ap-south-1"
	}
	_, err := cost.Estimate(stacks, cost.Prices, cost.DefaultAssumptions())
	if err == nil || !strings.Contains(err.Error(), `"ap-south-1"`) || !strings.Contains(err.Error(), `"dev"`) {
		t.Errorf("err = %v, want one naming region ap-south-1 and stage dev", err)
	}
}

// TestRegionUnknown: a stage with no region in the manifest and no
// availability zone in its templates is an error, not a guess.
func TestRegionUnknown(t *testing.T) {
	stacks := []netcheck.StackArtifact{{Name: "x-App", Stage: "x", Template: map[string]any{"Resources": map[string]any{
		"Key": map[string]any{"Type": "AWS::KMS::Key", "Properties": map[string]any{}}}}}}
	if _, err := cost.Estimate(stacks, cost.Prices, cost.DefaultAssumptions()); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("err = %v, want one saying the region cannot be told", err)
	}
}

// TestEnvironmentsRegionsInTable: every region config.Environments uses has
// prices, and every price has its source, its date and its basis.
func TestEnvironmentsRegionsInTable(t *testing.T) {
	for _, e := range config.Environments() {
		if _, ok := cost.Prices[e.Region]; !ok {
			t.Errorf("environment %s: region %s is not in the price table", e.Name, e.Region)
		}
	}
	for region, prices := range cost.Prices {
		for key, p := range prices {
			if p.USD <= 0 || !strings.HasPrefix(p.Source, "http") || p.Read == "" || !slices.Contains([]string{cost.AWS, cost.AWSPriceList, cost.Secondary}, p.Basis) || p.Unit == "" {
				t.Errorf("%s %s: %+v lacks a price, source, date, unit or basis", region, key, p)
			}
			if p.Basis == cost.AWS && !strings.Contains(p.Source, "aws.amazon.com") {
				t.Errorf("%s %s: basis aws, but read on %s", region, key, p.Source)
			}
			if p.Basis == cost.AWSPriceList && !strings.HasPrefix(p.Source, "https://github.com/aws/") {
				t.Errorf("%s %s: basis aws-price-list, but read in %s, not a repository of the aws organization", region, key, p.Source)
			}
			if i := strings.Index(key, ":"); i >= 0 {
				key = key[:i+1] // EC2Prefix or RDSMySQLPrefix: one reason for every type
			}
			if _, ok := cost.Unpriced[key]; !ok && key != cost.PublicIPv4Hour && key != cost.KMSKeyMonth {
				t.Errorf("%s: no Unpriced reason for a region that lacks it", key)
			}
		}
	}
}

// TestStacksPricedInTheirRegions: a stage whose stacks are in two regions
// (the pipeline's top level) prices each stack at its own region's prices,
// and names both regions.
func TestStacksPricedInTheirRegions(t *testing.T) {
	key := map[string]any{"Resources": map[string]any{"Key": map[string]any{"Type": "AWS::KMS::Key", "Properties": map[string]any{}},
		"Lb": map[string]any{"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": map[string]any{"Scheme": "internal"}}}}
	table := cost.Table{
		"us-east-1": {cost.KMSKeyMonth: {USD: 1, Unit: "month"}, cost.ALBHour: {USD: 0.01, Unit: "hour"}},
		"eu-west-1": {cost.KMSKeyMonth: {USD: 1, Unit: "month"}, cost.ALBHour: {USD: 0.02, Unit: "hour"}},
	}
	stacks := []netcheck.StackArtifact{
		{Name: "Pipeline", Stage: "", Region: "us-east-1", Template: key},
		{Name: "Support", Stage: "", Region: "eu-west-1", Template: key},
	}
	st, err := cost.EstimateStage("", stacks, table, cost.DefaultAssumptions())
	if err != nil {
		t.Fatal(err)
	}
	// Two keys, and a load balancer's hours at each region's price: 7.30 + 14.60.
	if st.Region != "eu-west-1, us-east-1" || st.FixedTotal != 2+7.30+14.60 {
		t.Errorf("region %q, fixed total %v; want both regions and 23.90", st.Region, st.FixedTotal)
	}
	stacks[1].Region = "ap-south-1"
	if _, err := cost.EstimateStage("", stacks, table, cost.DefaultAssumptions()); err == nil || !strings.Contains(err.Error(), `"ap-south-1"`) {
		t.Errorf("err = %v, want one naming ap-south-1", err)
	}
}

// TestWAFLogsAreVended: the web ACL's log group (AWS WAF logs only to a log
// group named aws-waf-logs-...) is not priced at the standard ingestion
// price, as VPC flow logs are not: both are vended logs. Renamed, the same
// log group is an ordinary one, priced.
func TestWAFLogsAreVended(t *testing.T) {
	const id = "WebFirewallLogsC2FE97CD"
	ingestion := func(st *cost.Stage) (priced, vended int) {
		for _, l := range st.Usage {
			if l.LogicalID == id && strings.HasPrefix(l.Kind, "CloudWatch Logs ingestion") {
				priced++
			}
		}
		for _, n := range st.NotPriced {
			if n.LogicalID == id && n.Kind == "CloudWatch Logs ingestion (AWS WAF logs)" && n.Usage {
				vended++
			}
		}
		return priced, vended
	}
	stacks := golden(t, "project-1")
	if priced, vended := ingestion(estimate(t, stacks, cost.Prices)); priced != 0 || vended != 1 {
		t.Errorf("the WAF log group: %d priced ingestion lines, %d vended not-priced ones; want 0 and 1", priced, vended)
	}
	edit(t, stacks, "project-1-App", id, func(p map[string]any) { p["LogGroupName"] = "app-logs" })
	if priced, vended := ingestion(estimate(t, stacks, cost.Prices)); priced != 1 || vended != 0 {
		t.Errorf("the log group renamed app-logs: %d priced ingestion lines, %d vended not-priced ones; want 1 and 0", priced, vended)
	}
}

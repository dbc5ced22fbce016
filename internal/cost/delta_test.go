package cost_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/project-1/project-1/internal/cost"
	"github.com/project-1/project-1/netcheck"
)

// withTestPrices is the project's table with made-up round prices for two
// instance types, a DB instance class and gp3 volumes, so that a test can
// check the arithmetic of a delta at numbers easy to follow; they are not
// AWS's prices.
func withTestPrices() cost.Table {
	t := cost.Table{}
	for r, p := range cost.Prices {
		t[r] = maps.Clone(p)
	}
	us := t["us-east-1"]
	for key, usd := range map[string]float64{
		cost.EC2Prefix + "c7g.medium": 1, cost.EC2Prefix + "m7g.medium": 2,
		cost.RDSMySQLPrefix + "db.t3.micro": 0.5, cost.EBSgp3GBMonth: 0.1,
	} {
		us[key] = cost.Price{USD: usd, Unit: "hour", Source: "https://example.com/test", Read: "test", Basis: cost.Secondary}
	}
	e := us[cost.EBSgp3GBMonth]
	e.Unit = "GB-month"
	us[cost.EBSgp3GBMonth] = e
	return t
}

func removeResource(t *testing.T, stacks []netcheck.StackArtifact, stack string, ids ...string) {
	t.Helper()
	for _, s := range stacks {
		if s.Name == stack {
			for _, id := range ids {
				if _, ok := resources(s)[id]; !ok {
					t.Fatalf("%s has no %s", stack, id)
				}
				delete(resources(s), id)
			}
		}
	}
}

func compare(t *testing.T, base, head []netcheck.StackArtifact, table cost.Table) cost.Delta {
	t.Helper()
	return cost.Compare(estimate(t, base, table), estimate(t, head, table))
}

func wantLines(t *testing.T, d cost.Delta, change float64, lines ...string) {
	t.Helper()
	if d.Change != change || !slices.Equal(d.Lines, lines) {
		t.Errorf("delta = %+v (%q)\nwant change %v, lines %q", d.Change, d.Lines, change, lines)
	}
}

// TestDeltaNatGateway: one NAT gateway and its Elastic IP fewer saves the
// gateway's hours and the address's; one more costs them.
func TestDeltaNatGateway(t *testing.T) {
	base, head := golden(t, "project-1"), golden(t, "project-1")
	removeResource(t, head, "project-1-Network", "NetworkPublicSubnet2NatGatewayE8F1C691", "NetworkPublicSubnet2EipE0E488FD")
	wantLines(t, compare(t, base, head, cost.Prices), -36.50, "-1 NAT gateway: -$32.85", "-1 public IPv4 address: -$3.65")
	wantLines(t, compare(t, head, base, cost.Prices), 36.50, "+1 NAT gateway: +$32.85", "+1 public IPv4 address: +$3.65")
}

// TestDeltaMultiAZ: switching the database to Single-AZ halves its instance
// and storage lines.
func TestDeltaMultiAZ(t *testing.T) {
	base, head := golden(t, "project-1"), golden(t, "project-1")
	edit(t, head, "project-1-Data", "DatabaseInstanceAA8A5FDE", func(p map[string]any) { p["MultiAZ"] = false })
	// db.t3.micro at $0.017 an hour: Multi-AZ 2 × 0.017 × 730 = $24.82, Single-AZ $12.41.
	wantLines(t, compare(t, base, head, cost.Prices), -14.71,
		"-1 RDS db.t3.micro instance (Multi-AZ): -$24.82", "+1 RDS db.t3.micro instance (Single-AZ): +$12.41",
		"-20 RDS gp3 GB (Multi-AZ): -$4.60", "+20 RDS gp3 GB (Single-AZ): +$2.30")
	// At $0.50 an hour (a test price): Multi-AZ 2 × 0.5 × 730 = $730, Single-AZ $365.
	wantLines(t, compare(t, base, head, withTestPrices()), -367.30,
		"-1 RDS db.t3.micro instance (Multi-AZ): -$730.00", "+1 RDS db.t3.micro instance (Single-AZ): +$365.00",
		"-20 RDS gp3 GB (Multi-AZ): -$4.60", "+20 RDS gp3 GB (Single-AZ): +$2.30")
}

// TestDeltaInstanceType: changing the web tier's instance type moves both
// instances from one price to the other.
func TestDeltaInstanceType(t *testing.T) {
	base, head := golden(t, "project-1"), golden(t, "project-1")
	edit(t, head, "project-1-App", "WebInstancesASG09F72588", func(p map[string]any) {
		o := p["MixedInstancesPolicy"].(map[string]any)["LaunchTemplate"].(map[string]any)["Overrides"].([]any)
		o[0].(map[string]any)["InstanceType"], o[1].(map[string]any)["InstanceType"] = "m7g.medium", "c7g.medium"
	})
	// The table does not price m7g.medium (the templates name it only as the
	// alternate type): the new line is not priced, by name, never zero.
	wantLines(t, compare(t, base, head, cost.Prices), -53.00,
		"-2 EC2 instances c7g.medium: -$53.00", "+2 EC2 instances m7g.medium: not priced")
	// To t3.micro, which the table prices: 2 × 730 × (0.0104 - 0.0363),
	// rounded by line: $15.18 - $53.00.
	small := golden(t, "project-1")
	edit(t, small, "project-1-App", "WebInstancesASG09F72588", func(p map[string]any) {
		o := p["MixedInstancesPolicy"].(map[string]any)["LaunchTemplate"].(map[string]any)["Overrides"].([]any)
		o[0].(map[string]any)["InstanceType"], o[1].(map[string]any)["InstanceType"] = "t3.micro", "t3a.micro"
	})
	wantLines(t, compare(t, base, small, cost.Prices), -37.82,
		"-2 EC2 instances c7g.medium: -$53.00", "+2 EC2 instances t3.micro: +$15.18")
	// At $1 and $2 an hour (test prices): 2 × 730 × (2 - 1) = $1460.
	wantLines(t, compare(t, base, head, withTestPrices()), 1460,
		"-2 EC2 instances c7g.medium: -$1460.00", "+2 EC2 instances m7g.medium: +$2920.00")
}

// TestDeltaStageAddedOrRemoved: a new stage's delta is its whole fixed cost.
func TestDeltaStageAddedOrRemoved(t *testing.T) {
	st := estimate(t, golden(t, "dev"), cost.Prices)
	if d := cost.Compare(nil, st); d.Change != st.FixedTotal || d.Base != 0 {
		t.Errorf("added: %+v, want change %v", d, st.FixedTotal)
	}
	if d := cost.Compare(st, nil); d.Change != -st.FixedTotal || d.Head != 0 {
		t.Errorf("removed: %+v, want change %v", d, -st.FixedTotal)
	}
}

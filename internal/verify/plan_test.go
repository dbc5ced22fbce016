package verify_test

import (
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/assemblytest"
	"github.com/project-1/project-1/internal/review"
	"github.com/project-1/project-1/internal/verify"
	"github.com/project-1/project-1/internal/verify/verifyactions"
	"github.com/project-1/project-1/netcheck"
)

func goldenStacks(t *testing.T) []netcheck.StackArtifact {
	t.Helper()
	in, err := review.Load("../../test/testdata")
	if err != nil {
		t.Fatal(err)
	}
	return in.Stacks
}

func expected(t *testing.T) []netcheck.Expectation {
	return assemblytest.Expectations(t, "../../cmd/netcheck/expected.txt")
}

// TestEveryFlowGetsEndpoints maps the table onto every stage of the golden
// assemblies: 26 flows, each with at least one probe, no probe twice, each
// probe between resources of the flow's endpoints, and netcheck's verdict
// the table's.
func TestEveryFlowGetsEndpoints(t *testing.T) {
	stacks, expect := goldenStacks(t), expected(t)
	for _, stage := range []string{"project-1", "dev", "prod"} {
		p, err := verify.NewPlan(stacks, stage, expect)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		if len(p.Flows) != 26 {
			t.Errorf("%s: %d flows, want the table's 26", stage, len(p.Flows))
		}
		per := make([]int, len(p.Flows))
		seen := map[verify.Probe]bool{}
		for _, pr := range p.Probes {
			if seen[pr] {
				t.Errorf("%s: probe %v twice", stage, pr)
			}
			seen[pr] = true
			per[pr.Flow]++
			f := p.Flows[pr.Flow]
			for _, end := range []struct {
				e   netcheck.Endpoint
				ref verify.Ref
			}{{f.From, pr.From}, {f.To, pr.To}} {
				if !strings.HasPrefix(end.ref.Stack, stage+"-") || !isType(end.e, end.ref.Type) {
					t.Errorf("%s: %s: %s is not a %s of the stage", stage, f, end.ref, end.e)
				}
			}
		}
		for i, n := range per {
			if n == 0 {
				t.Errorf("%s: %s has no endpoints", stage, p.Flows[i])
			}
			if f := p.Flows[i]; f.Netcheck.Verdict != f.Want {
				t.Errorf("%s: %s: netcheck %s, the table %s", stage, f, f.Netcheck.Verdict, f.Want)
			}
		}
	}
}

func isType(e netcheck.Endpoint, typ string) bool {
	return map[netcheck.Endpoint]string{netcheck.Internet: "AWS::EC2::InternetGateway", netcheck.ALB: "AWS::ElasticLoadBalancingV2::LoadBalancer",
		netcheck.Web: "AWS::AutoScaling::AutoScalingGroup", netcheck.RDS: "AWS::RDS::DBInstance", netcheck.NAT: "AWS::EC2::NatGateway"}[e] == typ
}

// TestPlanErrors names the stage or the endpoint that is missing.
func TestPlanErrors(t *testing.T) {
	stacks, expect := goldenStacks(t), expected(t)
	if _, err := verify.NewPlan(stacks, "staging", expect); err == nil || !strings.Contains(err.Error(), `no stage "staging"`) {
		t.Errorf("an unknown stage: %v", err)
	}
	var noNAT []netcheck.StackArtifact
	for _, s := range stacks {
		if s.Stage == "dev" {
			s.Template = map[string]any{"Resources": map[string]any{}}
			for id, r := range netcheck.Resources(stacks[indexOf(stacks, s.Name)].Template) {
				if r["Type"] != "AWS::EC2::NatGateway" {
					s.Template["Resources"].(map[string]any)[id] = r
				}
			}
			noNAT = append(noNAT, s)
		}
	}
	if _, err := verify.NewPlan(noNAT, "dev", expect); err == nil || !strings.Contains(err.Error(), "the templates hold no nat (AWS::EC2::NatGateway)") {
		t.Errorf("no NAT gateway: %v", err)
	}
}

func indexOf(stacks []netcheck.StackArtifact, name string) int {
	for i, s := range stacks {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// TestDriftReadsCoverTheStages: every resource type of every golden stage
// has its drift-detection reads, so the Verify step's role cannot miss a
// type the stacks gain.
func TestDriftReadsCoverTheStages(t *testing.T) {
	for _, s := range goldenStacks(t) {
		for id, r := range netcheck.Resources(s.Template) {
			typ, _ := r["Type"].(string)
			if strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource" || typ == "AWS::CDK::Metadata" {
				continue // drift detection does not read custom resources
			}
			if len(verifyactions.DriftReadActions[typ]) == 0 {
				t.Errorf("%s/%s: no drift reads for %s in verifyactions.DriftReadActions", s.Name, id, typ)
			}
		}
	}
	acts := verifyactions.StepActions()
	for i := 1; i < len(acts); i++ {
		if acts[i-1] >= acts[i] {
			t.Fatalf("StepActions not sorted and unique at %q", acts[i])
		}
	}
	for _, a := range verifyactions.Actions {
		if !strings.Contains(strings.Join(acts, " "), a) {
			t.Errorf("StepActions lacks %s", a)
		}
	}
}

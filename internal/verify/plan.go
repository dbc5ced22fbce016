package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/project-1/project-1/netcheck"
)

// Flow is one flow of the expected table on one port, with the verdict the
// table expects and the one netcheck proves from the stage's templates.
type Flow struct {
	From, To netcheck.Endpoint
	Port     int
	Want     netcheck.Verdict // the expected table's: allow or block
	Netcheck netcheck.Result  // netcheck's answer on the templates
}

// String is "FROM -> TO PORT".
func (f Flow) String() string { return fmt.Sprintf("%s -> %s %d", f.From, f.To, f.Port) }

// Ref is a resource of the templates that stands for an endpoint: the stack
// (its name), the logical id and the type. The deployed resource is found by
// the stack's DescribeStackResources.
type Ref struct {
	Stack, LogicalID, Type string
}

// String is "STACK/LOGICALID".
func (r Ref) String() string { return r.Stack + "/" + r.LogicalID }

// Probe is one pair of template resources a flow is checked between: every
// deployed endpoint of From (one per zone) to every one of To.
type Probe struct {
	Flow     int // the index in Plan.Flows
	From, To Ref
}

// endpointTypes are the resource types that stand for each endpoint, as
// netcheck reads them. The internet is reached through the VPC's internet
// gateway: it is the source of an inbound path, and the destination of an
// outbound one, as Reachability Analyzer takes it.
var endpointTypes = map[netcheck.Endpoint][]string{
	netcheck.Internet: {"AWS::EC2::InternetGateway"},
	netcheck.ALB:      {"AWS::ElasticLoadBalancingV2::LoadBalancer"},
	netcheck.Web:      {"AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"},
	netcheck.RDS:      {"AWS::RDS::DBInstance"},
	netcheck.NAT:      {"AWS::EC2::NatGateway"},
}

// Plan is what a run checks in one stage: its stacks, every flow of the
// expected table with netcheck's verdict, the template resources of each
// endpoint and the probes between them.
type Plan struct {
	Stage   string
	Region  string
	Stacks  []string // stack names, sorted
	Flows   []Flow
	Targets map[netcheck.Endpoint][]Ref
	Probes  []Probe
}

// NewPlan reads the stage of the assembly's stacks that env names (a stage
// named env, or ending in "/env" inside a pipeline's assembly) and maps every
// row of the expected table, port by port, to the template resources of its
// endpoints. A stage that is missing, or has no resource for an endpoint a
// flow needs, is an error that names it.
func NewPlan(stacks []netcheck.StackArtifact, env string, expect []netcheck.Expectation) (*Plan, error) {
	var mine []netcheck.StackArtifact
	var names []string
	stages := map[string]bool{}
	for _, s := range stacks {
		stages[s.Stage] = true
		if s.Stage == env || strings.HasSuffix(s.Stage, "/"+env) {
			mine = append(mine, s)
		}
	}
	if len(mine) == 0 {
		known := make([]string, 0, len(stages))
		for s := range stages {
			known = append(known, fmt.Sprintf("%q", s))
		}
		sort.Strings(known)
		return nil, fmt.Errorf("the assembly has no stage %q (its stages: %s)", env, strings.Join(known, ", "))
	}
	modelled, err := netcheck.StagesOf(mine)
	if err != nil {
		return nil, err
	}
	if len(modelled) != 1 || modelled[0].Model.Empty() {
		return nil, fmt.Errorf("stage %q: no network to verify", env)
	}
	p := &Plan{Stage: modelled[0].Name, Targets: map[netcheck.Endpoint][]Ref{}}
	for _, s := range mine {
		names = append(names, s.Name)
		if s.Region != "" && p.Region == "" {
			p.Region = s.Region
		}
		for id, r := range netcheck.Resources(s.Template) {
			typ, _ := r["Type"].(string)
			for e, types := range endpointTypes {
				if slices.Contains(types, typ) {
					p.Targets[e] = append(p.Targets[e], Ref{Stack: s.Name, LogicalID: id, Type: typ})
				}
			}
		}
	}
	sort.Strings(names)
	p.Stacks = names
	for e := range p.Targets {
		slices.SortFunc(p.Targets[e], func(a, b Ref) int { return strings.Compare(a.String(), b.String()) })
	}
	model := modelled[0].Model
	for _, x := range expect {
		for _, e := range []netcheck.Endpoint{x.From, x.To} {
			if len(p.Targets[e]) == 0 {
				return nil, fmt.Errorf("stage %q: flow %s: the templates hold no %s (%s)", env, x, e, strings.Join(endpointTypes[e], ", "))
			}
		}
		p.Flows = append(p.Flows, Flow{From: x.From, To: x.To, Port: x.Port, Want: x.Verdict(), Netcheck: model.Check(x.From, x.To, x.Port)})
		i := len(p.Flows) - 1
		for _, from := range p.Targets[x.From] {
			for _, to := range p.Targets[x.To] {
				p.Probes = append(p.Probes, Probe{Flow: i, From: from, To: to})
			}
		}
	}
	return p, nil
}

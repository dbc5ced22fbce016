package verify

import (
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/project-1/project-1/netcheck"
)

// Outcome is one flow's two verdicts.
type Outcome struct {
	Flow     Flow
	AWS      netcheck.Verdict // allow when every analysis found a path, block when none did, partial otherwise; unknown when one failed
	Found    int              // analyses that found a path
	Analyses []Analysis
}

// Agree reports whether netcheck's verdict on the templates is AWS's on the
// account.
func (o Outcome) Agree() bool { return o.AWS == o.Flow.Netcheck.Verdict }

// Compare joins every flow of the plan with its analyses.
func Compare(p *Plan, analyses []Analysis) []Outcome {
	out := make([]Outcome, len(p.Flows))
	for i, f := range p.Flows {
		out[i].Flow = f
	}
	for _, a := range analyses {
		o := &out[a.Flow]
		o.Analyses = append(o.Analyses, a)
		if a.Found {
			o.Found++
		}
	}
	for i := range out {
		o := &out[i]
		switch {
		case len(o.Analyses) == 0:
			o.AWS = netcheck.VerdictUnknown
		case failed(o.Analyses):
			o.AWS = netcheck.VerdictUnknown
		case o.Found == len(o.Analyses):
			o.AWS = netcheck.VerdictAllow
		case o.Found == 0:
			o.AWS = netcheck.VerdictBlock
		default:
			o.AWS = netcheck.VerdictPartial
		}
	}
	return out
}

func failed(as []Analysis) bool {
	for _, a := range as {
		if a.Status != ec2types.AnalysisStatusSucceeded {
			return true
		}
	}
	return false
}

// Report writes the drift, then one line per flow with netcheck's verdict and
// AWS's, and, under a flow where they disagree, each analysis whose answer
// differs from netcheck's: AWS's explanation codes with the components they
// name (and the template resource each component is), or netcheck's reasons.
// It returns how many flows disagree.
func Report(w io.Writer, p *Plan, drift []Drift, outcomes []Outcome, ph Physical) int {
	fmt.Fprintf(w, "verify: stage %s (%s), stacks %s: %d flows, %d analyses\n", p.Stage, p.Region, strings.Join(p.Stacks, ", "), len(p.Flows), analyses(outcomes))
	network := reportDrift(w, drift)
	fmt.Fprintf(w, "%-30s %-10s %-18s %s\n", "flow", "netcheck", "AWS", "")
	disagree := 0
	for _, o := range outcomes {
		verdict := "agree"
		if !o.Agree() {
			verdict = "DISAGREE"
			disagree++
		}
		fmt.Fprintf(w, "%-30s %-10s %-18s %s\n", o.Flow, o.Flow.Netcheck.Verdict, fmt.Sprintf("%s (%d/%d found)", o.AWS, o.Found, len(o.Analyses)), verdict)
		if !o.Agree() {
			explain(w, o, ph)
		}
	}
	fmt.Fprintf(w, "verify: %d of %d flows agree", len(outcomes)-disagree, len(outcomes))
	if disagree > 0 {
		fmt.Fprintf(w, "; %d disagree", disagree)
	}
	fmt.Fprintln(w)
	if len(network) > 0 {
		fmt.Fprintf(w, "verify: the network drifted from the templates (%s): AWS's verdicts hold for the account as it is, not for the templates\n", strings.Join(network, ", "))
	}
	return disagree
}

func analyses(outcomes []Outcome) int {
	n := 0
	for _, o := range outcomes {
		n += len(o.Analyses)
	}
	return n
}

// reportDrift writes each stack's drift and returns the drifted network
// resources, "STACK/ID".
func reportDrift(w io.Writer, drift []Drift) []string {
	var network []string
	for _, d := range drift {
		line := fmt.Sprintf("drift: %s %s", d.Stack, d.Status)
		if d.Reason != "" {
			line += " (detection incomplete: " + d.Reason + ")"
		}
		fmt.Fprintln(w, line)
		for _, r := range d.Resources {
			fmt.Fprintf(w, "  %s %s %s", r.Status, r.LogicalID, r.Type)
			if len(r.Properties) > 0 {
				fmt.Fprintf(w, ": %s", strings.Join(r.Properties, ", "))
			}
			fmt.Fprintln(w)
			if r.Network() {
				network = append(network, d.Stack+"/"+r.LogicalID)
			}
		}
	}
	return network
}

func explain(w io.Writer, o Outcome, ph Physical) {
	wantFound := o.Flow.Netcheck.Verdict == netcheck.VerdictAllow
	for _, a := range o.Analyses {
		if a.Status != ec2types.AnalysisStatusSucceeded {
			fmt.Fprintf(w, "    %s -> %s: the analysis %s: %s\n", a.From, a.To, a.Status, a.Message)
			continue
		}
		if a.Found == wantFound {
			continue
		}
		if a.Found {
			fmt.Fprintf(w, "    %s -> %s: AWS finds a path (%s)\n", a.From, a.To, a.AnalysisID)
			for _, r := range o.Flow.Netcheck.Reasons {
				fmt.Fprintf(w, "      netcheck: %s\n", r)
			}
			continue
		}
		fmt.Fprintf(w, "    %s -> %s: AWS finds no path (%s)\n", a.From, a.To, a.AnalysisID)
		for _, e := range a.Explanations {
			fmt.Fprintf(w, "      %s%s\n", aws.ToString(e.ExplanationCode), components(e, ph))
		}
	}
}

// components names what an explanation blames: its security group, network
// ACL (and rule), route table, subnet, or component, each with the template
// resource it is.
func components(e ec2types.Explanation, ph Physical) string {
	var parts []string
	add := func(kind string, c *ec2types.AnalysisComponent) {
		if c == nil || c.Id == nil {
			return
		}
		s := kind + " " + aws.ToString(c.Id)
		if l := ph.Logical(aws.ToString(c.Id)); l != "" {
			s += " (" + l + ")"
		}
		parts = append(parts, s)
	}
	add("security group", e.SecurityGroup)
	add("network ACL", e.Acl)
	if e.AclRule != nil && e.AclRule.RuleNumber != nil {
		parts = append(parts, fmt.Sprintf("rule %d %s", aws.ToInt32(e.AclRule.RuleNumber), aws.ToString(e.AclRule.RuleAction)))
	}
	add("route table", e.RouteTable)
	add("subnet", e.Subnet)
	if len(parts) == 0 {
		add("component", e.Component)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// Command netcheck proves the spec's reachability table against a synthesized
// cloud assembly, before anything is deployed: routes, NAT gateways, network
// ACLs (request and reply) and security groups, as package netcheck models
// them.
//
//	go run ./cmd/netcheck [-expect FILE] [-v] [-stage NAME] [cdk.out]
//	go run ./cmd/netcheck -mermaid [-stage NAME] [cdk.out]
//
// It prints each expected flow with its verdict (allow, block, partial,
// intermittent, unknown) and, for a flow that is not open, every reason found
// (route, NACL rule number or implicit deny, missing security-group rule,
// missing public address). An intermittent flow opens, but a network ACL
// drops its replies on part of the client's ephemeral range
// (NACL_EPHEMERAL_GAP, with the rule and the ports): it contradicts an
// expected allow, and the summary counts such flows. The expected table
// (default cmd/netcheck/expected.txt) holds one flow per line, for example
// "internet -> alb 80,443 allow"; -expect "" prints every flow between the
// endpoints on ports 22, 80, 443, 3306, 3389 and 8080 instead.
//
// An assembly of several stages (cdk synth -c env=all, a pipeline's) is
// checked stage by stage, each stage a separate network, and every flow is
// printed with its stage; -stage checks one. Stages whose stacks declare no
// network (a pipeline's own stacks) are listed as not checked. -mermaid draws
// one diagram per stage, each after a "%% stage NAME" comment, or the one
// -stage names.
//
// Exit status: 0 when every flow is as expected, 1 when any contradicts the
// table, 2 when the assembly or the table cannot be read or -stage names no
// stage.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/project-1/project-1/internal/cli"
	"github.com/project-1/project-1/netcheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// matrixPorts are the ports of the full matrix printed without a table.
var matrixPorts = []int{22, 80, 443, 3306, 3389, 8080}

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("netcheck", "[-expect FILE] [-v] [-mermaid] [-stage NAME] [cdk.out]", stderr)
	expect := fs.String("expect", "cmd/netcheck/expected.txt",
		`expected reachability table, one "FROM -> TO PORTS allow|block" per line; "" prints the full matrix`)
	mermaid := fs.Bool("mermaid", false, "print a Mermaid flowchart of the network and its allowed flows instead")
	verbose := fs.Bool("v", false, "list every blocked path of a flow, not only its distinct reasons")
	only := fs.String("stage", "", "check or draw only this stage of the assembly (e.g. dev)")
	if code, done := cli.Parse(fs, args); done {
		return code
	}
	dir := "cdk.out"
	switch fs.NArg() {
	case 0:
	case 1:
		dir = fs.Arg(0)
	default:
		fs.Usage()
		return 2
	}

	stages, err := netcheck.LoadStages(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	multi := len(stages) > 1 // name the stage of every flow
	if *only != "" {
		i := slices.IndexFunc(stages, func(s netcheck.Stage) bool { return s.Name == *only || label(s) == *only })
		if i < 0 {
			names := make([]string, len(stages))
			for i, s := range stages {
				names[i] = label(s)
			}
			fmt.Fprintf(stderr, "netcheck: %s has no stage %q; its stages: %s\n", dir, *only, strings.Join(names, ", "))
			return 2
		}
		stages = stages[i : i+1]
	}
	// Stages whose stacks declare no network have nothing to check, unless no
	// stage has one: then every flow reports what is missing.
	var checked, skipped []netcheck.Stage
	for _, s := range stages {
		if s.Model.Empty() {
			skipped = append(skipped, s)
		} else {
			checked = append(checked, s)
		}
	}
	if len(checked) == 0 {
		checked, skipped = stages, nil
	}

	if *mermaid {
		for i, s := range checked {
			if len(checked) > 1 {
				if i > 0 {
					fmt.Fprintln(stdout)
				}
				fmt.Fprintf(stdout, "%%%% stage %s\n", label(s))
			}
			fmt.Fprint(stdout, s.Model.Mermaid())
		}
		return 0
	}

	var exps []netcheck.Expectation
	if *expect != "" {
		f, err := os.Open(*expect)
		if err != nil {
			fmt.Fprintf(stderr, "netcheck: %v (run from the repository root, or pass -expect)\n", err)
			return 2
		}
		exps, err = netcheck.ParseExpectations(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "netcheck: %s: %v\n", *expect, err)
			return 2
		}
		if len(exps) == 0 {
			fmt.Fprintf(stderr, "netcheck: %s lists no flow\n", *expect)
			return 2
		}
	}

	var rows []row
	for _, s := range checked {
		if exps == nil {
			for _, r := range s.Model.Matrix(matrixPorts) {
				rows = append(rows, row{stage: s, result: r})
			}
			continue
		}
		for _, x := range exps {
			rows = append(rows, row{stage: s, result: s.Model.Check(x.From, x.To, x.Port), exp: &x})
		}
	}
	bad := report(stdout, rows, checked, skipped, multi, *expect, *verbose)
	if bad > 0 {
		return 1
	}
	return 0
}

// row is one flow of the report: a result of a stage, with the expectation it
// answers (nil for the full matrix).
type row struct {
	stage  netcheck.Stage
	result netcheck.Result
	exp    *netcheck.Expectation
}

// label names a stage in the report.
func label(s netcheck.Stage) string {
	if s.Name == "" {
		return "(top level)"
	}
	return s.Name
}

// report prints one line per flow, its reasons beneath, and a summary; it
// returns how many flows contradict their expectation. With multi, each line
// begins with the flow's stage.
func report(w io.Writer, rows []row, checked, skipped []netcheck.Stage, multi bool, file string, verbose bool) int {
	width, stageWidth, verdictWidth := len("FLOW"), len("STAGE"), len("partial")
	for _, r := range rows {
		width = max(width, len(flow(r.result)))
		stageWidth = max(stageWidth, len(label(r.stage)))
		verdictWidth = max(verdictWidth, len(r.result.Verdict))
	}
	expected := len(rows) > 0 && rows[0].exp != nil
	header := fmt.Sprintf("%-*s  %5s  %-*s", width, "FLOW", "PORT", verdictWidth, "RESULT")
	if multi {
		header = fmt.Sprintf("%-*s  %s", stageWidth, "STAGE", header)
	}
	if expected {
		header += "  CHECK"
	}
	fmt.Fprintln(w, header)
	bad, intermittent := 0, 0
	for _, rw := range rows {
		r := rw.result
		if r.Verdict == netcheck.VerdictIntermittent {
			intermittent++
		}
		line := fmt.Sprintf("%-*s  %5d  %-*s", width, flow(r), r.Port, verdictWidth, r.Verdict)
		if multi {
			line = fmt.Sprintf("%-*s  %s", stageWidth, label(rw.stage), line)
		}
		if x := rw.exp; x != nil {
			if x.Met(r) {
				line += "  ok"
			} else {
				bad++
				line += fmt.Sprintf("  CONTRADICTS expected %s (%s:%d)", x.Verdict(), file, x.Line)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		if verbose {
			for _, p := range r.Paths {
				if !p.Allowed {
					state := ""
					if p.Intermittent {
						state = " (intermittent)"
					}
					fmt.Fprintf(w, "      path %s -> %s%s:\n", p.From, p.To, state)
					for _, why := range p.Reasons {
						fmt.Fprintf(w, "        %s\n", why)
					}
				}
			}
			continue
		}
		for _, why := range r.Reasons {
			fmt.Fprintf(w, "      %s\n", why)
		}
		if r.Verdict == netcheck.VerdictPartial {
			for _, p := range r.Paths {
				switch {
				case p.Allowed:
					fmt.Fprintf(w, "      open: %s -> %s\n", p.From, p.To)
				case p.Intermittent:
					fmt.Fprintf(w, "      intermittent: %s -> %s\n", p.From, p.To)
				}
			}
		}
	}
	fmt.Fprintln(w)
	in := ""
	if multi {
		in = fmt.Sprintf(" in %d stages", len(checked))
		if len(checked) == 1 {
			in = " in stage " + label(checked[0])
		}
	}
	if expected {
		fmt.Fprintf(w, "%d flows checked%s: %d as expected, %d contradict the expected table.\n", len(rows), in, len(rows)-bad, bad)
	} else {
		fmt.Fprintf(w, "%d flows checked%s.\n", len(rows), in)
	}
	if intermittent > 0 {
		fmt.Fprintf(w, "%d intermittent: a network ACL drops their replies on part of the client's ephemeral range (%s above).\n",
			intermittent, netcheck.NACLEphemeralGap)
	}
	for _, s := range checked {
		notes := s.Model.Notes()
		if len(notes) == 0 {
			continue
		}
		if multi {
			fmt.Fprintf(w, "\nNotes (stage %s):\n", label(s))
		} else {
			fmt.Fprintln(w, "\nNotes:")
		}
		for _, n := range notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintln(w, "\nNot checked: stages whose stacks declare no VPC, load balancer, instance, database or NAT gateway:")
		for _, s := range skipped {
			fmt.Fprintf(w, "  - %s: %s\n", label(s), strings.Join(s.Stacks, ", "))
		}
	}
	return bad
}

func flow(r netcheck.Result) string { return fmt.Sprintf("%s -> %s", r.From, r.To) }

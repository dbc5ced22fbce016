// Command netcheck proves the spec's reachability table against a synthesized
// cloud assembly, before anything is deployed: routes, NAT gateways, network
// ACLs (request and reply) and security groups, as internal/netcheck models
// them.
//
//	go run ./cmd/netcheck [-expect FILE] [-v] [cdk.out]
//	go run ./cmd/netcheck -mermaid [cdk.out]
//
// It prints each expected flow with its verdict and, for a flow that is not
// open, every reason found (route, NACL rule number or implicit deny, missing
// security-group rule, missing public address). The expected table
// (default cmd/netcheck/expected.txt) holds one flow per line, for example
// "internet -> alb 80,443 allow"; -expect "" prints every flow between the
// endpoints on ports 22, 80, 443, 3306, 3389 and 8080 instead.
//
// Exit status: 0 when every flow is as expected, 1 when any contradicts the
// table, 2 when the assembly or the table cannot be read.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/project-1/project-1/internal/netcheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// matrixPorts are the ports of the full matrix printed without a table.
var matrixPorts = []int{22, 80, 443, 3306, 3389, 8080}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("netcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: netcheck [-expect FILE] [-v] [-mermaid] [cdk.out]")
		fs.PrintDefaults()
	}
	expect := fs.String("expect", "cmd/netcheck/expected.txt",
		`expected reachability table, one "FROM -> TO PORTS allow|block" per line; "" prints the full matrix`)
	mermaid := fs.Bool("mermaid", false, "print a Mermaid flowchart of the network and its allowed flows instead")
	verbose := fs.Bool("v", false, "list every blocked path of a flow, not only its distinct reasons")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
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

	m, err := netcheck.Load(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *mermaid {
		fmt.Fprint(stdout, m.Mermaid())
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

	var results []netcheck.Result
	if exps == nil {
		results = m.Matrix(matrixPorts)
	} else {
		for _, x := range exps {
			results = append(results, m.Check(x.From, x.To, x.Port))
		}
	}
	bad := report(stdout, m, results, exps, *expect, *verbose)
	if bad > 0 {
		return 1
	}
	return 0
}

// report prints one line per flow, its reasons beneath, and a summary; it
// returns how many flows contradict exps.
func report(w io.Writer, m *netcheck.Model, results []netcheck.Result, exps []netcheck.Expectation, file string, verbose bool) int {
	width := len("FLOW")
	for _, r := range results {
		width = max(width, len(flow(r)))
	}
	header := fmt.Sprintf("%-*s  %5s  %-7s", width, "FLOW", "PORT", "RESULT")
	if exps != nil {
		header += "  CHECK"
	}
	fmt.Fprintln(w, header)
	bad := 0
	for i, r := range results {
		line := fmt.Sprintf("%-*s  %5d  %-7s", width, flow(r), r.Port, r.Verdict)
		if exps != nil {
			if exps[i].Met(r) {
				line += "  ok"
			} else {
				bad++
				line += fmt.Sprintf("  CONTRADICTS expected %s (%s:%d)", exps[i].Verdict(), file, exps[i].Line)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		if verbose {
			for _, p := range r.Paths {
				if !p.Allowed {
					fmt.Fprintf(w, "      path %s -> %s:\n", p.From, p.To)
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
				if p.Allowed {
					fmt.Fprintf(w, "      open: %s -> %s\n", p.From, p.To)
				}
			}
		}
	}
	fmt.Fprintln(w)
	if exps != nil {
		fmt.Fprintf(w, "%d flows checked: %d as expected, %d contradict the expected table.\n", len(results), len(results)-bad, bad)
	} else {
		fmt.Fprintf(w, "%d flows checked.\n", len(results))
	}
	if notes := m.Notes(); len(notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	return bad
}

func flow(r netcheck.Result) string { return fmt.Sprintf("%s -> %s", r.From, r.To) }

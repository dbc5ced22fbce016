// Command replacements compares two cloud assemblies (cdk.out of main and of a
// branch, say) and prints every resource the second deletes or replaces, or
// whose deletion or replace policy it weakens, with the reason: what `cdk
// diff` marks, offline and without credentials.
//
//	go run ./cmd/replacements [-allow FILE] OLD NEW
//
// It exits 1 when a stateful resource (database, table, buckets, keys, log
// groups, VPC, subnets, Elastic IPs) would be lost and FILE (lines
// "STACK/LOGICALID reason") does not allow it, 2 on bad input, else 0.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/netcheck"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replacements", flag.ContinueOnError)
	fs.SetOutput(stderr)
	allowFile := fs.String("allow", "", "a file of intended replacements, lines `STACK/LOGICALID reason`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "usage: replacements [-allow FILE] OLD_CDK_OUT NEW_CDK_OUT")
		return 2
	}
	allow := replacement.AllowList{}
	if *allowFile != "" {
		f, err := os.Open(*allowFile)
		if err != nil {
			fmt.Fprintln(stderr, "replacements:", err)
			return 2
		}
		allow, err = replacement.ParseAllowList(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "replacements: %s: %v\n", *allowFile, err)
			return 2
		}
	}
	var sides [2]replacement.Templates
	for i, dir := range fs.Args() {
		t, err := netcheck.LoadTemplates(dir)
		if err != nil {
			fmt.Fprintln(stderr, "replacements:", err)
			return 2
		}
		sides[i] = t
	}
	changes := replacement.Compare(sides[0], sides[1])
	blocked := 0
	for _, c := range changes {
		mark := ""
		switch {
		case c.Blocking() && allow.Allows(c):
			mark = "  (allowed: " + allow[c.Stack+"/"+c.LogicalID] + ")"
		case c.Blocking():
			blocked++
		}
		fmt.Fprintf(stdout, "%s%s\n", c, mark)
	}
	switch {
	case len(changes) == 0:
		fmt.Fprintln(stdout, "no resource is deleted or replaced, and no policy is weakened")
	case blocked > 0:
		fmt.Fprintf(stdout, "%d stateful resource(s) would be lost; if intended, list them with a reason in an allow file\n", blocked)
		return 1
	}
	return 0
}

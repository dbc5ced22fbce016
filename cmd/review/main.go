// Command review compares two syntheses of this project, BASE and HEAD (two
// cloud assemblies, or a directory of templates such as test/testdata's
// golden files), and prints, stage by stage, what HEAD opens or closes
// between the internet and the tiers, what it replaces or deletes, which
// protections it takes away and which IAM statements or security-group
// rules it widens: package internal/review.
//
//	go run ./cmd/review [-format text|markdown|json] [-expect FILE] [-allow FILE] [-production STAGES] BASE HEAD
//
// -expect is the expected reachability table (default
// cmd/netcheck/expected.txt; "" for none), -allow a file of intended
// findings, "STACK/LOGICALID reason" per line (test/replacements-allowed.txt
// is the project's), -production the comma-separated production stages
// (default: review.ProductionStages).
//
// Exit status: 0 when nothing needs a decision, 1 when something does (a
// flow opens or closes against the expected table, a stateful resource is
// replaced or deleted, a production protection goes, a grant or rule widens)
// and no allow entry covers it, 2 on bad input (not an assembly or a
// directory of templates, a template that is not JSON, BASE and HEAD of
// different apps, a bad flag or file), with the error on stderr.
package main

import (
	"io"
	"os"
	"strings"

	"github.com/project-1/project-1/internal/cli"
	"github.com/project-1/project-1/internal/replacement"
	"github.com/project-1/project-1/internal/review"
	"github.com/project-1/project-1/netcheck"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("review", "[-format text|markdown|json] [-expect FILE] [-allow FILE] [-production STAGES] BASE HEAD", stderr)
	format := fs.String("format", "text", "output: text, markdown (a pull-request comment) or json")
	expect := fs.String("expect", "cmd/netcheck/expected.txt", `expected reachability table, "FROM -> TO PORTS allow|block" per line; "" for none`)
	allowFile := fs.String("allow", "", "intended findings, `STACK/LOGICALID reason` per line")
	production := fs.String("production", strings.Join(review.ProductionStages, ","), "comma-separated production stages")
	if code, done := cli.Parse(fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return cli.BadInput
	}
	fail := func(format string, args ...any) int { return cli.Fail(stderr, "review", format, args...) }
	write := map[string]func(*review.Report, io.Writer) error{
		"text": (*review.Report).WriteText, "markdown": (*review.Report).WriteMarkdown, "json": (*review.Report).WriteJSON,
	}[*format]
	if write == nil {
		return fail("-format %q: want text, markdown or json", *format)
	}
	opts := review.Options{ExpectedFile: *expect, Production: []string{}}
	for _, s := range strings.Split(*production, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opts.Production = append(opts.Production, s)
		}
	}
	if *expect != "" {
		f, err := os.Open(*expect)
		if err != nil {
			return fail("the expected table: %v (run from the repository's root, or set -expect)", err)
		}
		opts.Expected, err = netcheck.ParseExpectations(f)
		f.Close()
		if err != nil {
			return fail("%s: %v", *expect, err)
		}
	}
	if *allowFile != "" {
		f, err := os.Open(*allowFile)
		if err != nil {
			return fail("%v", err)
		}
		opts.Allow, err = replacement.ParseAllowList(f)
		f.Close()
		if err != nil {
			return fail("%s: %v", *allowFile, err)
		}
	}
	var sides [2]*review.Input
	for i, dir := range fs.Args() {
		in, err := review.Load(dir)
		if err != nil {
			return fail("%s: %v", [2]string{"BASE", "HEAD"}[i], err)
		}
		sides[i] = in
	}
	rep, err := review.Review(sides[0], sides[1], opts)
	if err != nil {
		return fail("%v", err)
	}
	if err := write(rep, stdout); err != nil {
		return fail("%v", err)
	}
	return rep.ExitCode()
}

// Command cost prints what each stage of a cloud assembly costs a month, from
// its templates and the price table in internal/cost/prices.go: a table of
// resource, what is billed, quantity and monthly figure (730 hours), split
// into fixed charges (they run whether or not anyone uses the environment)
// and usage-based ones (a unit price, and the figure at a stated
// assumption). It makes no AWS call. Anything the templates create that the
// table does not price is listed as not priced, never counted as zero.
//
//	go run ./cmd/cost [-format text|markdown|json|readme] [-nat-gb 100] [-lcu 1] [-log-gb 1] [-requests 1] [-storage-gb 10] [-web-requests 1] ASSEMBLY
//
// ASSEMBLY is a cloud assembly (cdk.out: the default synthesis, -c env=all,
// the pipeline's) or a directory of templates such as test/testdata.
// -format readme prints the README's line per environment.
//
// Exit status: 0 when it printed the report, 2 on bad input (not an
// assembly, a stage whose region cannot be told or is not in the table, a
// bad flag), with the error on stderr.
package main

import (
	"io"
	"os"

	"github.com/project-1/project-1/internal/cli"
	"github.com/project-1/project-1/internal/cost"
	"github.com/project-1/project-1/internal/review"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlagSet("cost", "[-format text|markdown|json|readme] [-nat-gb GB] [-lcu N] [-log-gb GB] [-requests MILLIONS] [-storage-gb GB] [-web-requests MILLIONS] ASSEMBLY", stderr)
	d := cost.DefaultAssumptions()
	format := fs.String("format", "text", "output: text, markdown, json, or readme (the README's line per environment)")
	a := cost.Assumptions{}
	fs.Float64Var(&a.NatGB, "nat-gb", d.NatGB, "GB a month through all the NAT gateways of a stage")
	fs.Float64Var(&a.LCU, "lcu", d.LCU, "average LCUs per load balancer, every hour")
	fs.Float64Var(&a.LogGB, "log-gb", d.LogGB, "GB a month ingested into each log group, and kept")
	fs.Float64Var(&a.RequestsM, "requests", d.RequestsM, "million writes, and million reads, a month per DynamoDB table")
	fs.Float64Var(&a.StorageGB, "storage-gb", d.StorageGB, "GB stored in each bucket and each table (and backed up in each vault)")
	fs.Float64Var(&a.WebRequestsM, "web-requests", d.WebRequestsM, "million requests a month through each web ACL")
	if code, done := cli.Parse(fs, args); done {
		return code
	}
	fail := func(format string, args ...any) int { return cli.Fail(stderr, "cost", format, args...) }
	if fs.NArg() != 1 {
		fs.Usage()
		return cli.BadInput
	}
	for name, v := range map[string]float64{"-nat-gb": a.NatGB, "-lcu": a.LCU, "-log-gb": a.LogGB, "-requests": a.RequestsM, "-storage-gb": a.StorageGB, "-web-requests": a.WebRequestsM} {
		if v < 0 {
			return fail("%s %g: an assumption cannot be negative", name, v)
		}
	}
	in, err := review.Load(fs.Arg(0))
	if err != nil {
		return fail("%v", err)
	}
	stages, err := cost.Estimate(in.Stacks, cost.Prices, a)
	if err != nil {
		return fail("%s: %v", fs.Arg(0), err)
	}
	rep := &cost.Report{Dir: fs.Arg(0), TableDate: cost.TableDate, Hours: cost.HoursPerMonth, Assumptions: a, Stages: stages}
	switch *format {
	case "text":
		err = rep.WriteText(stdout)
	case "markdown":
		err = rep.WriteMarkdown(stdout)
	case "json":
		err = rep.WriteJSON(stdout)
	case "readme":
		_, err = io.WriteString(stdout, cost.ReadmeLines(stages))
	default:
		return fail("-format %q: want text, markdown, json or readme", *format)
	}
	if err != nil {
		return fail("%v", err)
	}
	return 0
}

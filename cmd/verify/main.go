// Command verify checks netcheck's offline proofs against AWS's own answer in
// a deployed environment: for every flow of the spec's reachability table
// (cmd/netcheck/expected.txt, 26 flows on their ports), it runs VPC
// Reachability Analyzer between the stage's deployed endpoints and prints
// netcheck's verdict on the templates beside AWS's on the account, with AWS's
// explanation codes (the security group, network ACL rule or route table that
// blocks) where they disagree.
//
//	go run ./cmd/verify -c env=dev            the dev stage of cdk.out
//	go run ./cmd/verify -c env=dev -yes DIR   without asking, the assembly in DIR
//
// First it runs CloudFormation's drift detection on the stage's stacks and
// reports what drifted: a drifted network resource means AWS's verdicts hold
// for the account, not for the templates. Then it finds the endpoints (the
// internet gateway, the load balancer's interfaces, one running web instance
// per zone, the database's interfaces, the NAT gateways' interfaces), prints
// how many analyses that makes and what they cost, and asks before it starts
// (-yes does not ask). Every path and analysis it creates is tagged
// project-1:verify=STAGE/RUN and deleted at the end, also on an interrupt.
//
// It needs the credentials of the environment's account, with the actions of
// internal/verify/verifyactions (Actions, DriftReadActions) (docs/verify.md).
//
// Exit status: 0 when netcheck and AWS agree on every flow; 1 when one
// disagrees; 2 when it could not verify: bad usage or configuration, an
// unreadable assembly, a missing permission (named), an AWS error, a timeout,
// an interrupt, or no to the question.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/project-1/project-1/internal/appcontext"
	"github.com/project-1/project-1/internal/cli"
	configuration "github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/verify"
	"github.com/project-1/project-1/netcheck"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, defaultOptions())
	stop()
	os.Exit(code)
}

// options are what the tests replace.
type options struct {
	cdkJSON string
	// awsConfig is the SDK's configuration for a region; the clients are
	// made from it.
	awsConfig func(ctx context.Context, region string) (aws.Config, error)
	poll      time.Duration
}

func defaultOptions() options {
	return options{
		cdkJSON: "cdk.json",
		awsConfig: func(ctx context.Context, region string) (aws.Config, error) {
			// The analyses' API is rate-limited: the standard retryer backs
			// off exponentially on throttling, up to 10 attempts.
			return config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithRetryer(func() aws.Retryer {
				return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 10; o.MaxBackoff = 20 * time.Second })
			}))
		},
		poll: 5 * time.Second,
	}
}

const usage = `usage: verify [-c env=NAME] [-yes] [flags] [ASSEMBLY]
  ASSEMBLY is a cloud assembly (default cdk.out) holding the environment's stage:
  cdk synth's, or the pipeline's. -c env=NAME picks the stage (default project-1).`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opt options) int {
	fs := cli.NewFlagSet("verify", "", stderr)
	given := appcontext.Register(fs)
	yes := fs.Bool("yes", false, "run the analyses without asking (automation)")
	expectFile := fs.String("expect", "cmd/netcheck/expected.txt", "the expected reachability table")
	timeout := fs.Duration("timeout", 15*time.Minute, "the longest wait for the drift detection of one stack, and for the analyses")
	parallel := fs.Int("parallel", 10, "the most analyses running at once")
	price := fs.Float64("price", verify.PricePerAnalysis, "USD per analysis, for the estimate ("+verify.PricingPage+")")
	drift := fs.Bool("drift", true, "detect drift on the stage's stacks first")
	fs.Usage = func() { fmt.Fprintln(stderr, usage); fs.PrintDefaults() }
	if code, done := cli.Parse(fs, args); done {
		return code
	}
	if fs.NArg() > 1 {
		return cli.Fail(stderr, "verify", "one assembly, got %q\n%s", fs.Args(), usage)
	}
	parsed, err := appcontext.Read(opt.cdkJSON, given)
	if err != nil {
		return cli.Fail(stderr, "verify", "%v", err)
	}
	env := parsed.Env
	if env == "" {
		env = configuration.DefaultEnvironment
	}
	if env == "all" {
		return cli.Fail(stderr, "verify", "-c env=all: verify one environment at a time (it runs analyses in that environment's account)")
	}
	if _, err := configuration.Lookup(env); err != nil {
		return cli.Fail(stderr, "verify", "%v", err)
	}
	if *parallel < 1 || *timeout <= 0 || *price < 0 {
		return cli.Fail(stderr, "verify", "-parallel %d, -timeout %s, -price %g: give a positive number", *parallel, *timeout, *price)
	}
	dir := "cdk.out"
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	plan, err := readPlan(dir, env, *expectFile)
	if err != nil {
		return cli.Fail(stderr, "verify", "%v", err)
	}
	if plan.Region == "" {
		return cli.Fail(stderr, "verify", "%s: the manifest gives stage %s no region", dir, plan.Stage)
	}
	cfg, err := opt.awsConfig(ctx, plan.Region)
	if err != nil {
		return cli.Fail(stderr, "verify", "AWS configuration: %v", err)
	}
	c := &verify.Clients{
		EC2: ec2.NewFromConfig(cfg), CloudFormation: cloudformation.NewFromConfig(cfg), RDS: rds.NewFromConfig(cfg),
		Poll: opt.poll, Timeout: *timeout, Parallel: *parallel,
		Progress: func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) },
	}
	return verifyStage(ctx, c, plan, session{stdin: stdin, stdout: stdout, stderr: stderr, yes: *yes, price: *price, drift: *drift})
}

type session struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	yes, drift     bool
	price          float64
}

func readPlan(dir, env, expectFile string) (*verify.Plan, error) {
	f, err := os.Open(expectFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	expect, err := netcheck.ParseExpectations(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", expectFile, err)
	}
	stacks, err := netcheck.ReadAssembly(dir)
	if err != nil {
		return nil, err
	}
	return verify.NewPlan(stacks, env, expect)
}

// verifyStage is the run against AWS: drift, endpoints, the question, the
// analyses and their clean-up, the report.
func verifyStage(ctx context.Context, c *verify.Clients, plan *verify.Plan, s session) int {
	failed := func(err error) int {
		var perm *verify.PermissionError
		if errors.As(err, &perm) {
			return cli.Fail(s.stderr, "verify", "%v\n  the credentials need %s (docs/verify.md lists every action)", err, perm.Action)
		}
		return cli.Fail(s.stderr, "verify", "%v", err)
	}
	var drift []verify.Drift
	if s.drift {
		var err error
		if drift, err = c.DetectDrift(ctx, plan); err != nil {
			return failed(err)
		}
	}
	ph, err := c.Describe(ctx, plan)
	if err != nil {
		return failed(err)
	}
	nodes := map[verify.Ref][]verify.Node{}
	for _, refs := range plan.Targets {
		for _, r := range refs {
			if nodes[r], err = c.Resolve(ctx, ph, r); err != nil {
				return failed(err)
			}
		}
	}
	pairs := verify.Pairs(plan, nodes)
	fmt.Fprintf(s.stdout, "verify: %d flows of stage %s make %d analyses, at $%.2f each (%s): $%.2f\n",
		len(plan.Flows), plan.Stage, len(pairs), s.price, verify.PricingPage, s.price*float64(len(pairs)))
	if !s.yes && !confirm(s.stdin, s.stdout) {
		return cli.Fail(s.stderr, "verify", "not started: nothing was created (give -yes to run without asking)")
	}
	created := verify.NewCreated(plan.Stage)
	analyses, err := c.Analyse(ctx, pairs, created)
	// The clean-up runs whatever happened, on a context an interrupt does
	// not cancel.
	cleanCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	cleanErr := c.Cleanup(cleanCtx, created)
	cancel()
	if cleanErr != nil {
		fmt.Fprintf(s.stderr, "verify: left behind (tagged %s=%s):\n%v\n", verify.TagKey, created.Tag, cleanErr)
	}
	if err != nil {
		if ctx.Err() != nil {
			return cli.Fail(s.stderr, "verify", "interrupted: %v", err)
		}
		return failed(err)
	}
	disagree := verify.Report(s.stdout, plan, drift, verify.Compare(plan, analyses), ph)
	switch {
	case cleanErr != nil:
		return cli.BadInput // the report stands, but the account keeps what is listed above
	case disagree > 0:
		return cli.Finding
	}
	return cli.OK
}

// confirm asks whether to start, and reads yes or y.
func confirm(stdin io.Reader, stdout io.Writer) bool {
	fmt.Fprint(stdout, "Start them? [y/N] ")
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

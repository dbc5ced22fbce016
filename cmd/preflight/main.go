// Command preflight checks an AWS account, before the first deploy of an
// environment, for what a template cannot show: that the account and region
// are bootstrapped for the pinned CDK CLI, that the configured zones exist and
// offer the configured instance types, that RDS offers the MySQL version for
// the database's instance class, that the Elastic IP, VPC and internet gateway
// quotas have room, that the web servers' image is pinned and available (and
// whether AWS has published a newer one), that the pipeline's source
// connection is AVAILABLE, and that the named resources the stacks create
// (the Forum table) do not exist yet. Every failed check says how to fix it.
//
//	go run ./cmd/preflight                     the default environment, project-1
//	go run ./cmd/preflight -c env=dev          another environment; -c env=all for every one
//	go run ./cmd/preflight -c pipeline=true    the pipeline's account and the stages it deploys
//
// -c KEY=VALUE (or --context) takes the keys `cdk synth` takes, over the
// context of cdk.json in the current directory, as the CLI does: env,
// pipeline, the pipeline's settings pipeline:connectionArn,
// pipeline:repository, pipeline:branch, pipeline:account, pipeline:region,
// and alarmEmail, the alarm topics' subscriber. An environment whose alarm
// topic would have no subscriber fails the "alarms" check.
// Environments come from the project's own configuration
// (configuration.Environments), validated as `cdk synth` validates them.
//
// It needs credentials (the AWS SDK's standard chain: AWS_PROFILE, SSO, ...)
// and makes only read calls: sts:GetCallerIdentity, ssm:GetParameter,
// ec2:DescribeAvailabilityZones, ec2:DescribeInstanceTypeOfferings,
// ec2:DescribeAddresses, ec2:DescribeVpcs, ec2:DescribeInternetGateways,
// ec2:DescribeAccountAttributes, ec2:DescribeImages, servicequotas:GetServiceQuota,
// servicequotas:GetAWSDefaultServiceQuota,
// rds:DescribeOrderableDBInstanceOptions, cloudformation:DescribeStacks,
// dynamodb:DescribeTable and, with the pipeline, the connection's
// GetConnection. The ReadOnlyAccess managed policy covers them.
//
// It builds no construct and never starts the jsii kernel: the stacks package
// only registers jsii types when it is imported, and the kernel (Node.js)
// starts on the first construct (TestNoJsiiKernel).
//
// Exit status: 0 when every check passed (or for -h, which lists the checks);
// 1 when one failed; 2 for bad usage
// or a configuration that `cdk synth` would refuse too.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/project-1/project-1/internal/appcontext"
	"github.com/project-1/project-1/internal/cli"
	configuration "github.com/project-1/project-1/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, defaultOptions())
	stop()
	os.Exit(code)
}

// options are what the tests replace.
type options struct {
	environments func() []configuration.Environment
	cdkJSON      string // the file whose "context" -c adds to
	loadConfig   func(ctx context.Context, region string) (aws.Config, error)
}

func defaultOptions() options {
	return options{
		environments: configuration.Environments,
		cdkJSON:      "cdk.json",
		loadConfig: func(ctx context.Context, region string) (aws.Config, error) {
			return config.LoadDefaultConfig(ctx, config.WithRegion(region))
		},
	}
}

const usage = `usage: preflight [-c KEY=VALUE ...]
  -c env=NAME        the environment to check (default project-1; "all" for every one)
  -c pipeline=true   the pipeline's account, region and connection, and the stages it deploys
  -c pipeline:KEY=V  a pipeline setting, over cdk.json's (connectionArn, repository, branch, account, region)
  -c alarmEmail=A    the address subscribed to the alarm topics (a Production environment needs one)

checks, each PASS, FAIL (with the fix) or SKIP:
  credentials    the credentials work in the region, for the environment's account
  bootstrap      the CDK bootstrap stack's version is one the pinned CLI deploys with, in the backup copy's region too
  zones          the configured availability zones exist in the account
  instance type  the web instance types are offered in every zone
  database       RDS offers the MySQL version for the database class (Multi-AZ too)
  image          the web image is pinned (Web.ImageId) and available for the architecture
  quotas         Elastic IPs, VPCs and internet gateways fit (a first deploy only)
  table          no table of Storage.TableName exists yet (a first deploy only)
  alarms         the alarm topic has a subscriber
  settings, connection  with -c pipeline=true: the pipeline's settings, its connection AVAILABLE`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, opt options) int {
	fs := cli.NewFlagSet("preflight", "", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	given := appcontext.Register(fs)
	if code, done := cli.Parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return cli.Fail(stderr, "preflight", "unexpected argument %q\n%s", fs.Arg(0), usage)
	}
	// The app's own parser: a misspelt pipeline: key, or a value the app
	// refuses, exits 2 here as cdk synth exits on it.
	parsed, err := appcontext.Read(opt.cdkJSON, given)
	if err != nil {
		return cli.Fail(stderr, "preflight", "%v", err)
	}
	envs := configuration.WithAlarmEmail(opt.environments(), parsed.AlarmEmail)
	if err := configuration.ValidateAll(envs); err != nil {
		fmt.Fprintf(stderr, "preflight: invalid configuration (cdk synth refuses it too):\n%v\n", err)
		return 2
	}
	plan, err := makePlan(envs, parsed)
	if err != nil {
		fmt.Fprintf(stderr, "preflight: %v\n", err)
		return 2
	}

	p := &preflight{opt: opt, out: &report{w: stdout}, clients: map[string]*clients{}}
	p.execute(ctx, plan)
	r := p.out
	total := r.passed + r.failed
	switch {
	case r.failed > 0:
		fmt.Fprintf(stdout, "\npreflight: %d of %d checks failed (%d skipped); fix them and run again\n", r.failed, total, r.skipped)
		return 1
	default:
		fmt.Fprintf(stdout, "\npreflight: all %d checks passed (%d skipped)\n", total, r.skipped)
		return 0
	}
}

// plan is what to check: the pipeline (when on), then environments.
type plan struct {
	pipeline *configuration.PipelineConfig
	targets  []target
}

// target is one environment and the account its stacks deploy to ("" when
// any: whichever account the credentials name).
type target struct {
	env     configuration.Environment
	account string
	trust   string // the pipeline account that deploys it, when another
}

func makePlan(envs []configuration.Environment, c appcontext.Context) (plan, error) {
	var p plan
	name := c.Env
	if c.Pipeline {
		cfg := configuration.PipelineFromContext(c)
		p.pipeline = &cfg
		stages := configuration.PipelineStages
		if name != "" && name != configuration.AllEnvironments {
			if !contains(stages, name) {
				return p, fmt.Errorf("environment %q is not a stage of the pipeline (%s)", name, strings.Join(stages, ", "))
			}
			stages = []string{name}
		}
		for _, s := range stages {
			env, err := lookup(envs, s)
			if err != nil {
				return p, fmt.Errorf("pipeline stage: %w", err)
			}
			// The pipeline deploys an environment without an account into its own.
			t := target{env: env, account: env.Account}
			if t.account == "" {
				t.account = cfg.Account
			}
			if t.account != cfg.Account {
				t.trust = cfg.Account
			}
			p.targets = append(p.targets, t)
		}
		return p, nil
	}
	if name == "" {
		name = configuration.DefaultEnvironment
	}
	if name == configuration.AllEnvironments {
		for _, env := range envs {
			p.targets = append(p.targets, target{env: env, account: env.Account})
		}
		return p, nil
	}
	env, err := lookup(envs, name)
	if err != nil {
		return p, err
	}
	p.targets = []target{{env: env, account: env.Account}}
	return p, nil
}

// lookup is configuration.Lookup over envs (the tests' environments, or the project's).
func lookup(envs []configuration.Environment, name string) (configuration.Environment, error) {
	var known []string
	for _, e := range envs {
		if e.Name == name {
			return e, nil
		}
		known = append(known, e.Name)
	}
	return configuration.Environment{}, fmt.Errorf("unknown environment %q; known environments: %s (or %q for every one)",
		name, strings.Join(known, ", "), configuration.AllEnvironments)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// report prints each check as it completes.
type report struct {
	w                       io.Writer
	passed, failed, skipped int
}

func (r *report) group(title string) { fmt.Fprintf(r.w, "\n%s\n", title) }

func (r *report) pass(check, detail string) {
	r.passed++
	fmt.Fprintf(r.w, "  PASS %s: %s\n", check, detail)
}

// fail prints what is wrong and, on the next line, how to fix it.
func (r *report) fail(check, detail, fix string) {
	r.failed++
	fmt.Fprintf(r.w, "  FAIL %s: %s\n", check, indent(detail))
	fmt.Fprintf(r.w, "       fix: %s\n", indent(fix))
}

func (r *report) skip(check, why string) {
	r.skipped++
	fmt.Fprintf(r.w, "  SKIP %s: %s\n", check, why)
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n         ") }

// sorted returns the keys of set, sorted.
func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Command project-1 is the CDK app: `cdk synth` runs it. It is the only place
// that reads context and environment variables.
//
//	cdk synth                 the default environment (project-1)
//	cdk synth -c env=NAME     another environment from config.Environments
//	cdk synth -c env=all      every environment, each as its own stage
//	cdk synth -c pipeline=true  the delivery pipeline and the stages it deploys
//	cdk synth -c alarmEmail=ops@example.com  subscribe ops@example.com to the
//	                          alarm topic of every environment that names no
//	                          address of its own; a Production environment needs one
//
// A context value it does not accept (-c pipeline=yes) or a misspelt pipeline
// setting (-c pipeline:acount=...) is an error, not ignored.
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/appcontext"
	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/kernelcache"
	"github.com/project-1/project-1/internal/stacks"
)

func main() {
	// The jsii kernel starts while Go packages initialize and inherits the
	// environment then: when the package cache must move, run again with it moved.
	if msg := kernelcache.Prepare(); msg != "" {
		fmt.Fprintln(os.Stderr, "project-1:", msg)
		jsii.Close()
		os.Exit(kernelcache.Rerun())
	}
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "project-1: %v\n", err)
		os.Exit(1)
	}
}

func run() (err error) {
	// A construct that throws inside the jsii kernel panics in Go; report its
	// message rather than a kernel stack trace.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synthesis failed: %v", r)
		}
	}()
	app := stacks.NewApp(nil)
	all, _ := app.Node().GetAllContext(nil).(map[string]any)
	ctx, err := appcontext.Parse(all)
	if err != nil {
		return err
	}
	name := config.DefaultEnvironment
	if ctx.Env != "" {
		name = ctx.Env
	}
	// An environment without an Account stays account-agnostic, whoever runs
	// synth: the same commit gives the same templates on every machine, and
	// `cdk deploy` deploys into the account of the credentials.
	envs := config.WithAlarmEmail(config.Environments(), ctx.AlarmEmail)
	built := config.PipelineStages
	if !ctx.Pipeline {
		built = []string{name}
	}
	if ctx.Pipeline {
		if _, err := stacks.BuildPipeline(app, envs, config.PipelineFromContext(ctx)); err != nil {
			return err
		}
	} else if _, err := stacks.BuildApp(app, envs, name); err != nil {
		return err
	}
	// Validation refuses a Production environment without a subscriber; the
	// others synthesize, and are reported, as are environments whose image
	// is not pinned.
	for _, e := range envs {
		if name == config.AllEnvironments && !ctx.Pipeline || slices.Contains(built, e.Name) {
			for _, line := range append(config.Unsubscribed([]config.Environment{e}), config.Unpinned([]config.Environment{e})...) {
				fmt.Fprintln(os.Stderr, "project-1: note:", line)
			}
		}
	}
	// The CLI checks findings only of the stacks it was asked for, and `cdk synth`
	// without a selector asks for none inside a stage: fail here instead.
	findings, err := stacks.Synth(app)
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return fmt.Errorf("synthesis reported %d error(s) and warning(s); fix them or suppress them with a reason:\n%s",
			len(findings), strings.Join(findings, "\n"))
	}
	return nil
}

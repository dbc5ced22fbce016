// Command project-1 is the CDK app: `cdk synth` runs it. It is the only place
// that reads context and environment variables.
//
//	cdk synth                 the default environment (project-1)
//	cdk synth -c env=NAME     another environment from stacks.Environments
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/stacks"
)

func main() {
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
	app := awscdk.NewApp(nil)
	name := stacks.DefaultEnvironment
	if v, ok := app.Node().TryGetContext(jsii.String("env")).(string); ok && v != "" {
		name = v
	}
	env, err := stacks.Lookup(name)
	if err != nil {
		return err
	}
	if env.Account == "" {
		env.Account = os.Getenv("CDK_DEFAULT_ACCOUNT")
	}
	if _, err := stacks.Build(app, env); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	// The CLI checks findings only of the stacks it was asked for, and `cdk synth`
	// without a selector asks for none inside a stage: fail here instead.
	if findings := stacks.Findings(app.Synth(nil)); len(findings) > 0 {
		return fmt.Errorf("synthesis reported %d error(s) and warning(s); fix them or suppress them with a reason:\n%s",
			len(findings), strings.Join(findings, "\n"))
	}
	return nil
}

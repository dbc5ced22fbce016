// Command project-1 is the CDK app: `cdk synth` runs it. It is the only place
// that reads context and environment variables.
//
//	cdk synth                 the default environment (project-1)
//	cdk synth -c env=NAME     another environment from stacks.Environments
//	cdk synth -c env=all      every environment, each as its own stage
//	cdk synth -c pipeline=true  the delivery pipeline and the stages it deploys
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/kernelcache"
	"github.com/project-1/project-1/stacks"
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
	name := stacks.DefaultEnvironment
	if v := contextString(app, "env"); v != "" {
		name = v
	}
	envs := stacks.Environments()
	for i := range envs {
		if envs[i].Account == "" {
			envs[i].Account = os.Getenv("CDK_DEFAULT_ACCOUNT")
		}
	}
	if p := app.Node().TryGetContext(jsii.String("pipeline")); p == "true" || p == true {
		cfg := stacks.PipelineConfig{
			ConnectionArn: contextString(app, "pipeline:connectionArn"),
			Repository:    contextString(app, "pipeline:repository"),
			Branch:        contextString(app, "pipeline:branch"),
			Account:       contextString(app, "pipeline:account"),
			Region:        contextString(app, "pipeline:region"),
		}
		if _, err := stacks.BuildPipeline(app, envs, cfg); err != nil {
			return err
		}
	} else if _, err := stacks.BuildApp(app, envs, name); err != nil {
		return err
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

// contextString is the context value key as a string ("" when unset): what
// -c key=value or cdk.json's context gives.
func contextString(app awscdk.App, key string) string {
	v, _ := app.Node().TryGetContext(jsii.String(key)).(string)
	return v
}

// Command image pins the image (AMI) that each environment's web servers
// boot, so that a new image is a reviewed change and not a side effect of
// whatever deploy comes after AWS publishes one.
//
//	go run ./cmd/image [-c env=NAME] [-write]
//
// For each environment (-c env=NAME, default every one), it reads the
// public SSM parameter that holds the newest Amazon Linux 2023 image for the
// environment's region and its instance type's architecture
// (webprops.ImageParameter, the parameter the servers read at every deploy while
// nothing is pinned), and prints it beside the image pinned now. With
// -write it rewrites internal/config/images.go with those images, keeping the other
// environments' pins. Commit that change like any other: cmd/review shows
// each environment whose image changes as replaces-every-instance, since its
// rolling update replaces every server.
//
// It needs credentials that may call ssm:GetParameter in each region (the
// parameters are public), taken as the AWS SDK takes them;
// AWS_ENDPOINT_URL points it at another endpoint.
//
// Exit status: 0 done, 1 an AWS call failed (nothing is written), 2 bad
// usage.
package main

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"io"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/project-1/project-1/constructs/web/webprops"
	"github.com/project-1/project-1/internal/appcontext"
	"github.com/project-1/project-1/internal/cli"
	configuration "github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/validate"
)

// parameters is the one SSM call the command makes.
type parameters interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

type options struct {
	environments func() []configuration.Environment
	client       func(ctx context.Context, region string) (parameters, error)
	file         string // the file -write rewrites
}

func defaultOptions() options {
	return options{
		environments: configuration.Environments,
		client: func(ctx context.Context, region string) (parameters, error) {
			cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
			if err != nil {
				return nil, err
			}
			return ssm.NewFromConfig(cfg), nil
		},
		file: "internal/config/images.go",
	}
}

const usage = `usage: image [-c env=NAME] [-write]
  -c env=NAME   the environment (default all: every one)
  -write        rewrite internal/config/images.go with the newest images`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, defaultOptions()))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, opt options) int {
	fs := cli.NewFlagSet("image", "", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	given := appcontext.Flags{}
	fs.Var(given, "c", "context KEY=VALUE (env=NAME)")
	write := fs.Bool("write", false, "rewrite "+opt.file)
	if code, done := cli.Parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return cli.Fail(stderr, "image", "unexpected argument %q\n%s", fs.Arg(0), usage)
	}
	// It rewrites a file, so it refuses what it would not read: a key other
	// than env (a misspelt one would pin every environment).
	for k, v := range given {
		if k != appcontext.EnvKey {
			return cli.Fail(stderr, "image", "-c %s=%s: the only key is env (env=NAME)", k, v)
		}
	}
	envs := opt.environments()
	selected := envs
	if name := given[appcontext.EnvKey]; name != "" && name != configuration.AllEnvironments {
		e, err := configuration.LookupIn(envs, name)
		if err != nil {
			return cli.Fail(stderr, "image", "-c env=%s: %v", name, err)
		}
		selected = []configuration.Environment{e}
	}

	pins := map[string]string{}
	for _, e := range envs {
		if e.Web.ImageId != "" {
			pins[e.Name] = e.Web.ImageId
		}
	}
	changed := false
	for _, e := range selected {
		name := webprops.ImageParameter(e.Web.InstanceType)
		c, err := opt.client(ctx, e.Region)
		if err != nil {
			fmt.Fprintf(stderr, "image: %s: %v\n", e.Region, err)
			return 1
		}
		out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			fmt.Fprintf(stderr, "image: %s: reading %s in %s: %v\n", e.Name, name, e.Region, err)
			return 1
		}
		newest := aws.ToString(out.Parameter.Value)
		if err := validate.ImageId(newest); err != nil {
			fmt.Fprintf(stderr, "image: %s: %s in %s holds %v\n", e.Name, name, e.Region, err)
			return 1
		}
		was := pins[e.Name]
		switch was {
		case newest:
			fmt.Fprintf(stdout, "%s (%s, %s): %s, pinned already\n", e.Name, e.Region, name, newest)
		case "":
			fmt.Fprintf(stdout, "%s (%s, %s): %s, not pinned: every deploy boots the newest image\n", e.Name, e.Region, name, newest)
		default:
			fmt.Fprintf(stdout, "%s (%s, %s): %s, pinned %s: the change replaces every web server\n", e.Name, e.Region, name, newest, was)
		}
		if was != newest {
			changed = true
			pins[e.Name] = newest
		}
	}
	if !*write {
		if changed {
			fmt.Fprintf(stdout, "run with -write to pin these in %s\n", opt.file)
		}
		return 0
	}
	src, err := render(pins)
	if err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	if err := os.WriteFile(opt.file, src, 0o644); err != nil {
		fmt.Fprintf(stderr, "image: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: review it (go run ./cmd/review shows replaces-every-instance) and commit it\n", opt.file)
	return 0
}

// render is the source of internal/config/images.go holding pins.
func render(pins map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`// Code generated by go run ./cmd/image -write; DO NOT EDIT.

package config

// pinnedImages are the images (AMIs) the environments' web servers boot, by
// environment name: the newest Amazon Linux 2023 image of each one's region
// and architecture when cmd/image wrote them. An environment missing here
// boots the newest image of every deploy.
var pinnedImages = map[string]string{`)
	if len(pins) > 0 {
		b.WriteString("\n")
	}
	names := make([]string, 0, len(pins))
	for n := range pins {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\t%q: %q,\n", n, pins[n])
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

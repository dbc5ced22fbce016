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
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/project-1/project-1/constructs/web/webprops"
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
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	var given []string
	fs.Func("c", "context KEY=VALUE (env=NAME)", func(s string) error { given = append(given, s); return nil })
	write := fs.Bool("write", false, "rewrite "+opt.file)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "image: unexpected argument %q\n%s\n", fs.Arg(0), usage)
		return 2
	}
	envs := opt.environments()
	selected := envs
	for _, kv := range given {
		k, v, _ := strings.Cut(kv, "=")
		if k != "env" {
			fmt.Fprintf(stderr, "image: -c %s: the only key is env (env=NAME)\n", kv)
			return 2
		}
		if v == configuration.AllEnvironments {
			selected = envs
			continue
		}
		i := slices.IndexFunc(envs, func(e configuration.Environment) bool { return e.Name == v })
		if i < 0 {
			var names []string
			for _, e := range envs {
				names = append(names, e.Name)
			}
			fmt.Fprintf(stderr, "image: -c env=%s: no such environment; one of %s\n", v, strings.Join(names, ", "))
			return 2
		}
		selected = envs[i : i+1]
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

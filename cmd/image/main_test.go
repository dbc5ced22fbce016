package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	configuration "github.com/project-1/project-1/internal/config"
)

// fakeParameters answers GetParameter from values, by region and name.
type fakeParameters struct {
	region string
	values map[string]string // "region name" -> value
	asked  *[]string
}

func (f fakeParameters) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	key := f.region + " " + aws.ToString(in.Name)
	*f.asked = append(*f.asked, key)
	v, ok := f.values[key]
	if !ok {
		return nil, errors.New("ParameterNotFound")
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
}

const (
	arm = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64"
	x86 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64"
)

func testOptions(t *testing.T, values map[string]string, asked *[]string) options {
	file := filepath.Join(t.TempDir(), "images.go")
	return options{
		environments: configuration.Environments,
		client: func(_ context.Context, region string) (parameters, error) {
			return fakeParameters{region: region, values: values, asked: asked}, nil
		},
		file: file,
	}
}

// The three environments: project-1 and prod on Graviton (arm64), dev on
// t3 (x86_64), each read in its own region; -write pins each.
func TestWritePinsEveryEnvironment(t *testing.T) {
	var asked []string
	values := map[string]string{
		"us-east-1 " + arm: "ami-0aaaaaaaaaaaaaaaa", "us-east-1 " + x86: "ami-0bbbbbbbbbbbbbbbb", "eu-west-1 " + arm: "ami-0cccccccccccccccc",
	}
	opt := testOptions(t, values, &asked)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-write"}, &out, &errOut, opt); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if len(asked) != 3 {
		t.Errorf("asked %q, want one parameter per environment", asked)
	}
	src, err := os.ReadFile(opt.file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"dev":       "ami-0bbbbbbbbbbbbbbbb"`, `"prod":      "ami-0cccccccccccccccc"`, `"project-1": "ami-0aaaaaaaaaaaaaaaa"`, "DO NOT EDIT"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the file lacks %q:\n%s", want, src)
		}
	}
	if !strings.Contains(out.String(), "not pinned") {
		t.Errorf("the output does not say the images were not pinned:\n%s", out.String())
	}
}

// One environment: the others keep their pins; a pin that changes says it
// replaces every server; without -write nothing is written.
func TestOneEnvironmentKeepsTheOthers(t *testing.T) {
	var asked []string
	values := map[string]string{"eu-west-1 " + arm: "ami-0dddddddddddddddd"}
	opt := testOptions(t, values, &asked)
	opt.environments = func() []configuration.Environment {
		envs := configuration.Environments()
		for i := range envs {
			envs[i].Web.ImageId = "ami-0123456789abcdef0"
		}
		return envs
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-c", "env=prod"}, &out, &errOut, opt); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "pinned ami-0123456789abcdef0: the change replaces every web server") || !strings.Contains(out.String(), "-write") {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := os.Stat(opt.file); err == nil {
		t.Error("wrote the file without -write")
	}
	out.Reset()
	if code := run(context.Background(), []string{"-c", "env=prod", "-write"}, &out, &errOut, opt); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	src, _ := os.ReadFile(opt.file)
	for _, want := range []string{`"prod":      "ami-0dddddddddddddddd"`, `"dev":       "ami-0123456789abcdef0"`, `"project-1": "ami-0123456789abcdef0"`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the file lacks %q:\n%s", want, src)
		}
	}
}

func TestBadUsageAndFailures(t *testing.T) {
	var asked []string
	opt := testOptions(t, map[string]string{"us-east-1 " + arm: "not-an-image"}, &asked)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-c", "env=staging"}, 2, `unknown environment "staging"; known environments: project-1, dev, prod`},
		{[]string{"-c", "region=us-east-1"}, 2, "the only key is env"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-c", "env=project-1", "-write"}, 1, "holds \"not-an-image\" is not an image id"},
		{[]string{"-c", "env=dev", "-write"}, 1, "reading " + x86 + " in us-east-1: ParameterNotFound"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &errOut, opt); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
	}
	if _, err := os.Stat(opt.file); err == nil {
		t.Error("a failed run wrote the file")
	}
}

// The committed internal/config/images.go is what the command writes for its pins,
// so that a refresh's diff is only the images.
func TestCommittedFileIsTheCommandsOwn(t *testing.T) {
	committed, err := os.ReadFile("../../internal/config/images.go")
	if err != nil {
		t.Fatal(err)
	}
	pins := map[string]string{}
	for _, e := range configuration.Environments() {
		if e.Web.ImageId != "" {
			pins[e.Name] = e.Web.ImageId
		}
	}
	got, err := render(pins)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Errorf("internal/config/images.go is not what cmd/image writes for its pins:\n%s\nwant:\n%s", committed, got)
	}
}

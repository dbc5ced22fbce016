package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/project-1/project-1/internal/assemblytest"
	"github.com/project-1/project-1/internal/review"
	"github.com/project-1/project-1/internal/verify/fakeaws"
	"github.com/project-1/project-1/netcheck"
)

// golden lays the golden templates out as `cdk synth -c env=all` does, each
// stage in its region, and returns the directory and the stacks.
func golden(t *testing.T) (string, []netcheck.StackArtifact) {
	t.Helper()
	in, err := review.Load("../../test/testdata")
	if err != nil {
		t.Fatal(err)
	}
	for i := range in.Stacks {
		in.Stacks[i].Region = map[bool]string{true: "eu-west-1", false: "us-east-1"}[in.Stacks[i].Stage == "prod"]
	}
	dir := t.TempDir()
	if err := assemblytest.LayOut(dir, in.Stacks); err != nil {
		t.Fatal(err)
	}
	return dir, in.Stacks
}

func expectations(t *testing.T) []netcheck.Expectation {
	return assemblytest.Expectations(t, "../netcheck/expected.txt")
}

// against is options that talk to the fake: static credentials, up to three attempts
// per call, a short poll.
func against(s *fakeaws.Server) options {
	return options{
		cdkJSON: "../../cdk.json",
		awsConfig: func(_ context.Context, region string) (aws.Config, error) {
			return aws.Config{Region: region, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 3, // as in a real run, a read that fails is retried (the SDK's standard retryer)
				Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}, nil
		},
		poll: time.Millisecond,
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func verifyDev(t *testing.T, ctx context.Context, s *fakeaws.Server, dir string, stdin string, extra ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"-c", "env=dev", "-expect", "../netcheck/expected.txt"}, extra...)
	code := run(ctx, append(args, dir), strings.NewReader(stdin), &out, &errOut, against(s))
	return result{code, out.String(), errOut.String()}
}

// TestEveryFlowAgrees is the run on a deployed dev stage that AWS answers as
// the spec expects: every one of the table's 26 flows is printed with both
// verdicts, they agree, and nothing the run created is left.
func TestEveryFlowAgrees(t *testing.T) {
	dir, stacks := golden(t)
	s := fakeaws.New(stacks, "dev", "us-east-1", expectations(t))
	defer s.Close()
	r := verifyDev(t, context.Background(), s, dir, "", "-yes")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rows := regexp.MustCompile(`(?m)^(\w+ -> \w+ \d+)\s+(\w+)\s+(\w+) \((\d+)/(\d+) found\)\s+agree$`).FindAllStringSubmatch(r.stdout, -1)
	if len(rows) != 26 {
		t.Errorf("%d flows agree, want the table's 26:\n%s", len(rows), r.stdout)
	}
	for _, row := range rows {
		if row[2] != row[3] || row[5] == "0" {
			t.Errorf("%s: netcheck %s, AWS %s over %s analyses", row[1], row[2], row[3], row[5])
		}
	}
	for _, want := range []string{
		"verify: stage dev (us-east-1), stacks dev-App, dev-Data, dev-Network: 26 flows",
		"drift: dev-Network IN_SYNC",
		"internet -> alb 443", "web -> rds 3306", "nat -> internet 443",
		"verify: 26 of 26 flows agree",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stdout)
		}
	}
	// The estimate comes before anything is created, with the page it
	// prices from.
	if !regexp.MustCompile(`make (\d+) analyses, at \$0\.10 each \(https://aws.amazon.com/vpc/pricing/\): \$\d+\.\d\d`).MatchString(r.stdout) {
		t.Errorf("no estimate:\n%s", r.stdout)
	}
	if p, a := s.Live(); p != 0 || a != 0 {
		t.Errorf("%d paths and %d analyses left behind", p, a)
	}
	if !strings.Contains(r.stderr, "of") || !strings.Contains(r.stderr, "analyses finished") {
		t.Errorf("no progress on stderr:\n%s", r.stderr)
	}
}

// TestADisagreementNamesTheComponent plants a flow that netcheck allows and
// the recorded analysis blocks: the run exits 1 and names what AWS blames,
// as AWS names it and as the templates do.
func TestADisagreementNamesTheComponent(t *testing.T) {
	dir, stacks := golden(t)
	s := fakeaws.New(stacks, "dev", "us-east-1", expectations(t))
	defer s.Close()
	spec := s.Answer
	for _, tc := range []struct {
		name, response string
		from, to       netcheck.Endpoint
		port           int
		want           []string
	}{
		{"a security group", fakeaws.SecurityGroup, netcheck.Web, netcheck.RDS, 3306,
			[]string{"ENI_SG_RULES_MISMATCH: security group sg-", "(dev-Network/SecurityGroupsDatabase03711F2A)"}},
		{"a network ACL entry", fakeaws.NACL, netcheck.ALB, netcheck.Web, 80,
			[]string{"SUBNET_ACL_RESTRICTION: network ACL acl-", "(dev-Network/NetworkPrivateAcl1899B2E2)", "rule 100 deny", "subnet subnet-"}},
		{"a missing route", fakeaws.Route, netcheck.Web, netcheck.Internet, 443,
			[]string{"NO_ROUTE_TO_DESTINATION: route table rtb-", "(dev-Network/NetworkPrivateSubnet1RouteTable7DF91433)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Answer = func(from, to netcheck.Endpoint, port int) string {
				if from == tc.from && to == tc.to && port == tc.port {
					return tc.response
				}
				return spec(from, to, port)
			}
			r := verifyDev(t, context.Background(), s, dir, "", "-yes", "-drift=false")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			flow := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(string(tc.from)+" -> "+string(tc.to)) + ` ` + strconv.Itoa(tc.port) + `\s+allow\s+block \(0/\d+ found\)\s+DISAGREE$`)
			if !flow.MatchString(r.stdout) {
				t.Errorf("the flow is not reported as a disagreement:\n%s", r.stdout)
			}
			for _, want := range append(tc.want, "verify: 25 of 26 flows agree; 1 disagree", "AWS finds no path (nia-") {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("the report lacks %q:\n%s", want, r.stdout)
				}
			}
			if p, a := s.Live(); p != 0 || a != 0 {
				t.Errorf("%d paths and %d analyses left behind", p, a)
			}
		})
	}
	// The other way round: AWS finds a path netcheck proves closed, and the
	// report gives netcheck's reasons.
	s.Answer = func(from, to netcheck.Endpoint, port int) string {
		if from == netcheck.Internet && to == netcheck.RDS && port == 3306 {
			return fakeaws.Reachable
		}
		return spec(from, to, port)
	}
	r := verifyDev(t, context.Background(), s, dir, "", "-yes", "-drift=false")
	if r.code != 1 || !strings.Contains(r.stdout, "AWS finds a path") || !strings.Contains(r.stdout, "netcheck: ") {
		t.Errorf("exit %d; want 1 with AWS's path and netcheck's reasons:\n%s", r.code, r.stdout)
	}
}

// TestInterruptCleansUp cancels the run (as SIGINT does) while analyses are
// running: it exits 2, and every path and analysis it made is deleted.
func TestInterruptCleansUp(t *testing.T) {
	dir, stacks := golden(t)
	s := fakeaws.New(stacks, "dev", "us-east-1", expectations(t))
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	made := 0
	s.Started = func(n int) {
		made = n
		if n == 3 {
			cancel()
		}
	}
	r := verifyDev(t, ctx, s, dir, "", "-yes", "-drift=false", "-parallel", "5")
	if r.code != 2 || !strings.Contains(r.stderr, "verify: interrupted") {
		t.Fatalf("exit %d, want 2 and 'interrupted'\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if made < 3 {
		t.Fatalf("only %d analyses started: the interrupt came before any ran", made)
	}
	if p, a := s.Live(); p != 0 || a != 0 {
		t.Errorf("%d paths and %d analyses left behind after the interrupt", p, a)
	}
	if !regexp.MustCompile(`deleted \d+ analyses and \d+ paths`).MatchString(r.stderr) {
		t.Errorf("the clean-up is not reported:\n%s", r.stderr)
	}
}

// TestMissingPermissions: a refused call exits 2 naming the IAM action, and
// what was created before it is deleted.
func TestMissingPermissions(t *testing.T) {
	dir, stacks := golden(t)
	for _, action := range []string{"DetectStackDrift", "DescribeStackResources", "DescribeDBInstances", "CreateNetworkInsightsPath", "StartNetworkInsightsAnalysis"} {
		t.Run(action, func(t *testing.T) {
			s := fakeaws.New(stacks, "dev", "us-east-1", expectations(t))
			defer s.Close()
			s.Deny[action] = true
			r := verifyDev(t, context.Background(), s, dir, "", "-yes")
			prefix := map[string]string{"DetectStackDrift": "cloudformation", "DescribeStackResources": "cloudformation", "DescribeDBInstances": "rds"}[action]
			if prefix == "" {
				prefix = "ec2"
			}
			if r.code != 2 || !strings.Contains(r.stderr, "the credentials need "+prefix+":"+action) {
				t.Errorf("exit %d, want 2 naming %s:%s\n%s", r.code, prefix, action, r.stderr)
			}
			if p, a := s.Live(); p != 0 || a != 0 {
				t.Errorf("%d paths and %d analyses left behind", p, a)
			}
		})
	}
}

// TestDriftQualifiesTheVerdicts: a drifted network resource is reported, and
// the run says its verdicts hold for the account, not the templates.
func TestDriftQualifiesTheVerdicts(t *testing.T) {
	dir, stacks := golden(t)
	s := fakeaws.New(stacks, "dev", "us-east-1", expectations(t))
	defer s.Close()
	s.Drift["dev-Network"] = []fakeaws.Drifted{{LogicalID: "SecurityGroupsWebAE39F2C2", Type: "AWS::EC2::SecurityGroup", Status: "MODIFIED", Property: "/SecurityGroupIngress/1"}}
	s.Drift["dev-Data"] = []fakeaws.Drifted{{LogicalID: "ForumTable", Type: "AWS::DynamoDB::Table", Status: "MODIFIED", Property: "/BillingMode"}}
	r := verifyDev(t, context.Background(), s, dir, "", "-yes")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"drift: dev-Network DRIFTED", "MODIFIED SecurityGroupsWebAE39F2C2 AWS::EC2::SecurityGroup: /SecurityGroupIngress/1",
		"drift: dev-Data DRIFTED", "drift: dev-App IN_SYNC",
		"the network drifted from the templates (dev-Network/SecurityGroupsWebAE39F2C2): AWS's verdicts hold for the account as it is, not for the templates",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "dev-Data/ForumTable)") {
		t.Errorf("a table's drift is not the network's:\n%s", r.stdout)
	}
}

// TestTheQuestion: without -yes the run asks after the estimate, and only a
// yes starts analyses.
func TestTheQuestion(t *testing.T) {
	dir, stacks := golden(t)
	s := fakeaws.New(stacks, "dev", "us-east-1", expectations(t))
	defer s.Close()
	started := 0
	s.Started = func(n int) { started = n }
	for _, answer := range []string{"", "n\n", "no\n"} {
		r := verifyDev(t, context.Background(), s, dir, answer, "-drift=false")
		if r.code != 2 || !strings.Contains(r.stdout, "Start them? [y/N]") || !strings.Contains(r.stderr, "not started: nothing was created") || started != 0 {
			t.Errorf("answer %q: exit %d, %d started\n%s\n%s", answer, r.code, started, r.stdout, r.stderr)
		}
	}
	if r := verifyDev(t, context.Background(), s, dir, "y\n", "-drift=false"); r.code != 0 || started == 0 {
		t.Errorf("answer y: exit %d, %d started\n%s", r.code, started, r.stderr)
	}
}

// TestBadInput exits 2 with the field and value named, before any AWS call.
func TestBadInput(t *testing.T) {
	dir, stacks := golden(t)
	devOnly := t.TempDir()
	if err := assemblytest.LayOut(devOnly, slices.DeleteFunc(stacks, func(s netcheck.StackArtifact) bool { return s.Stage != "dev" })); err != nil {
		t.Fatal(err)
	}
	noAWS := options{cdkJSON: "../../cdk.json", awsConfig: func(context.Context, string) (aws.Config, error) {
		return aws.Config{}, errors.New("no AWS call was expected")
	}}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "env=staging", dir}, `unknown environment "staging"`},
		{[]string{"-c", "env=all", dir}, "verify one environment at a time"},
		{[]string{"-c", "pipeline:acount=1", dir}, "pipeline:acount"},
		{[]string{"-c", "env=dev", "-parallel", "0", dir}, "-parallel 0"},
		{[]string{"-c", "env=dev", dir + "/nowhere"}, "nowhere"},
		{[]string{"-c", "env=dev", "-expect", "missing.txt", dir}, "missing.txt"},
		{[]string{"-c", "env=dev", dir, dir}, "one assembly"},
		{[]string{"-c", "env=prod", devOnly}, `the assembly has no stage "prod" (its stages: "dev")`},
	} {
		var out, errOut bytes.Buffer
		args := tc.args
		if !slices.Contains(args, "-expect") {
			args = append([]string{"-expect", "../netcheck/expected.txt"}, args...)
		}
		code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, noAWS)
		if code != 2 || !strings.Contains(errOut.String(), tc.want) || strings.Contains(errOut.String(), "no AWS call") {
			t.Errorf("%q: exit %d, want 2 naming %q\n%s", tc.args, code, tc.want, errOut.String())
		}
	}
}

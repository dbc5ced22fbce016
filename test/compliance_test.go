package test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/stacks"
)

// TestNoFindings: no stack has an error or a warning, cdk-nag's included.
func TestNoFindings(t *testing.T) {
	for _, f := range synth.findings {
		t.Errorf("finding: %s", f)
	}
}

// Every suppressed nag rule, where, and why in a few words. A new suppression
// fails this test until it is added here (and to the README).
var allowedSuppressions = []struct {
	rule string
	path *regexp.Regexp // the first segment is the environment's stage
	// when set, allowed only in environments for which it returns true
	only func(stacks.Environment) bool
}{
	{"AwsSolutions-VPC3", regexp.MustCompile(`^[^/]+/Network/Network/(Public|Private)Acl/(Resource|Ingress\d+|Egress\d+|Association\d+)$`), nil},
	{"AwsSolutions-EC23", regexp.MustCompile(`^[^/]+/Network/SecurityGroups/Alb/Resource$`), nil},
	{"AwsSolutions-RDS11", regexp.MustCompile(`^[^/]+/Data/Database/Instance/Resource$`), nil},
	{"AwsSolutions-SMG4", regexp.MustCompile(`^[^/]+/Data/Database/Secret/Resource$`), nil},
	{"AwsSolutions-IAM4", regexp.MustCompile(`^[^/]+/Data/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole/Resource$`), nil},
	{"AwsSolutions-IAM5", regexp.MustCompile(`^[^/]+/Data/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole/DefaultPolicy/Resource$`), nil},
	{"AwsSolutions-IAM4", regexp.MustCompile(`^[^/]+/App/Web/Role/Resource$`), nil},
	{"AwsSolutions-IAM5", regexp.MustCompile(`^[^/]+/App/Web/Role/DefaultPolicy/Resource$`), nil},
	{"AwsSolutions-AS3", regexp.MustCompile(`^[^/]+/App/Web/Instances/ASG$`), nil},
	{"AwsSolutions-RDS3", regexp.MustCompile(`^[^/]+/Data/Database/Instance/Resource$`),
		func(e stacks.Environment) bool { return !e.Data.DatabaseMultiAz }},
	{"AwsSolutions-RDS10", regexp.MustCompile(`^[^/]+/Data/Database/Instance/Resource$`),
		func(e stacks.Environment) bool { return !e.Data.DatabaseDeletionProtection }},
}

// TestNagReports reads the report cdk-nag writes for every stack: nag ran, no
// rule is non-compliant, and each suppression is an allowed one with a reason.
func TestNagReports(t *testing.T) {
	for name, e := range synth.all {
		for id, s := range e.stacks {
			// cdk-nag writes its reports at the top of the cloud assembly.
			pattern := filepath.Join(synth.outdir, "AwsSolutions-*-"+s.name+"-NagReport.csv")
			matches, _ := filepath.Glob(pattern)
			if len(matches) != 1 {
				t.Errorf("%s stack %s: no cdk-nag report (%s): nag did not run", name, id, pattern)
				continue
			}
			f, err := os.Open(matches[0])
			must(t, "open nag report", err)
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			must(t, "read nag report", err)
			if len(rows) < 2 {
				t.Errorf("%s stack %s: nag report has no rows", name, id)
			}
			for _, row := range rows[1:] {
				rule, path, status, reason := row[0], row[1], row[2], row[3]
				switch status {
				case "Compliant", "N/A":
				case "Suppressed":
					ok := false
					for _, a := range allowedSuppressions {
						ok = ok || (a.rule == rule && a.path.MatchString(path) && (a.only == nil || a.only(e.env)))
					}
					if !ok {
						t.Errorf("%s is suppressed on %s, which is not an allowed suppression", rule, path)
					}
					if len(reason) < 80 {
						t.Errorf("%s on %s: suppression reason %q is too thin for a reviewer", rule, path, reason)
					}
				default:
					t.Errorf("%s on %s: %s", rule, path, status)
				}
			}
		}
	}
}

// TestNagCatchesAFinding proves the two tests above can fail: the same stage,
// with one non-compliant bucket added, reports nag errors through
// stacks.Synth, which is what makes `cdk synth` exit 1.
func TestNagCatchesAFinding(t *testing.T) {
	app := scratchApp(t)
	stage := buildOne(t, app, synth.env)
	awss3.NewBucket(stage.Network.Stack, jsii.String("Careless"), nil)
	list, err := stacks.Synth(app)
	must(t, "synthesize", err)
	findings := strings.Join(list, "\n")
	for _, rule := range []string{"AwsSolutions-S1", "AwsSolutions-S10"} {
		if !strings.Contains(findings, rule) {
			t.Errorf("a bucket without access logs or TLS enforcement did not raise %s; findings:\n%s", rule, findings)
		}
	}
}

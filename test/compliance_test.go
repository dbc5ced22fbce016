package test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/stacks"
)

// TestNoFindings: no stack has an error or a warning, cdk-nag's included.
func TestNoFindings(t *testing.T) {
	for _, f := range synthAll().findings {
		t.Errorf("finding: %s", f)
	}
}

// Every suppressed nag rule, where, and why in a few words. A new suppression
// fails this test until it is added here (and to docs/compliance.md).
var allowedSuppressions = []struct {
	rule string
	path *regexp.Regexp // the first segment is the environment's stage
	// when set, allowed only in environments for which it returns true
	only func(config.Environment) bool
}{
	{"AwsSolutions-VPC3", regexp.MustCompile(`^[^/]+/Network/Network/(Public|Private)Acl/(Resource|Ingress\d+|Egress\d+|Association\d+)$`), nil},
	{"AwsSolutions-EC23", regexp.MustCompile(`^[^/]+/Network/SecurityGroups/Alb/Resource$`), nil},
	{"AwsSolutions-RDS11", regexp.MustCompile(`^[^/]+/Data/Database/Instance/Resource$`), nil},
	{"AwsSolutions-SMG4", regexp.MustCompile(`^[^/]+/Data/Database/Secret/Resource$`), nil},
	{"AwsSolutions-IAM4", regexp.MustCompile(`^[^/]+/Data/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole/Resource$`), nil},
	{"AwsSolutions-IAM5", regexp.MustCompile(`^[^/]+/Data/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole/DefaultPolicy/Resource$`), nil},
	{"AwsSolutions-IAM5", regexp.MustCompile(`^[^/]+/Data/Database/MonitoringRole/Resource$`), nil},
	{"AwsSolutions-IAM4", regexp.MustCompile(`^[^/]+/App/Web/Role/Resource$`), nil},
	{"AwsSolutions-IAM4", regexp.MustCompile(`^[^/]+/Data/Backup/Role/Resource$`), nil},
	{"AwsSolutions-IAM5", regexp.MustCompile(`^[^/]+/App/Web/Role/DefaultPolicy/Resource$`), nil},
	{"AwsSolutions-RDS3", regexp.MustCompile(`^[^/]+/Data/Database/Instance/Resource$`),
		func(e config.Environment) bool { return !e.Database.MultiAz }},
	{"AwsSolutions-RDS10", regexp.MustCompile(`^[^/]+/Data/Database/Instance/Resource$`),
		func(e config.Environment) bool { return !e.Database.DeletionProtection }},
}

// TestNagReports reads the report cdk-nag writes for every stack: nag ran, no
// rule is non-compliant, and each suppression is an allowed one with a reason.
func TestNagReports(t *testing.T) {
	for name, e := range synthAll().all {
		env := e.env
		for id, s := range e.stacks {
			rows := nagReport(t, synthAll().outdir, s.name)
			if rows == nil {
				t.Errorf("%s stack %s: no cdk-nag report: nag did not run", name, id)
			}
			checkNagRows(t, rows, func(rule, path string) bool {
				for _, a := range allowedSuppressions {
					if a.rule == rule && a.path.MatchString(path) && (a.only == nil || a.only(env)) {
						return true
					}
				}
				return false
			})
		}
	}
}

// TestLogBucketNeedsNoSuppression: cdk-nag's S1 (server access logs) passes
// on the log bucket without a suppression, because the data bucket logs into
// it (the rule accepts a bucket that another bucket of the stack logs into).
// The suppression it once had never took effect.
func TestLogBucketNeedsNoSuppression(t *testing.T) {
	for name, e := range synthAll().all {
		found := false
		for _, row := range nagReport(t, synthAll().outdir, e.stacks["Data"].name) {
			if row[0] == "AwsSolutions-S1" && strings.HasSuffix(row[1], "/Data/LogBucket/Resource") {
				found = true
				if row[2] != "Compliant" {
					t.Errorf("%s: AwsSolutions-S1 on the log bucket is %s, want Compliant", name, row[2])
				}
			}
		}
		if !found {
			t.Errorf("%s: no AwsSolutions-S1 row for the log bucket", name)
		}
	}
}

// nagReport returns the rows (rule, path, status, reason) of the cdk-nag report
// of the stack called stackName in the cloud assembly outdir, nil when there is
// none. cdk-nag writes its reports at the top of the cloud assembly.
func nagReport(t *testing.T, outdir, stackName string) [][]string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(outdir, "AwsSolutions-*-"+stackName+"-NagReport.csv"))
	if len(matches) != 1 {
		return nil
	}
	f, err := os.Open(matches[0])
	must(t, "open nag report", err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	must(t, "read nag report", err)
	if len(rows) < 2 {
		t.Errorf("%s: nag report has no rows", stackName)
		return [][]string{}
	}
	return rows[1:]
}

// checkNagRows fails on every non-compliant row, and on every suppression that
// allowed does not accept or whose reason is too thin for a reviewer.
func checkNagRows(t *testing.T, rows [][]string, allowed func(rule, path string) bool) {
	t.Helper()
	for _, row := range rows {
		rule, path, status, reason := row[0], row[1], row[2], row[3]
		switch status {
		case "Compliant", "N/A":
		case "Suppressed":
			if !allowed(rule, path) {
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

// TestNagCatchesAFinding proves the two tests above can fail: the same stage,
// with one non-compliant bucket added, reports nag errors through
// stacks.Synth, which is what makes `cdk synth` exit 1.
func TestNagCatchesAFinding(t *testing.T) {
	app := scratchApp(t)
	stage := buildOne(t, app, appDefaultEnv())
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

// TestCfnLintIgnores: a cfn-lint check is skipped (internal/cfnlint) only
// where its data lags behind CloudFormation on a right value: E3691 on the
// database's major-only EngineVersion, in every environment, and E3703 on CDK
// Pipelines' deploy-action role ARNs. .ci/cfn-lint allows no error otherwise.
func TestCfnLintIgnores(t *testing.T) {
	ignores := func(templates map[string]map[string]any) map[string]int {
		got := map[string]int{}
		for _, tpl := range templates {
			for _, r := range tpl["Resources"].(map[string]any) {
				body := r.(map[string]any)
				meta, _ := body["Metadata"].(map[string]any)
				if lint, ok := meta["cfn-lint"]; ok {
					raw, _ := json.Marshal(lint)
					got[fmt.Sprintf("%s %s", body["Type"], raw)]++
				}
			}
		}
		return got
	}
	database := `AWS::RDS::DBInstance {"config":{"ignore_checks":["E3691"]}}`
	for name, e := range synthAll().all {
		templates := map[string]map[string]any{}
		for id, s := range e.stacks {
			templates[id] = s.json
		}
		if got, want := ignores(templates), map[string]int{database: 1}; !maps.Equal(got, want) {
			t.Errorf("%s: cfn-lint ignores %v, want %v", name, got, want)
		}
	}
	// The pipeline's assembly: its own stack and the stages it deploys.
	want := map[string]int{`AWS::CodePipeline::Pipeline {"config":{"ignore_checks":["E3703"]}}`: 1, database: len(config.PipelineStages)}
	if got := ignores(pipelineTemplates(t)); !maps.Equal(got, want) {
		t.Errorf("pipeline: cfn-lint ignores %v, want %v", got, want)
	}
}

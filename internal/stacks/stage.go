package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/internal/config"
)

// EnvironmentStage is one environment: the unit that `cdk deploy` and a pipeline deploy.
type EnvironmentStage struct {
	awscdk.Stage
	Network *NetworkStack
	Data    *DataStack
	App     *AppStack
	// BackupCopy is the copy vault's stack in the second region; nil
	// without Backup.CopyRegion.
	BackupCopy *BackupCopyStack
}

// NewEnvironmentStage builds the stage of env, which must have passed Validate.
// cdk-nag's AWS Solutions checks run on every stack in it at synthesis.
func NewEnvironmentStage(scope constructs.Construct, env *config.Environment) *EnvironmentStage {
	var account *string
	if env.Account != "" {
		account = jsii.String(env.Account)
	}
	stage := awscdk.NewStage(scope, jsii.String(env.Name), &awscdk.StageProps{
		Env: &awscdk.Environment{Account: account, Region: jsii.String(env.Region)},
	})
	pinTemplateFlags(stage)
	// Aspects added to the App do not reach into a Stage, so nag is added here.
	awscdk.Aspects_Of(stage).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Tags_Of(stage).Add(jsii.String("project"), jsii.String("project-1"), nil)
	awscdk.Tags_Of(stage).Add(jsii.String("environment"), jsii.String(env.Name), nil)

	net := NewNetworkStack(stage, "Network", &NetworkStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("project-1 network: VPC, subnets, gateways, routes, network ACLs, flow logs, security groups"),
		},
		Network: env.Network,
	})
	var copyStack *BackupCopyStack
	if env.Backup.CopyRegion != "" {
		copyStack = NewBackupCopyStack(stage, "BackupCopy", env.Name, env.Backup.CopyRegion, env.Backup, account)
	}
	data := NewDataStack(stage, "Data", &DataStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("project-1 data: RDS MySQL, DynamoDB Forum table, versioned S3 bucket, their KMS keys, the log bucket"),
		},
		Vpc:                   net.Vpc.Vpc,
		DatabaseSecurityGroup: net.SecurityGroups.Database,
		TerminationProtection: env.TerminationProtection,
		Database:              env.Database,
		Storage:               env.Storage,
		Backup:                env.Backup,
		Environment:           env.Name,
	})
	if copyStack != nil {
		// The copy vault exists before the plan that copies to it.
		data.AddStackDependency(copyStack.Stack, jsii.String("the backup plan copies to its vault"))
	}
	app := NewAppStack(stage, "App", &AppStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("project-1 app: internet-facing load balancer, the web tier, alarms and the dashboard"),
		},
		Network:    net,
		Data:       data,
		Web:        env.Web,
		Monitoring: env.Monitoring,
		Title:      dashboardTitle(env.Name),
	})
	return &EnvironmentStage{Stage: stage, Network: net, Data: data, App: app, BackupCopy: copyStack}
}

// Stacks are the stage's stacks: network, data, app, and the backup copy's
// where there is one.
func (s *EnvironmentStage) Stacks() []awscdk.Stack {
	out := []awscdk.Stack{s.Network.Stack, s.Data.Stack, s.App.Stack}
	if s.BackupCopy != nil {
		out = append(out, s.BackupCopy.Stack)
	}
	return out
}

// BuildApp adds to scope the stage of each environment config.Select returns
// for name: the one called name, or every one for AllEnvironments. Nothing is
// built when Select refuses: the configuration bad as a whole, the name
// unknown, or a Production environment among them without an alarm
// subscriber.
func BuildApp(scope constructs.Construct, envs []config.Environment, name string) ([]*EnvironmentStage, error) {
	selected, err := config.Select(envs, name)
	if err != nil {
		return nil, err
	}
	var stages []*EnvironmentStage
	for i := range selected {
		stages = append(stages, NewEnvironmentStage(scope, &selected[i]))
	}
	return stages, nil
}

// Synth synthesizes app and returns every error and warning of its stacks,
// cdk-nag's findings among them, one "LEVEL path: message" line each (see
// Findings). With cdk.json's @aws-cdk/core:annotationsInValidationReport, the
// CDK itself throws on an error annotation and writes the annotations to
// validation-report.json; Synth reads them from there, so callers see the same
// findings with the flag or without it. Any other failure is an error.
func Synth(app awscdk.App) (findings []string, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		msg := fmt.Sprint(r)
		if !strings.Contains(msg, "ValidationFailed") {
			findings, err = nil, fmt.Errorf("synthesis failed: %s", msg)
			return
		}
		findings, err = reportFindings(filepath.Join(*app.Outdir(), "validation-report.json"))
		if err == nil && len(findings) == 0 {
			err = fmt.Errorf("synthesis failed: %s", msg)
		}
	}()
	return Findings(app.Synth(nil)), nil
}

// reportFindings reads the errors and warnings of the CDK's validation report.
func reportFindings(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the validation report: %w", err)
	}
	var report struct {
		PluginReports []struct {
			Violations []struct {
				Description         string `json:"description"`
				Severity            string `json:"severity"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			for _, c := range v.ViolatingConstructs {
				out = append(out, fmt.Sprintf("%s %s: %s", v.Severity, c.ConstructPath, strings.TrimSpace(v.Description)))
			}
		}
	}
	return out, nil
}

// Findings lists every error and warning that synthesis attached to the stacks
// of asm and of the stages nested in it, cdk-nag's findings among them, one
// "LEVEL path: message" line each. project-1 treats any of them as a failure.
func Findings(asm cxapi.CloudAssembly) []string {
	var out []string
	for _, stack := range *asm.StacksRecursively() {
		for _, m := range *stack.Messages() {
			if m.Level != cxapi.SynthesisMessageLevel_INFO {
				out = append(out, fmt.Sprintf("%s %s: %v", m.Level, *m.Id, m.Entry.Data))
			}
		}
	}
	return out
}

// NewApp is awscdk.NewApp (props may be nil) with the CDK's built-in
// CloudFormation validation off, unless props turns it on.
//
// aws-cdk-go v2.275.0 validates every template against the CloudFormation
// schemas and cfn-lint's rules at each synthesis. On project-1 it finds only
// W3010 (hard-coded availability zones, which the spec pins on purpose so that
// synthesis needs no lookups), and it costs about 1.8 s and 470 MiB per
// synthesis, triple the rest. cdk-nag still runs on every synthesis, and CI
// runs cfn-lint itself over every template (.ci/run), so nothing is left unchecked.
func NewApp(props *awscdk.AppProps) awscdk.App {
	p := awscdk.AppProps{}
	if props != nil {
		p = *props
	}
	if p.BuiltinCloudFormationValidation == nil {
		p.BuiltinCloudFormationValidation = jsii.Bool(false)
	}
	return awscdk.NewApp(&p)
}

// dashboardTitle is "project-1", or "project-1 NAME" for another environment.
func dashboardTitle(name string) string {
	if name == config.DefaultEnvironment {
		return name
	}
	return "project-1 " + name
}

package stacks

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/internal/appcontext"
	"github.com/project-1/project-1/internal/cfnlint"
	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/verify/verifyactions"
)

// DeployedAssemblyKey is where, in the pipeline's artifact bucket, the
// pipeline keeps the cloud assembly that last went through every stage
// (tar.gz): the Build step reviews each new assembly against it.
const DeployedAssemblyKey = "project-1-review/deployed-assembly.tar.gz"

// ReviewCommand is the Build step's review, run after synthesis: it fetches
// the assembly deployed last from $ARTIFACT_BUCKET and prints cmd/review's
// report of cdk.out against it into the build log. A review that needs a
// decision (exit 1) that test/replacements-allowed.txt does not cover fails
// the step, so the pipeline stops before it deploys anything; with no
// deployed assembly yet (the first run), it says so and passes. Its text is
// scripts/review.sh.
var ReviewCommand = script(reviewScript)

// RecordDeployedCommand is the last step after the last stage: it keeps the
// assembly the pipeline has just deployed everywhere (its input, cdk.out) as
// the one the next review compares with (scripts/record-deployed.sh).
var RecordDeployedCommand = script(recordDeployedScript)

// SmokeTestCommand fails unless $URL answers GET / with a 2xx status,
// retrying while the first instances finish booting: 20 tries, 15 s apart
// (SMOKE_TRIES and SMOKE_INTERVAL change them, for the tests);
// scripts/smoke-test.sh.
var SmokeTestCommand = script(smokeTestScript)

// The pipeline's shell steps, each one line (a CodeBuild command), kept as
// files so that a shell can check them (TestPipelineScripts runs bash -n).
var (
	//go:embed scripts/review.sh
	reviewScript string
	//go:embed scripts/record-deployed.sh
	recordDeployedScript string
	//go:embed scripts/smoke-test.sh
	smokeTestScript string
)

// script is a script's one line, with the deployed assembly's key put in.
func script(text string) string {
	return strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "@DEPLOYED_ASSEMBLY_KEY@", DeployedAssemblyKey)
}

// GoVersion is the Go toolchain the pipeline's synth step installs: the one
// the project is built and tested with.
const GoVersion = "1.26.8"

// The tools every CodeBuild project of the pipeline runs, as package.json pins
// them (a test keeps the two equal): the Node.js major, the CDK CLI of the
// self-mutation step, and cdk-assets of the asset-publishing steps. Unpinned,
// CDK Pipelines would install the newest CLI and cdk-assets on the image's
// default Node.js (18 on standard:7.0, which the CLI no longer supports).
const (
	NodeMajor        = "22"
	CliVersion       = "2.1148.1"
	CdkAssetsVersion = "4.7.3"
)

// PipelineStack is the CDK Pipelines delivery pipeline.
type PipelineStack struct {
	awscdk.Stack
	Pipeline pipelines.CodePipeline
	// Stages are the deployed environments, in PipelineStages order.
	Stages []*EnvironmentStage
}

// BuildPipeline validates the pipeline settings and every environment and,
// only when all are valid, adds to scope the pipeline stack and the stages it
// deploys. Nothing is built when something is missing or wrong.
func BuildPipeline(scope constructs.Construct, envs []config.Environment, cfg config.PipelineConfig) (*PipelineStack, error) {
	var errs []error
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := config.ValidateAll(envs); err != nil {
		errs = append(errs, err)
	}
	var deployed []config.Environment
	for _, name := range config.PipelineStages {
		env, err := config.LookupIn(envs, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("pipeline stage: %w", err))
		}
		deployed = append(deployed, env)
	}
	if err := config.RequireSubscribers(deployed); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n%w", errors.Join(errs...))
	}

	stack := awscdk.NewStack(scope, jsii.String("Pipeline"), &awscdk.StackProps{
		StackName:   jsii.String("project-1-Pipeline"),
		Description: jsii.String("project-1 delivery pipeline: test, synthesize, deploy " + strings.Join(config.PipelineStages, " then ")),
		Env:         &awscdk.Environment{Account: jsii.String(cfg.Account), Region: jsii.String(cfg.Region)},
	})
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)

	source := pipelines.CodePipelineSource_Connection(jsii.String(cfg.Repository), jsii.String(cfg.Branch),
		&pipelines.ConnectionSourceOptions{ConnectionArn: jsii.String(cfg.ConnectionArn)})
	goBin := "export PATH=/usr/local/go/bin:$PATH"
	goInstall := fmt.Sprintf("curl -fsSL https://go.dev/dl/go%s.linux-amd64.tar.gz | tar -C /usr/local -xz", GoVersion)
	// The artifact bucket exists once the pipeline is built: the steps read
	// its name when the template is synthesized.
	var pipeline pipelines.CodePipeline
	bucketEnv := &map[string]*string{"ARTIFACT_BUCKET": awscdk.Lazy_String(&artifactBucketName{&pipeline}, nil)}
	synth := pipelines.NewCodeBuildStep(jsii.String("Synth"), &pipelines.CodeBuildStepProps{
		Input: source,
		InstallCommands: jsii.Strings(
			goInstall,
			"npm ci --no-audit --no-fund", // the pinned CDK CLI and Node.js
		),
		Commands: jsii.Strings(
			goBin+" && go test ./...",
			goBin+" && npx cdk synth -c pipeline=true"+alarmEmailArg(cfg.AlarmEmail),
			goBin+" && "+ReviewCommand,
		),
		Env:                    bucketEnv,
		PrimaryOutputDirectory: jsii.String("cdk.out"),
	})
	pipeline = pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		Synth:        synth,
		SelfMutation: jsii.Bool(true),
		// KMS-encrypted artifacts (and CodeBuild projects), readable from
		// other accounts: ready for environments that set their own Account.
		CrossAccountKeys:  jsii.Bool(true),
		EnableKeyRotation: jsii.Bool(true),
		// Every CodeBuild project (synth, self-mutation, assets, smoke tests)
		// on an image that has Node.js NodeMajor, and selects it.
		CodeBuildDefaults: &pipelines.CodeBuildOptions{
			BuildEnvironment: &awscodebuild.BuildEnvironment{BuildImage: awscodebuild.LinuxBuildImage_STANDARD_8_0()},
			PartialBuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{
				"phases": map[string]any{"install": map[string]any{"runtime-versions": map[string]any{"nodejs": NodeMajor}}},
			}),
		},
		CliVersion:          jsii.String(CliVersion),
		CdkAssetsCliVersion: jsii.String(CdkAssetsVersion),
	})

	ps := &PipelineStack{Stack: stack, Pipeline: pipeline}
	var record pipelines.CodeBuildStep
	for i := range deployed {
		stage := NewEnvironmentStage(scope, &deployed[i])
		smoke := smokeTest(stage)
		post := []pipelines.Step{smoke}
		if i < len(deployed)-1 {
			// Before the next stage: netcheck's proofs against AWS's own
			// answers in this one (cmd/verify); a disagreement stops the
			// pipeline.
			check := verifyStep(deployed[i].Name, source, synth, goInstall, goBin)
			check.AddStepDependency(smoke)
			post = append(post, check)
		}
		if i == len(deployed)-1 {
			record = pipelines.NewCodeBuildStep(jsii.String("RecordDeployed"), &pipelines.CodeBuildStepProps{
				Input:    synth.PrimaryOutput(),
				Commands: jsii.Strings(RecordDeployedCommand),
				Env:      bucketEnv,
			})
			record.AddStepDependency(smoke)
			post = append(post, record)
		}
		opts := &pipelines.AddStageOpts{Post: &post}
		if i > 0 {
			opts.Pre = &[]pipelines.Step{pipelines.NewManualApprovalStep(jsii.String("Approve"), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String(fmt.Sprintf("Deploy to %s? %s passed its smoke test.", deployed[i].Name, deployed[i-1].Name)),
			})}
		}
		pipeline.AddStage(stage.Stage, opts)
		ps.Stages = append(ps.Stages, stage)
	}
	pipeline.BuildPipeline()
	// CDK Pipelines writes each deploy action's RoleArn (the bootstrap's
	// cfn-exec role) as a Fn::Join with AWS::Partition, which cfn-lint 1.51's
	// E3703 asks to be a Fn::Sub; the join is CDK Pipelines' own and the value
	// a valid role ARN. Skipped on the pipeline resource alone.
	cfnlint.Ignore(pipeline.Pipeline().Node().DefaultChild().(awscdk.CfnResource), "E3703")
	pipeline.Pipeline().ArtifactBucket().GrantPut(record.Project(), jsii.String(DeployedAssemblyKey))
	suppressPipelineFindings(stack)
	verifyReads := &cdknag.NagPackSuppression{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("cmd/verify's describe, drift-detection reads and tiros actions have no resource-level permissions, and the " +
			"Reachability Analyzer paths and analyses it creates and deletes get their ids only when created; the actions are pinned " +
			"(verifyactions.StepActions), read-only but for those paths, analyses and their tags."),
		AppliesTo: &[]any{"Resource::*"},
	}
	for _, env := range deployed[:len(deployed)-1] {
		cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(*stack.Node().Path()+"/Pipeline/Pipeline/"+env.Name+"/Verify/Verify/Role/DefaultPolicy/Resource"),
			&[]*cdknag.NagPackSuppression{verifyReads}, jsii.Bool(false))
	}
	// Building the pipeline adds a support stack per other region (its
	// artifact replication bucket and key), beside this one: check those too.
	for _, child := range *scope.Node().Children() {
		if other, ok := child.(awscdk.Stack); ok && *other.Node().Path() != *stack.Node().Path() {
			awscdk.Aspects_Of(other).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
			cdknag.NagSuppressions_AddResourceSuppressionsByPath(other,
				jsii.String(*other.Node().Path()+"/Default/CrossRegionCodePipelineReplicationBucket/Resource"),
				&[]*cdknag.NagPackSuppression{{Id: jsii.String("AwsSolutions-S1"), Reason: jsii.String(artifactBucketLogs)}}, jsii.Bool(false))
		}
	}
	return ps, nil
}

// alarmEmailArg is " -c alarmEmail='ADDRESS'" for the synth step's command,
// or "" without an address. The address was validated as a bare email
// address; the quotes keep the shell from reading it anyway.
func alarmEmailArg(email string) string {
	if email == "" {
		return ""
	}
	return " -c " + appcontext.AlarmEmailKey + "='" + strings.ReplaceAll(email, "'", `'\''`) + "'"
}

// artifactBucketName produces the name of the pipeline's artifact bucket,
// which CDK Pipelines creates when the pipeline is built.
type artifactBucketName struct{ pipeline *pipelines.CodePipeline }

func (a *artifactBucketName) Produce() *string {
	return (*a.pipeline).Pipeline().ArtifactBucket().BucketName()
}

// smokeTest fails unless the stage's load balancer answers GET / with a 2xx
// status, retrying while the first instances finish booting: 20 tries, 15 s
// apart (SMOKE_TRIES and SMOKE_INTERVAL change them, for the tests).
func smokeTest(stage *EnvironmentStage) pipelines.ShellStep {
	return pipelines.NewShellStep(jsii.String("SmokeTest"), &pipelines.ShellStepProps{
		EnvFromCfnOutputs: &map[string]awscdk.CfnOutput{"URL": stage.App.URL},
		Commands:          jsii.Strings(SmokeTestCommand),
	})
}

// verifyStep runs cmd/verify against the stage just deployed, on the
// repository (for the command) and the synthesized assembly, with a role
// that holds exactly verifyactions.StepActions.
func verifyStep(env string, source pipelines.CodePipelineSource, synth pipelines.CodeBuildStep, goInstall, goBin string) pipelines.CodeBuildStep {
	return pipelines.NewCodeBuildStep(jsii.String("Verify"), &pipelines.CodeBuildStepProps{
		Input:            source,
		AdditionalInputs: &map[string]pipelines.IFileSetProducer{"cdk.out": synth},
		InstallCommands:  jsii.Strings(goInstall),
		Commands:         jsii.Strings(goBin + " && " + VerifyCommand(env)),
		RolePolicyStatements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(verifyactions.StepActions()...), Resources: jsii.Strings("*"),
		})},
	})
}

// VerifyCommand is the Verify step's command for an environment.
func VerifyCommand(env string) string {
	return "go run ./cmd/verify -c env=" + env + " -yes cdk.out"
}

// suppressPipelineFindings records why the roles CDK Pipelines generates may
// hold the wildcards nag flags. CDK Pipelines scopes each to the pipeline's
// own artifact buckets, CodeBuild log and report groups, and the CDK bootstrap
// roles; these suppressions name exactly those, nothing wider.
func suppressPipelineFindings(stack awscdk.Stack) {
	pipelineScoped := &cdknag.NagPackSuppression{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Generated by CDK Pipelines for its own resources: object-level S3 actions on the pipeline's " +
			"artifact and cross-region replication buckets, and the CodeBuild log and report groups named after each project."),
		AppliesTo: &[]any{
			"Action::s3:Abort*", "Action::s3:DeleteObject*", "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*",
			"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			map[string]any{"regex": `/^Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>\/\*$/`},
			map[string]any{"regex": `/^Resource::arn:aws:s3:::project-1-pipeline-.*replicationbucket[0-9a-f]+\/\*$/`},
			map[string]any{"regex": `/^Resource::arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/.*$/`},
			map[string]any{"regex": `/^Resource::arn:aws:codebuild:[a-z0-9-]+:\d{12}:report-group\/.*$/`},
		},
	}
	cdknag.NagSuppressions_AddStackSuppressions(stack, &[]*cdknag.NagPackSuppression{pipelineScoped}, jsii.Bool(true))

	path := *stack.Node().Path() + "/Pipeline/"
	deployRoles := &cdknag.NagPackSuppression{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Self-mutation and asset publishing assume the CDK bootstrap roles (arn:*:iam::ACCOUNT:role/* " +
			"with the cdk-* role tags as condition) and call cloudformation:DescribeStacks, which has no resource-level permissions."),
		AppliesTo: &[]any{"Resource::*", map[string]any{"regex": `/^Resource::arn:\*:iam::\d{12}:role\/\*$/`}},
	}
	for _, role := range []string{"UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource", "Assets/FileRole/DefaultPolicy/Resource"} {
		cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(path+role), &[]*cdknag.NagPackSuppression{deployRoles}, jsii.Bool(false))
	}
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(path+"Pipeline/Role/DefaultPolicy/Resource"), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The pipeline role encrypts artifacts for the cross-region stage (prod) with the replication " +
			"key CDK Pipelines creates in that region's support stack; the key's ARN is not known in this stack, so CDK grants the KMS actions on *."),
		AppliesTo: &[]any{"Resource::*"},
	}}, jsii.Bool(false))
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(path+"Pipeline/ArtifactsBucket/Resource"),
		&[]*cdknag.NagPackSuppression{{Id: jsii.String("AwsSolutions-S1"), Reason: jsii.String(artifactBucketLogs)}}, jsii.Bool(false))
}

// artifactBucketLogs is why the pipeline's artifact buckets keep no access logs.
const artifactBucketLogs = "The bucket holds transient, KMS-encrypted pipeline artifacts that only the pipeline's " +
	"roles can read; CloudTrail records access to it. Access logs would need a log bucket in the pipeline account for no reader."

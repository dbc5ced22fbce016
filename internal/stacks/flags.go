package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// TemplateFlags are the CDK feature flags that change project-1's templates
// (measured on aws-cdk-go v2.277.0 by removing each flag of cdk.json in turn;
// no other one changes a byte). Every environment stage sets them on itself, so
// its templates are the same in any app, with project-1's cdk.json or none:
// another team's app builds exactly what `cdk synth` here builds.
var TemplateFlags = map[string]any{
	// One IAM statement per resource set instead of one per grant: smaller
	// policies, the same permissions.
	"@aws-cdk/aws-iam:minimizePolicies": true,
	// "arn:aws:..." written out where the region fixes the partition, instead of
	// a Join with AWS::Partition.
	"@aws-cdk/core:enablePartitionLiterals": true,
	// Cross-stack references are exports read with Fn::ImportValue (strong),
	// not outputs read with Fn::GetStackOutput (weak). CloudFormation refuses to
	// change or delete an export while another stack imports it (the
	// Fn::ImportValue reference), so a change that replaces a resource another
	// stack reads fails the producer's deploy and rolls it back, instead of
	// leaving the consumer on the old resource: a weak consumer's template
	// does not change, so `cdk deploy` skips it, and the AWS reference says it
	// "is not automatically updated or notified". cmd/review reports both
	// cases before a deploy (replacement.CrossStack). Fn::ImportValue
	// may stand inside Fn::Join, which Fn::GetStackOutput may not in every
	// region (aws/aws-cdk#37948).
	"@aws-cdk/core:defaultCrossStackReferences": "strong",
}

// pinTemplateFlags sets TemplateFlags on scope, which must have no children yet.
func pinTemplateFlags(scope constructs.Construct) {
	for key, value := range TemplateFlags {
		scope.Node().SetContext(jsii.String(key), value)
	}
}

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
	// Cross-stack references read the producer's output with Fn::GetStackOutput
	// instead of an Export and Fn::ImportValue. An export in use can be neither
	// changed nor removed, which blocks the producer's deploy whenever a
	// reference goes away (the "deadly embrace"); a weak reference has no such
	// lock. What it does not do: stop a producer stack's deletion while a
	// consumer reads it. The data stack's termination protection and the network
	// resources that cannot be deleted while in use cover that. A stack deployed
	// with exports (aws-cdk-go v2.220.0) moves over in two deploys: "both", then "weak".
	"@aws-cdk/core:defaultCrossStackReferences": "weak",
}

// pinTemplateFlags sets TemplateFlags on scope, which must have no children yet.
func pinTemplateFlags(scope constructs.Construct) {
	for key, value := range TemplateFlags {
		scope.Node().SetContext(jsii.String(key), value)
	}
}

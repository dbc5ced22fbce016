// Package cfnlint tells cfn-lint to skip a check on one CloudFormation
// resource, through the resource-level configuration cfn-lint reads from the
// template's metadata. It is for a finding that comes from cfn-lint's own data
// lagging behind CloudFormation's, on a value that is right: scoped to that
// resource, the check still runs everywhere else. The reason belongs in a
// comment at the call.
package cfnlint

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Ignore writes Metadata "cfn-lint": {"config": {"ignore_checks": checks}}
// onto resource, replacing any cfn-lint configuration it had. Metadata is not
// a resource property: CloudFormation passes it to no service, so adding it
// replaces and interrupts nothing.
func Ignore(resource awscdk.CfnResource, checks ...string) {
	resource.AddMetadata(jsii.String("cfn-lint"), map[string]any{
		"config": map[string]any{"ignore_checks": checks},
	})
}

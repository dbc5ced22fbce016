// Package keypolicy holds the statements every KMS key of project-1 adds to
// its key policy beside the CDK's default (the account may use the key through
// IAM policies).
package keypolicy

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
)

// LimitGrants denies kms:CreateGrant on key to every principal unless the
// grant is for an AWS resource (RDS, DynamoDB and EBS create their grants
// through the service) or the caller is an AWS service: nobody can hand a
// grant on the key to an arbitrary principal (Control Tower CT.KMS.PR.3).
func LimitGrants(key awskms.IKey) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("GrantsOnlyForAwsResources"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}), jsii.Bool(false))
}

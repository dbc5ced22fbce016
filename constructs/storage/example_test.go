package storage_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/storage"
)

// The log bucket, the versioned data bucket logging into it, and the Forum
// table, each with its own key, in another team's stack.
func ExampleNewForumTable() {
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Data"), nil)
	logs := storage.NewLogBucket(stack, "Logs", 365)
	storage.NewDataBucket(stack, "Data", &storage.DataBucketProps{
		Key:                   awskms.NewKey(stack, jsii.String("DataKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		AccessLogs:            logs,
		NoncurrentVersionDays: 90,
	})
	storage.NewForumTable(stack, "Forum", &storage.ForumTableProps{
		TableName:          "Forum",
		Key:                awskms.NewKey(stack, jsii.String("TableKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		DeletionProtection: true,
	})
	template := assertions.Template_FromStack(stack, nil)
	for _, typ := range []string{"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::KMS::Key"} {
		fmt.Println(typ, len(*template.FindResources(jsii.String(typ), nil)))
	}
	// Output:
	// AWS::S3::Bucket 2
	// AWS::DynamoDB::Table 1
	// AWS::KMS::Key 2
}

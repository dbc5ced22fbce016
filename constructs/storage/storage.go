// Package storage holds project-1's S3 buckets and the DynamoDB Forum table.
// Every one is encrypted, refuses plain HTTP, blocks public access where that
// applies, and is retained when its stack is deleted or it would be replaced.
//
// Like every construct of this module, each constructor checks its props
// first and panics, as aws-cdk-lib's constructs throw, with one line per
// problem naming the construct id, the field and the value.
package storage

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/storage/storeprops"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the storage's values, as an environment holds them; see
// storeprops.Settings, where they are defined with no CDK import. The
// constructors take them one by one: NewLogBucket the AccessLogDays,
// DataBucketProps the NoncurrentVersionDays, ForumTableProps the table's.
type Settings = storeprops.Settings

// DefaultSettings are the project's storage values (storeprops.DefaultSettings).
func DefaultSettings() Settings { return storeprops.DefaultSettings() }

// NewLogBucket creates the bucket that receives load balancer and S3 server
// access logs. It uses SSE-S3: load balancer log delivery does not support
// SSE-KMS. Logs expire after expireDays, which must be 1 or more. Its object
// events go to Amazon EventBridge.
//
// It logs nothing of its own access. cdk-nag's AwsSolutions-S1 (server access
// logs) passes on a bucket that another bucket of its stack logs into, as
// NewDataBucket does; a log bucket with nothing logging into it needs a
// suppression of S1 with the reason (logging it into itself would loop).
//
// It has no S3 Object Lock: Object Lock can only be turned on when a bucket
// is created (ObjectLockEnabled replaces an existing AWS::S3::Bucket), and
// this bucket already holds the environments' logs.
func NewLogBucket(scope constructs.Construct, id string, expireDays int) awss3.Bucket {
	if err := validate.Days(expireDays); err != nil {
		validate.Props("storage.NewLogBucket", id, fmt.Errorf("expireDays %v", err))
	}
	bucket := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("expire-logs"),
			Expiration:                  awscdk.Duration_Days(jsii.Number(expireDays)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}},
	})
	sendEventsToEventBridge(bucket)
	return bucket
}

// DataBucketProps configures NewDataBucket. Every field is required.
type DataBucketProps struct {
	// Key encrypts the objects (SSE-KMS). An imported key (awskms.Key_FromKeyArn)
	// works; its policy must let S3 use it.
	Key awskms.IKey
	// AccessLogs receives the server access logs, under the prefix "data-bucket/".
	// A bucket of this app gets the policy statement that lets S3 log delivery
	// write there; an imported one (awss3.Bucket_FromBucketName) must already
	// have it.
	AccessLogs awss3.IBucket
	// NoncurrentVersionDays: a replaced or deleted object's old version expires
	// after this many days, 1 or more.
	NoncurrentVersionDays int
}

// Validate reports every problem of the props, one line each, naming the field
// and its value.
func (p *DataBucketProps) Validate() error {
	var problems validate.Problems
	if p.Key == nil {
		problems.Add("Key is nil: the data bucket is encrypted with a customer managed key")
	}
	if p.AccessLogs == nil {
		problems.Add("AccessLogs is nil: the data bucket logs its access (NewLogBucket makes one)")
	}
	if err := validate.Days(p.NoncurrentVersionDays); err != nil {
		problems.Add("NoncurrentVersionDays %v", err)
	}
	return problems.Err()
}

// NewDataBucket creates the versioned data bucket of the spec: a change writes a
// new version beside the old one, which is kept NoncurrentVersionDays. Its
// object events (created, deleted, restored, ...) go to Amazon EventBridge,
// where rules can act on them.
func NewDataBucket(scope constructs.Construct, id string, props *DataBucketProps) awss3.Bucket {
	if props == nil {
		props = &DataBucketProps{}
	}
	validate.Props("storage.NewDataBucket", id, props.Validate())
	bucket := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		Versioned:         jsii.Bool(true),
		Encryption:        awss3.BucketEncryption_KMS,
		EncryptionKey:     props.Key,
		BucketKeyEnabled:  jsii.Bool(true),
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("expire-noncurrent-versions"),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(props.NoncurrentVersionDays)),
		}},
	})
	logToBucket(bucket, props.AccessLogs, accessLogPrefix)
	sendEventsToEventBridge(bucket)
	return bucket
}

// sendEventsToEventBridge turns on the bucket's notifications to Amazon
// EventBridge (every object event, to the account's default event bus, at no
// charge for delivery). BucketProps.EventBridgeEnabled would do it through a
// Lambda-backed custom resource; the bucket's own NotificationConfiguration
// needs none.
func sendEventsToEventBridge(bucket awss3.Bucket) {
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	cfn.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
}

// accessLogPrefix is where the data bucket's server access logs go in the log bucket.
const accessLogPrefix = "data-bucket/"

// logToBucket sends bucket's server access logs to logs under prefix, and lets
// the S3 logging service write there with a bucket policy scoped to bucket.
//
// BucketProps.ServerAccessLogsBucket would do both, but how it grants depends on
// a feature flag (@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy): without it,
// it sets the log bucket's ACL to LogDeliveryWrite, which a bucket with ACLs
// disabled (BUCKET_OWNER_ENFORCED) rejects at synthesis. Doing it here gives
// the same template whatever the app's flags. A log bucket imported from
// elsewhere keeps its own policy: it must already admit logging.s3.amazonaws.com.
func logToBucket(bucket awss3.Bucket, logs awss3.IBucket, prefix string) {
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	cfn.SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: logs.BucketName(),
		LogFilePrefix:         jsii.String(prefix),
	})
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Effect:     awsiam.Effect_ALLOW,
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*logs.ArnForObjects(jsii.String(prefix + "*"))),
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": bucket.BucketArn()},
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(bucket).Account()},
		},
	}))
}

// ForumTableProps configures NewForumTable. TableName and Key are required.
type ForumTableProps struct {
	// TableName is the physical name, "Forum" in the spec: 3 to 255 letters,
	// digits, '_', '-' and '.'.
	TableName string
	// Key encrypts the table.
	Key awskms.IKey
	// DeletionProtection stops anyone deleting the table. Default false.
	DeletionProtection bool
}

// Validate reports every problem of the props, one line each, naming the field
// and its value.
func (p *ForumTableProps) Validate() error {
	var problems validate.Problems
	if err := validate.TableName(p.TableName); err != nil {
		problems.Add("TableName %v", err)
	}
	if p.Key == nil {
		problems.Add("Key is nil: the table is encrypted with a customer managed key")
	}
	return problems.Err()
}

// NewForumTable creates the Forum table: partition key Name (string), as the
// notes' forum.json items use; on-demand; point-in-time recovery on.
func NewForumTable(scope constructs.Construct, id string, props *ForumTableProps) awsdynamodb.Table {
	if props == nil {
		props = &ForumTableProps{}
	}
	validate.Props("storage.NewForumTable", id, props.Validate())
	return awsdynamodb.NewTable(scope, jsii.String(id), &awsdynamodb.TableProps{
		TableName:     jsii.String(props.TableName),
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("Name"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:    awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey: props.Key,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(props.DeletionProtection),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
}

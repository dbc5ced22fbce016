package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/constructs/backup"
	"github.com/project-1/project-1/constructs/database"
	"github.com/project-1/project-1/constructs/storage"
	"github.com/project-1/project-1/internal/keypolicy"
)

// DataStackProps configures DataStack.
type DataStackProps struct {
	awscdk.StackProps
	Vpc                   awsec2.IVpc
	DatabaseSecurityGroup awsec2.ISecurityGroup
	// TerminationProtection of the stack.
	TerminationProtection bool
	Database              database.Settings
	Storage               storage.Settings
	Backup                backup.Settings
	// Environment names the copy vault in Backup.CopyRegion
	// (CopyVaultName); required with a CopyRegion.
	Environment string
}

// DataStack holds every stateful resource: the database, the Forum table, the
// data bucket, their KMS keys and the log bucket. Each is retained (or
// snapshotted) when deleted or replaced, and the stack has termination protection.
type DataStack struct {
	awscdk.Stack
	Database *database.Mysql
	Table    awsdynamodb.Table
	// Backup is the vault and the daily plan over the database, the table
	// and the data bucket.
	Backup     *backup.Plan
	DataBucket awss3.Bucket
	LogBucket  awss3.Bucket
	// DatabaseKey encrypts the database's storage and its secret.
	DatabaseKey awskms.Key
}

// NewDataStack builds the data stack of one environment.
func NewDataStack(scope constructs.Construct, id string, props *DataStackProps) *DataStack {
	sp := props.StackProps
	sp.TerminationProtection = jsii.Bool(props.TerminationProtection)
	stack := awscdk.NewStack(scope, &id, &sp)
	s := props.Storage

	key := func(id, what string) awskms.Key {
		k := awskms.NewKey(stack, jsii.String(id), &awskms.KeyProps{
			Description:       jsii.String("project-1: encrypts " + what),
			EnableKeyRotation: jsii.Bool(true),
			// Deleting a key makes everything it encrypted unreadable, snapshots included.
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		})
		keypolicy.LimitGrants(k)
		return k
	}
	logs := storage.NewLogBucket(stack, "LogBucket", s.AccessLogDays)
	bucket := storage.NewDataBucket(stack, "DataBucket", &storage.DataBucketProps{
		Key:                   key("DataBucketKey", "the data bucket"),
		AccessLogs:            logs,
		NoncurrentVersionDays: s.NoncurrentVersionDays,
	})
	table := storage.NewForumTable(stack, "ForumTable", &storage.ForumTableProps{
		TableName:          s.TableName,
		Key:                key("ForumTableKey", "the Forum table"),
		DeletionProtection: s.TableDeletionProtection,
	})
	dbKey := key("DatabaseKey", "the database storage and its secret")
	db := database.NewMysql(stack, "Database", &database.MysqlProps{
		Vpc:           props.Vpc,
		SecurityGroup: props.DatabaseSecurityGroup,
		Key:           dbKey,
		Settings:      props.Database,
	})

	keepNetworkInterfaceCleanup(stack)
	plan := newBackupPlan(stack, props)

	// Created last (createAfter): the database after every resource but the
	// table, its key and its own construct's (which read it or are read by
	// it); the table after the database construct, its secret attachment
	// and log retention included. A failure while the database exists is
	// then its own, the table's, or that of what reads the instance.
	createAfter(stack, db.Instance.Node().DefaultChild(), db.Construct, table, dbKey)
	table.Node().AddDependency(db.Construct)
	// After createAfter: the selection reads the protected resources.
	backup.NewSelection(stack, "BackupSelection", &backup.SelectionProps{
		Plan:         plan,
		ResourceArns: []*string{db.Instance.InstanceArn(), table.TableArn(), bucket.BucketArn()},
	})

	output(stack, "DatabaseEndpoint", db.Instance.DbInstanceEndpointAddress(), "MySQL endpoint (port 3306), reachable from the web tier only")
	output(stack, "DatabaseSecretArn", db.Instance.Secret().SecretArn(), "Secrets Manager secret with the database credentials")
	output(stack, "DataBucketName", bucket.BucketName(), "versioned data bucket")
	output(stack, "ForumTableName", table.TableName(), "DynamoDB Forum table")
	output(stack, "BackupVaultName", plan.Vault.BackupVaultName(), "AWS Backup vault of the database's, table's and data bucket's daily recovery points")
	output(stack, "BackupRoleArn", plan.Role.RoleArn(), "the role AWS Backup takes for the plan's jobs and for restores (aws backup start-restore-job --iam-role-arn)")
	output(stack, "DatabaseInstanceId", db.Instance.InstanceIdentifier(), "the MySQL instance's identifier (aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier)")
	out := &DataStack{Stack: stack, Database: db, Table: table, DataBucket: bucket, LogBucket: logs, DatabaseKey: dbKey, Backup: plan}
	weakDataOutputs(out)
	return out
}

// newBackupPlan is the environment's vault and daily plan, copying to the
// environment's copy vault (BackupCopyStack) when there is a copy region.
func newBackupPlan(stack awscdk.Stack, props *DataStackProps) *backup.Plan {
	var copyVault awsbackup.IBackupVault
	if props.Backup.CopyRegion != "" {
		arn := CopyVaultArn(stack, props.Environment, props.Backup.CopyRegion)
		copyVault = awsbackup.BackupVault_FromBackupVaultArn(stack, jsii.String("BackupCopyVault"), arn)
	}
	return backup.NewPlan(stack, "Backup", &backup.PlanProps{Settings: props.Backup, CopyVault: copyVault})
}

func output(scope constructs.Construct, id string, value *string, description string) awscdk.CfnOutput {
	return awscdk.NewCfnOutput(scope, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
}

// logRetentionFunction is the construct id the CDK gives its LogRetention
// function in a stack (aws-cdk-lib's LogRetention provider).
const logRetentionFunction = "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a"

// keepNetworkInterfaceCleanup lets the CDK's LogRetention function's role
// describe and delete network interfaces, for one release. An environment
// deployed before the function left the VPC still has its interfaces in the
// private subnets after the update that detaches it, and Lambda deletes
// unused interfaces with the execution role of the function that created
// them ("Lambda uses your function's permissions to create and manage
// network interfaces", AWS Lambda Developer Guide, VPC access). Without these
// permissions the interfaces could be left behind, and with them the
// network's delete. It goes, with the functions security group, in the next
// release. The role may no longer create interfaces.
func keepNetworkInterfaceCleanup(stack awscdk.Stack) {
	fn := stack.Node().TryFindChild(jsii.String(logRetentionFunction))
	if fn == nil {
		panic("stacks.NewDataStack: no LogRetention function in the data stack; update keepNetworkInterfaceCleanup")
	}
	role, ok := fn.Node().TryFindChild(jsii.String("ServiceRole")).(awsiam.IRole)
	if !ok {
		panic("stacks.NewDataStack: the CDK's LogRetention function has changed shape; update keepNetworkInterfaceCleanup")
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CleanUpNetworkInterfacesOfTheVpcFunction"),
		Actions:   jsii.Strings("ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"),
		Resources: jsii.Strings("*"),
	}))
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(*stack.Node().Path()+"/"+logRetentionFunction+"/ServiceRole"), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("For one release, the LogRetention function's role may describe and delete network interfaces (Resource *: " +
			"ec2:DescribeNetworkInterfaces takes no narrower resource, and the interfaces' ids are Lambda's), so that Lambda can delete " +
			"those the function had in the VPC before it left it; it cannot create any."),
		AppliesTo: &[]any{"Resource::*"},
	}}, jsii.Bool(true))
}

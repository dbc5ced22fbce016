// Package database holds project-1's RDS MySQL instance.
//
// NewMysql checks its props first and panics, as aws-cdk-lib's constructs
// throw, with one line per problem naming the construct id, the field and the
// value.
package database

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/internal/retention"
	"github.com/project-1/project-1/internal/validate"
)

// Port is MySQL's, as the notes use it.
const Port = 3306

// MysqlProps configures Mysql. Every field is required unless its comment
// says otherwise.
type MysqlProps struct {
	Vpc           awsec2.IVpc           // the instance goes into its private subnets (with egress)
	SecurityGroup awsec2.ISecurityGroup // admits the web tier on Port
	Key           awskms.IKey           // encrypts storage and the secret
	InstanceType  string                // without "db.", e.g. "t3.micro"
	// StorageGiB is the allocated gp3 storage, 20 to 65536; it grows on its
	// own up to MaxStorageGiB, which must be from StorageGiB to 65536.
	StorageGiB    int
	MaxStorageGiB int
	// MultiAz runs a standby in a second zone. Default false.
	MultiAz bool
	// DeletionProtection stops anyone deleting the instance. Default false.
	DeletionProtection bool
	// BackupDays of automated backups, 1 to 35.
	BackupDays int
	// LogRetentionDays of the exported logs: a value CloudWatch Logs accepts
	// (1, 3, 5, 7, 14, 30, 60, 90, ... 3653).
	LogRetentionDays int
}

// Validate reports every problem of the props, one line each, naming the field
// and its value.
func (p *MysqlProps) Validate() error {
	var problems validate.Problems
	if p.Vpc == nil {
		problems.Add("Vpc is nil")
	}
	if p.SecurityGroup == nil {
		problems.Add("SecurityGroup is nil: the instance admits only the group's sources")
	}
	if p.Key == nil {
		problems.Add("Key is nil: storage and the secret are encrypted with a customer managed key")
	}
	if err := validate.InstanceType(p.InstanceType); err != nil {
		problems.Add("InstanceType %v", err)
	}
	if p.StorageGiB < 20 || p.StorageGiB > 65536 {
		problems.Add("StorageGiB %d: RDS MySQL on gp3 takes 20 to 65536", p.StorageGiB)
	}
	if p.MaxStorageGiB < p.StorageGiB || p.MaxStorageGiB > 65536 {
		problems.Add("MaxStorageGiB %d: must be from StorageGiB (%d) to 65536", p.MaxStorageGiB, p.StorageGiB)
	}
	if p.BackupDays < 1 || p.BackupDays > 35 {
		problems.Add("BackupDays %d: must be from 1 to 35", p.BackupDays)
	}
	if _, err := retention.Of(p.LogRetentionDays); err != nil {
		problems.Add("LogRetentionDays: %v", err)
	}
	return problems.Err()
}

// Mysql is the database of the web tier, in the private subnets.
type Mysql struct {
	constructs.Construct
	Instance awsrds.DatabaseInstance
	// Secret holds the generated credentials (username, password, host, port).
	Secret awsrds.DatabaseSecret
}

// NewMysql creates an encrypted MySQL 8.4 instance whose credentials are
// generated into Secrets Manager, which requires TLS, exports its error,
// slow-query and general logs, and leaves a final snapshot when deleted.
func NewMysql(scope constructs.Construct, id string, props *MysqlProps) *Mysql {
	if props == nil {
		props = &MysqlProps{}
	}
	validate.Props("database.NewMysql", id, props.Validate())
	this := constructs.NewConstruct(scope, &id)
	engine := awsrds.DatabaseInstanceEngine_Mysql(&awsrds.MySqlInstanceEngineProps{
		// The major version only: RDS creates its current default 8.4 minor,
		// and automatic minor upgrades keep it current. A pinned minor fails
		// to create once RDS retires it, about a year after release.
		Version: awsrds.MysqlEngineVersion_Of(jsii.String("8.4"), jsii.String("8.4")),
	})
	params := awsrds.NewParameterGroup(this, jsii.String("Parameters"), &awsrds.ParameterGroupProps{
		Engine:      engine,
		Description: jsii.String("project-1 MySQL: TLS required"),
		Parameters:  &map[string]*string{"require_secure_transport": jsii.String("ON")},
	})
	// Generated credentials; without them nobody can log in, so the secret is
	// kept with the final snapshot.
	secret := awsrds.NewDatabaseSecret(this, jsii.String("Secret"), &awsrds.DatabaseSecretProps{
		Username:      jsii.String("admin"),
		EncryptionKey: props.Key,
	})
	secret.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	logs, _ := retention.Of(props.LogRetentionDays) // validated above
	instance := awsrds.NewDatabaseInstance(this, jsii.String("Instance"), &awsrds.DatabaseInstanceProps{
		Engine:                    engine,
		InstanceType:              awsec2.NewInstanceType(jsii.String(props.InstanceType)),
		Vpc:                       props.Vpc,
		VpcSubnets:                &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		SecurityGroups:            &[]awsec2.ISecurityGroup{props.SecurityGroup},
		Port:                      jsii.Number(Port),
		Credentials:               awsrds.Credentials_FromSecret(secret, nil),
		StorageEncrypted:          jsii.Bool(true),
		StorageEncryptionKey:      props.Key,
		StorageType:               awsrds.StorageType_GP3,
		AllocatedStorage:          jsii.Number(float64(props.StorageGiB)),
		MaxAllocatedStorage:       jsii.Number(float64(props.MaxStorageGiB)),
		MultiAz:                   jsii.Bool(props.MultiAz),
		DeletionProtection:        jsii.Bool(props.DeletionProtection),
		BackupRetention:           awscdk.Duration_Days(jsii.Number(props.BackupDays)),
		AutoMinorVersionUpgrade:   jsii.Bool(true),
		CopyTagsToSnapshot:        jsii.Bool(true),
		IamAuthentication:         jsii.Bool(true),
		PubliclyAccessible:        jsii.Bool(false),
		ParameterGroup:            params,
		CloudwatchLogsExports:     jsii.Strings("error", "slowquery", "general"),
		CloudwatchLogsRetention:   logs,
		EnablePerformanceInsights: jsii.Bool(false),
		RemovalPolicy:             awscdk.RemovalPolicy_SNAPSHOT,
	})
	reasons := []*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-RDS11"),
			Reason: jsii.String("The spec and the notes put MySQL on its default port 3306. A non-default port hides " +
				"nothing from a scanner inside the VPC; only the web tier's security group can reach the port."),
		},
	}
	if !props.MultiAz {
		reasons = append(reasons, &cdknag.NagPackSuppression{
			Id:     jsii.String("AwsSolutions-RDS3"),
			Reason: jsii.String("Multi-AZ is off by this environment's configuration (Data.DatabaseMultiAz), for cost; production-like environments turn it on."),
		})
	}
	if !props.DeletionProtection {
		reasons = append(reasons, &cdknag.NagPackSuppression{
			Id:     jsii.String("AwsSolutions-RDS10"),
			Reason: jsii.String("Deletion protection is off by this environment's configuration (Data.DatabaseDeletionProtection); RemovalPolicy SNAPSHOT still keeps a final snapshot."),
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(instance, &reasons, jsii.Bool(false))
	cdknag.NagSuppressions_AddResourceSuppressions(secret, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("Rotation runs a Lambda function inside the VPC that must reach the database, which " +
			"would open the database group to a second source beside the web tier. Rotate with " +
			"Mysql.Instance.AddRotationSingleUser when that trade is wanted; the secret is KMS-encrypted and readable only by the web role."),
	}}, jsii.Bool(false))

	// CloudwatchLogsRetention is applied by the CDK's LogRetention function, one
	// per stack, because RDS creates the log groups itself.
	stack := awscdk.Stack_Of(this)
	logRetention := *stack.Node().Path() + "/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole"
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(logRetention), &[]*cdknag.NagPackSuppression{
		{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("The CDK's LogRetention function writes its own logs with AWSLambdaBasicExecutionRole, the policy AWS maintains for exactly that."),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		},
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("The CDK's LogRetention function sets the retention of the log groups RDS creates " +
				"(logs:PutRetentionPolicy/DeleteRetentionPolicy); their names exist only once the instance does, so the CDK grants them on *."),
			AppliesTo: &[]any{"Resource::*"},
		},
	}, jsii.Bool(true))
	return &Mysql{Construct: this, Instance: instance, Secret: secret}
}

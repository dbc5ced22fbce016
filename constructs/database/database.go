// Package database holds project-1's RDS MySQL instance.
//
// NewMysql checks its props first and panics, as aws-cdk-lib's constructs
// throw, with one line per problem naming the construct id, the field and the
// value.
package database

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/internal/cfnlint"
	"github.com/project-1/project-1/internal/retention"
	"github.com/project-1/project-1/internal/validate"
)

// Port is MySQL's, as the notes use it.
const Port = 3306

// MysqlProps configures Mysql: what it is wired to, and its values
// (Settings). Every field is required unless its comment says otherwise.
type MysqlProps struct {
	Vpc           awsec2.IVpc           // the instance goes into its private subnets (with egress)
	SecurityGroup awsec2.ISecurityGroup // admits the web tier on Port; used immutable, so nothing here adds a rule to it
	Key           awskms.IKey           // encrypts storage and the secret
	// Settings are the instance's size, redundancy, protection, backups and
	// logs (dbprops.Settings); start from DefaultSettings.
	Settings
	// FunctionSecurityGroup, when set, puts the CDK's LogRetention function
	// (which sets the retention of the log groups RDS creates) into the Vpc's
	// private subnets with this group, which must allow HTTPS out (to the
	// CloudWatch Logs API and CloudFormation's response URL, through the NAT
	// gateways). Default nil: the function runs outside the VPC, which is what
	// the project's stacks do. In the VPC, deleting the stack deletes the
	// function and its role at once, while Lambda's network interfaces linger
	// in the subnets for up to about 20 minutes (aws/aws-cdk#6701): a stack
	// that deletes the subnets or the group right after fails.
	FunctionSecurityGroup awsec2.ISecurityGroup
}

// Settings are the database's values; see dbprops.Settings, where they are
// defined with no CDK import so that configuration can check them.
type Settings = dbprops.Settings

// DefaultSettings are the project's database values (dbprops.DefaultSettings).
func DefaultSettings() Settings { return dbprops.DefaultSettings() }

// AuditEvents is what the audit log records (the MariaDB Audit Plugin's
// SERVER_AUDIT_EVENTS): connections, failed ones included, and statements
// that change the schema (DDL) or privileges (DCL). Not every query: that is
// the general log's job, and its cost.
const AuditEvents = "CONNECT,QUERY_DDL,QUERY_DCL"

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
	if err := p.Settings.ValidateAs(""); err != nil {
		problems = append(problems, err)
	}
	return problems.Err()
}

// Mysql is the database of the web tier, in the private subnets.
type Mysql struct {
	constructs.Construct
	Instance awsrds.DatabaseInstance
	// Secret holds the generated credentials (username, password, host, port).
	Secret awsrds.DatabaseSecret
	// LogTypes are the logs the instance writes and exports to CloudWatch Logs
	// (/aws/rds/instance/<id>/<type>): audit, error, slowquery, and general
	// when MysqlProps.GeneralLog is set.
	LogTypes []string
	// MonitoringRole is the enhanced monitoring role; nil without monitoring.
	MonitoringRole awsiam.Role
}

// NewMysql creates an encrypted MySQL 8.4 instance whose credentials are
// generated into Secrets Manager, which requires TLS, writes and exports its
// audit (MariaDB Audit Plugin), error and slow-query logs, and its general log
// when asked, and leaves a final snapshot when deleted.
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
		Version: awsrds.MysqlEngineVersion_Of(jsii.String(EngineVersion), jsii.String(EngineMajorVersion)),
	})
	logTypes := exportedLogs(props)
	params := newParameters(this, engine, props)
	options := newOptions(this, engine)
	// Generated credentials; without them nobody can log in, so the secret is
	// kept with the final snapshot.
	secret := awsrds.NewDatabaseSecret(this, jsii.String("Secret"), &awsrds.DatabaseSecretProps{
		Username:      jsii.String("admin"),
		EncryptionKey: props.Key,
	})
	secret.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	group := awsec2.SecurityGroup_FromSecurityGroupId(this, jsii.String("SecurityGroup"), props.SecurityGroup.SecurityGroupId(), &awsec2.SecurityGroupImportOptions{
		Mutable: jsii.Bool(false), AllowAllOutbound: jsii.Bool(false),
	})
	instance := newInstance(this, props, group, engine, params, options, secret, logTypes)
	var monitoringRole awsiam.Role
	if props.MonitoringSeconds != 0 {
		monitoringRole = enhancedMonitoring(this, instance, props.MonitoringSeconds)
	}
	suppressFindings(instance, secret, props)
	logRetentionFunction(this, props)
	return &Mysql{Construct: this, Instance: instance, Secret: secret, LogTypes: logTypes, MonitoringRole: monitoringRole}
}

// exportedLogs are the logs the instance writes and exports: audit, error,
// slowquery, and general when props.GeneralLog is set.
func exportedLogs(props *MysqlProps) []string {
	logTypes := []string{"audit", "error", "slowquery"}
	if props.GeneralLog {
		logTypes = append(logTypes, "general")
	}
	return logTypes
}

// newParameters is the parameter group: TLS required, the slow-query and
// general logs written as props say. RDS writes those logs only when these
// say so, and to files (log_output FILE), which is what it exports. The
// description is the first one's: changing it would replace the group.
func newParameters(this constructs.Construct, engine awsrds.IInstanceEngine, props *MysqlProps) awsrds.ParameterGroup {
	slow := props.SlowQuerySeconds
	if slow == 0 {
		slow = 10
	}
	generalLog := "0"
	if props.GeneralLog {
		generalLog = "1"
	}
	return awsrds.NewParameterGroup(this, jsii.String("Parameters"), &awsrds.ParameterGroupProps{
		Engine:      engine,
		Description: jsii.String("project-1 MySQL: TLS required"),
		Parameters: &map[string]*string{
			"require_secure_transport": jsii.String("ON"),
			"log_output":               jsii.String("FILE"),
			"slow_query_log":           jsii.String("1"),
			"long_query_time":          jsii.String(fmt.Sprint(slow)),
			"general_log":              jsii.String(generalLog),
		},
	})
}

// newOptions is the option group with the audit log.
func newOptions(this constructs.Construct, engine awsrds.IInstanceEngine) awsrds.OptionGroup {
	// The audit log: RDS for MySQL 8.4 supports the MariaDB Audit Plugin
	// through an option group (Amazon RDS User Guide, "Options for MySQL DB
	// instances"); without it there is no audit log to export.
	return awsrds.NewOptionGroup(this, jsii.String("Options"), &awsrds.OptionGroupProps{
		Engine:      engine,
		Description: jsii.String("project-1 MySQL: audit log (MariaDB Audit Plugin)"),
		Configurations: &[]*awsrds.OptionConfiguration{{
			Name:     jsii.String("MARIADB_AUDIT_PLUGIN"),
			Settings: &map[string]*string{"SERVER_AUDIT_EVENTS": jsii.String(AuditEvents)},
		}},
	})
}

// newInstance is the instance: encrypted gp3 storage that grows, in the
// private subnets, TLS and IAM authentication, the logs exported with their
// retention, a final snapshot when deleted.
func newInstance(this constructs.Construct, props *MysqlProps, group awsec2.ISecurityGroup, engine awsrds.IInstanceEngine, params awsrds.IParameterGroup,
	options awsrds.IOptionGroup, secret awsrds.DatabaseSecret, logTypes []string) awsrds.DatabaseInstance {
	logs, _ := retention.Of(props.LogRetentionDays) // validated above
	instance := awsrds.NewDatabaseInstance(this, jsii.String("Instance"), &awsrds.DatabaseInstanceProps{
		Engine:                    engine,
		InstanceType:              awsec2.NewInstanceType(jsii.String(props.InstanceType)),
		Vpc:                       props.Vpc,
		VpcSubnets:                &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		SecurityGroups:            &[]awsec2.ISecurityGroup{group},
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
		OptionGroup:               options,
		CloudwatchLogsExports:     jsii.Strings(logTypes...),
		CloudwatchLogsRetention:   logs,
		EnablePerformanceInsights: jsii.Bool(false),
		RemovalPolicy:             awscdk.RemovalPolicy_SNAPSHOT,
	})
	// cfn-lint 1.51 lists only full MySQL versions and reports the major
	// version as E3691; RDS takes a major version and creates its current
	// default minor of it (see EngineVersion), so the check is skipped on
	// this resource alone.
	cfnlint.Ignore(instance.Node().DefaultChild().(awscdk.CfnResource), "E3691")
	return instance
}

// suppressFindings gives the reasons for the default port, a single-AZ or
// unprotected instance, and the secret without rotation.
func suppressFindings(instance awsrds.DatabaseInstance, secret awsrds.DatabaseSecret, props *MysqlProps) {
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
			Reason: jsii.String("Multi-AZ is off (MultiAz false in the props), for cost; production-like environments turn it on."),
		})
	}
	if !props.DeletionProtection {
		reasons = append(reasons, &cdknag.NagPackSuppression{
			Id:     jsii.String("AwsSolutions-RDS10"),
			Reason: jsii.String("Deletion protection is off (DeletionProtection false in the props); RemovalPolicy SNAPSHOT still keeps a final snapshot."),
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(instance, &reasons, jsii.Bool(false))
	cdknag.NagSuppressions_AddResourceSuppressions(secret, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("Rotation runs a Lambda function inside the VPC that must reach the database, which " +
			"would open the database group to a second source beside the web tier. Rotate with " +
			"Mysql.Instance.AddRotationSingleUser when that trade is wanted; the secret is KMS-encrypted and readable only by the web role."),
	}}, jsii.Bool(false))
}

// logRetentionFunction gives the reasons of the CDK's LogRetention function
// (one per stack, which applies CloudwatchLogsRetention because RDS creates
// the log groups itself) and puts it in the VPC when props ask.
func logRetentionFunction(this constructs.Construct, props *MysqlProps) {
	stack := awscdk.Stack_Of(this)
	logRetention := *stack.Node().Path() + "/" + logRetentionId + "/ServiceRole"
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(logRetention), &[]*cdknag.NagPackSuppression{
		{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("The CDK's LogRetention function writes its own logs with AWSLambdaBasicExecutionRole, the policy AWS maintains for exactly that."),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		},
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String(logRetentionReason(props.FunctionSecurityGroup != nil)),
			AppliesTo: &[]any{"Resource::*"},
		},
	}, jsii.Bool(true))
	if props.FunctionSecurityGroup != nil {
		logRetentionInVpc(stack, props.Vpc, props.FunctionSecurityGroup)
	}
}

// enhancedMonitoring gives instance enhanced monitoring every seconds, with a
// role of its own. The role holds no managed policy: RDS writes the OS metrics
// to the log group RDSOSMetrics, one stream per instance named after its
// resource id, and the role may create that group and write its streams. The
// permissions are inline in the role, not in a policy of their own, because
// CreateDBInstance checks the monitoring role's permissions: a policy that
// named the instance's stream would depend on the instance, attach after it,
// and fail the create. So the streams are log-stream:*: any instance's, of this
// account's and region's RDSOSMetrics group, written only by RDS.
func enhancedMonitoring(scope constructs.Construct, instance awsrds.DatabaseInstance, seconds int) awsiam.Role {
	stack := awscdk.Stack_Of(scope)
	group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:RDSOSMetrics", *stack.Partition(), *stack.Region(), *stack.Account())
	role := awsiam.NewRole(scope, jsii.String("MonitoringRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("monitoring.rds.amazonaws.com"), nil),
		Description: jsii.String("project-1 RDS enhanced monitoring: writes the instance's OS metrics to RDSOSMetrics"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"EnhancedMonitoring": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Actions:   jsii.Strings("logs:CreateLogGroup", "logs:PutRetentionPolicy"),
						Resources: jsii.Strings(group),
					}),
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"),
						Resources: jsii.Strings(group + ":log-stream:*"),
					}),
				},
			}),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("RDS's monitoring role writes the RDSOSMetrics streams, one per instance named after its resource id. " +
			"CreateDBInstance checks the role's permissions, so they must not depend on the instance: the stream is *, " +
			"in this account's and region's RDSOSMetrics group only, as in AWS's AmazonRDSEnhancedMonitoringRole."),
		AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:.*:log-group:RDSOSMetrics:log-stream:\*$/`)}},
	}}, jsii.Bool(false))
	cfn := instance.Node().DefaultChild().(awsrds.CfnDBInstance)
	cfn.SetMonitoringInterval(jsii.Number(seconds))
	cfn.SetMonitoringRoleArn(role.RoleArn())
	return role
}

// logRetentionReason is why the LogRetention function's policy has Resource *.
func logRetentionReason(inVpc bool) string {
	reason := "The CDK's LogRetention function sets the retention of the log groups RDS creates " +
		"(logs:PutRetentionPolicy/DeleteRetentionPolicy); their names exist only once the instance does, so the CDK grants them on *."
	if inVpc {
		reason += " In the VPC it also manages its network interfaces (ec2:*NetworkInterface*, *PrivateIpAddresses), which take no resource narrower than *."
	}
	return reason
}

// logRetentionInVpc puts the stack's CDK LogRetention function (a singleton,
// created by CloudwatchLogsRetention) into vpc's private subnets with group,
// and lets it manage its network interfaces there. Lambda checks those
// permissions when it creates the function, which already waits for the
// role's default policy.
func logRetentionInVpc(stack awscdk.Stack, vpc awsec2.IVpc, group awsec2.ISecurityGroup) {
	fn := stack.Node().TryFindChild(jsii.String(logRetentionId))
	if fn == nil {
		return
	}
	role, ok := fn.Node().TryFindChild(jsii.String("ServiceRole")).(awsiam.IRole)
	resource, ok2 := fn.Node().TryFindChild(jsii.String("Resource")).(awscdk.CfnResource)
	if !ok || !ok2 {
		panic("database.NewMysql: the CDK's LogRetention function has changed shape; update logRetentionInVpc")
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
			"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
		Resources: jsii.Strings("*"),
	}))
	resource.AddPropertyOverride(jsii.String("VpcConfig"), map[string]any{
		"SubnetIds":        vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}).SubnetIds,
		"SecurityGroupIds": []*string{group.SecurityGroupId()},
	})
}

// logRetentionId is the construct id of the CDK's LogRetention function in a stack.
const logRetentionId = "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a"

// Package backup holds project-1's AWS Backup: an encrypted vault per
// environment with a daily plan over the stateful resources, and, for a copy
// that survives the loss of a region, a locked vault in a second region.
//
// Like every construct of this module, each constructor checks its props
// first and panics, as aws-cdk-lib's constructs throw, with one line per
// problem naming the construct id, the field and the value.
package backup

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/constructs/backup/backupprops"
	"github.com/project-1/project-1/internal/keypolicy"
	"github.com/project-1/project-1/internal/physical"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the backups' values; see backupprops.Settings, where they are
// defined with no CDK import.
type Settings = backupprops.Settings

// DefaultSettings are the project's backups (backupprops.DefaultSettings).
func DefaultSettings() Settings { return backupprops.DefaultSettings() }

// The plan's daily window: it starts at 03:00 UTC, within an hour, and has
// until 11:00 UTC to finish (a large bucket's first backup is long).
const (
	startHour           = "3"
	startWindowHours    = 1
	completionWindowHrs = 8
)

// PlanProps configures NewPlan.
type PlanProps struct {
	// Settings give the retention; CopyRegion and CopyRetentionDays are
	// read only with CopyVault.
	Settings
	// CopyVault, optional: the vault in Settings.CopyRegion that each
	// recovery point is copied to (NewCopyVault's, imported by its ARN).
	// Required when Settings.CopyRegion is set. Default nil: no copy.
	CopyVault awsbackup.IBackupVault
}

// Validate reports every problem of the props, one line each, naming the
// field and its value.
func (p *PlanProps) Validate() error {
	var problems validate.Problems
	problems.AddAll(p.Settings.ValidateAs("", ""))
	if p.CopyRegion != "" && p.CopyVault == nil {
		problems.Add("CopyVault is nil: CopyRegion %q needs the vault there to copy to (NewCopyVault)", p.CopyRegion)
	}
	if p.CopyRegion == "" && p.CopyVault != nil {
		problems.Add("CopyVault is set without CopyRegion: say where the copy goes")
	}
	return problems.Err()
}

// Plan is the environment's vault, its key, the daily plan and the role AWS
// Backup takes to back up and restore.
type Plan struct {
	constructs.Construct
	Vault awsbackup.BackupVault
	// Key encrypts the vault's recovery points of the resources that AWS
	// Backup encrypts itself (the table's and the bucket's).
	Key  awskms.Key
	Plan awsbackup.BackupPlan
	Role awsiam.Role
}

// NewPlan creates an encrypted vault whose recovery points nobody may delete
// before their lifecycle does (BlockRecoveryPointDeletion), retained when the
// stack is deleted, and a daily plan into it that keeps each recovery point
// RetentionDays and, with a CopyVault, copies it there for CopyRetentionDays.
// Select what it backs up with NewSelection.
func NewPlan(scope constructs.Construct, id string, props *PlanProps) *Plan {
	if props == nil {
		props = &PlanProps{}
	}
	validate.Props("backup.NewPlan", id, props.Validate())
	this := constructs.NewConstruct(scope, &id)
	key := newKey(this, "Key", "project-1: encrypts the backup vault's recovery points")
	vault := awsbackup.NewBackupVault(this, jsii.String("Vault"), &awsbackup.BackupVaultProps{
		BackupVaultName:            vaultNameOf(this),
		EncryptionKey:              key,
		BlockRecoveryPointDeletion: jsii.Bool(true),
		// A vault that holds recovery points cannot be deleted, and must not be.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	plan := awsbackup.NewBackupPlan(this, jsii.String("Plan"), &awsbackup.BackupPlanProps{
		BackupVault:     vault,
		BackupPlanRules: &[]awsbackup.BackupPlanRule{dailyRule(props)},
	})
	return &Plan{Construct: this, Vault: vault, Key: key, Plan: plan, Role: newRole(this)}
}

// vaultNameOf is the environment vault's name: its stack's name (at most 30
// characters of it), "-backup-" and the tail of the stack's id, so that a
// redeploy after a tear down, which keeps the vault, creates a new one
// instead of failing on the kept one's name. A vault must be named; the CDK
// would otherwise name it after its construct path, the same every time.
func vaultNameOf(this constructs.Construct) *string {
	stack := *awscdk.Stack_Of(this).StackName()
	if len(stack) > 30 {
		stack = stack[:30]
	}
	return physical.Name(stack+"-backup-", physical.StackUuidTail())
}

// dailyRule is the plan's one rule: a recovery point a day, kept
// RetentionDays, copied to the copy vault when there is one.
func dailyRule(props *PlanProps) awsbackup.BackupPlanRule {
	rule := &awsbackup.BackupPlanRuleProps{
		RuleName:           jsii.String("Daily"),
		ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Hour: jsii.String(startHour), Minute: jsii.String("0")}),
		StartWindow:        awscdk.Duration_Hours(jsii.Number(startWindowHours)),
		CompletionWindow:   awscdk.Duration_Hours(jsii.Number(completionWindowHrs)),
		DeleteAfter:        awscdk.Duration_Days(jsii.Number(float64(props.RetentionDays))),
	}
	if props.CopyVault != nil {
		rule.CopyActions = &[]*awsbackup.BackupPlanCopyActionProps{{
			DestinationBackupVault: props.CopyVault,
			DeleteAfter:            awscdk.Duration_Days(jsii.Number(float64(props.CopyRetentionDays))),
		}}
	}
	return awsbackup.NewBackupPlanRule(rule)
}

// newKey is a rotated key, retained: deleting it would make every recovery
// point it encrypts unreadable.
func newKey(scope constructs.Construct, id, description string) awskms.Key {
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	keypolicy.LimitGrants(key)
	return key
}

// backupPolicies are the AWS managed policies of the role: back up and
// restore every supported service, and S3, which has policies of its own
// (the IAM reference of AWS managed policies gives their ARNs; the S3 ones
// have no service-role/ path).
var backupPolicies = []string{
	"service-role/AWSBackupServiceRolePolicyForBackup",
	"service-role/AWSBackupServiceRolePolicyForRestores",
	"AWSBackupServiceRolePolicyForS3Backup",
	"AWSBackupServiceRolePolicyForS3Restore",
}

// newRole is the role AWS Backup takes for the plan's jobs and for restores.
func newRole(this constructs.Construct) awsiam.Role {
	var managed []awsiam.IManagedPolicy
	var appliesTo []any
	for _, name := range backupPolicies {
		managed = append(managed, awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(name)))
		appliesTo = append(appliesTo, "Policy::arn:<AWS::Partition>:iam::aws:policy/"+name)
	}
	role := awsiam.NewRole(this, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("backup.amazonaws.com"), nil),
		Description:     jsii.String("project-1 AWS Backup: backs up and restores the environment's database, table and data bucket"),
		ManagedPolicies: &managed,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM4"),
		Reason: jsii.String("AWS Backup's own managed policies for backup and restore, S3's included, which AWS maintains as the " +
			"services it backs up change; the role is assumable by backup.amazonaws.com only."),
		AppliesTo: &appliesTo,
	}}, jsii.Bool(false))
	return role
}

// SelectionProps configures NewSelection.
type SelectionProps struct {
	Plan *Plan // required
	// ResourceArns are what the plan backs up, by ARN (not by tag): at least
	// one. An S3 bucket must be versioned.
	ResourceArns []*string
}

// NewSelection backs up the resources of props with the plan, in the plan's
// role. It is a construct of its own, beside the plan, so that a stack can
// create the plan before the protected resources and the selection, which
// reads them, after.
func NewSelection(scope constructs.Construct, id string, props *SelectionProps) awsbackup.BackupSelection {
	if props == nil {
		props = &SelectionProps{}
	}
	var problems validate.Problems
	if props.Plan == nil {
		problems.Add("Plan is nil")
	}
	if len(props.ResourceArns) == 0 {
		problems.Add("ResourceArns is empty: select at least one resource")
	}
	var resources []awsbackup.BackupResource
	for i, arn := range props.ResourceArns {
		if arn == nil {
			problems.Add("ResourceArns[%d] is nil", i)
			continue
		}
		resources = append(resources, awsbackup.BackupResource_FromArn(arn))
	}
	validate.Props("backup.NewSelection", id, problems.Err())
	return awsbackup.NewBackupSelection(scope, jsii.String(id), &awsbackup.BackupSelectionProps{
		BackupPlan: props.Plan.Plan,
		Resources:  &resources,
		Role:       props.Plan.Role,
	})
}

// LockChangeableDays is how long after its creation the copy vault's lock
// can still be removed or changed (the grace time, AWS Backup's minimum).
// After it the lock is in compliance mode: nobody, the account's root
// included, can delete a copy before CopyRetentionDays, nor the lock.
const LockChangeableDays = 3

// CopyVaultProps configures NewCopyVault.
type CopyVaultProps struct {
	// Name is the vault's name, which the plan in the other region builds
	// its ARN from: 2 to 50 letters, digits, '-' and '_'.
	Name string
	// RetentionDays is the shortest a copy may be kept: the lock's
	// MinRetentionDays, the plan's CopyRetentionDays. 1 or more.
	RetentionDays int
}

// NewCopyVault creates the vault a plan of another region copies to: named,
// encrypted with a key of its own region, recovery points undeletable
// before their lifecycle, retained, and locked (LockChangeableDays).
func NewCopyVault(scope constructs.Construct, id string, props *CopyVaultProps) awsbackup.BackupVault {
	if props == nil {
		props = &CopyVaultProps{}
	}
	var problems validate.Problems
	if !vaultName.MatchString(props.Name) {
		problems.Add("Name %q: a vault's name is 2 to 50 letters, digits, '-' and '_'", props.Name)
	}
	if err := validate.Days(props.RetentionDays); err != nil {
		problems.Add("RetentionDays %v", err)
	}
	validate.Props("backup.NewCopyVault", id, problems.Err())
	this := constructs.NewConstruct(scope, &id)
	key := newKey(this, "Key", "project-1: encrypts the copies of the backup vault's recovery points")
	return awsbackup.NewBackupVault(this, jsii.String("Vault"), &awsbackup.BackupVaultProps{
		BackupVaultName:            jsii.String(props.Name),
		EncryptionKey:              key,
		BlockRecoveryPointDeletion: jsii.Bool(true),
		RemovalPolicy:              awscdk.RemovalPolicy_RETAIN,
		LockConfiguration: &awsbackup.LockConfiguration{
			MinRetention:  awscdk.Duration_Days(jsii.Number(float64(props.RetentionDays))),
			ChangeableFor: awscdk.Duration_Days(jsii.Number(LockChangeableDays)),
		},
	})
}

var vaultName = regexp.MustCompile(`^[A-Za-z0-9_-]{2,50}$`)

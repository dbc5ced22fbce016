package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/backup"
)

// BackupCopyStack is the vault in an environment's second region
// (Backup.CopyRegion) that its daily recovery points are copied to, locked.
// The vault has a fixed name, CopyVaultName, from which the data stack of the
// other region builds its ARN: a stack reference across regions would need a
// custom resource in each.
type BackupCopyStack struct {
	awscdk.Stack
	// VaultArn is the copy vault's ARN, built from its name, region and
	// account as the data stack builds it.
	VaultArn *string
}

// CopyVaultName is the name of an environment's copy vault.
func CopyVaultName(environment string) string { return environment + "-backup-copy" }

// NewBackupCopyStack builds the copy vault of the environment env in region.
func NewBackupCopyStack(scope constructs.Construct, id, env, region string, settings backup.Settings, account *string) *BackupCopyStack {
	stack := awscdk.NewStack(scope, &id, &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: account, Region: jsii.String(region)},
		Description: jsii.String("project-1 backup copy: the locked vault the data stack's daily recovery points are copied to, in a second region"),
		// The vault holds the only copy that survives the loss of the
		// environment's region.
		TerminationProtection: jsii.Bool(true),
	})
	backup.NewCopyVault(stack, "CopyVault", &backup.CopyVaultProps{Name: CopyVaultName(env), RetentionDays: settings.CopyRetentionDays})
	return &BackupCopyStack{Stack: stack, VaultArn: CopyVaultArn(stack, env, region)}
}

// CopyVaultArn is the ARN of env's copy vault in region, in scope's account
// and partition.
func CopyVaultArn(scope constructs.Construct, env, region string) *string {
	stack := awscdk.Stack_Of(scope)
	return jsii.String(fmt.Sprintf("arn:%s:backup:%s:%s:backup-vault:%s", *stack.Partition(), region, *stack.Account(), CopyVaultName(env)))
}

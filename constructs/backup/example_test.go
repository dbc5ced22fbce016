package backup_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/backup"
)

// A daily plan over another team's table, copied to a locked vault in a
// second region: the copy vault in a stack of that region, the plan in the
// table's, which builds the copy vault's ARN from its name.
func ExampleNewPlan() {
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	vaults := awscdk.NewStack(app, jsii.String("Vaults"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-central-1")}})
	backup.NewCopyVault(vaults, "Copy", &backup.CopyVaultProps{Name: "team-copy", RetentionDays: 35})

	stack := awscdk.NewStack(app, jsii.String("Team"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}})
	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING},
	})
	settings := backup.DefaultSettings() // a recovery point a day, kept 35 days
	settings.CopyRegion, settings.CopyRetentionDays = "eu-central-1", 35
	copyVault := awsbackup.BackupVault_FromBackupVaultArn(stack, jsii.String("CopyVault"),
		jsii.String("arn:"+*stack.Partition()+":backup:eu-central-1:"+*stack.Account()+":backup-vault:team-copy"))
	plan := backup.NewPlan(stack, "Backup", &backup.PlanProps{Settings: settings, CopyVault: copyVault})
	backup.NewSelection(stack, "Selection", &backup.SelectionProps{Plan: plan, ResourceArns: []*string{table.TableArn()}})

	for _, s := range []awscdk.Stack{stack, vaults} {
		for _, v := range *assertions.Template_FromStack(s, nil).FindResources(jsii.String("AWS::Backup::BackupVault"), nil) {
			p := (*v)["Properties"].(map[string]any)
			fmt.Println(*s.StackName(), (*v)["DeletionPolicy"], p["LockConfiguration"] != nil)
		}
	}
	// Output:
	// Team Retain false
	// Vaults Retain true
}

// Package consumer is another team's CDK app, built from project-1's
// constructs: the spec's network over three zones of eu-central-1, its
// database, and nothing from project-1's cdk.json.
package consumer

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/database"
	"github.com/project-1/project-1/constructs/network"
)

// Zones the team's network spans.
var Zones = []string{"eu-central-1a", "eu-central-1b", "eu-central-1c"}

// NewStack is the team's one stack.
func NewStack(app awscdk.App) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("TeamNetwork"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("eu-central-1")},
	})
	vpc := network.NewVpc(stack, "Network", &network.VpcProps{
		Name:                 "team",
		Cidr:                 "10.20.0.0/16",
		InternetGatewayName:  "team-igw",
		Subnets:              network.SpecLayout(20, Zones...),
		NatGateways:          len(Zones),
		FlowLogRetentionDays: 90,
	})
	groups := network.NewSecurityGroups(stack, "SecurityGroups", &network.SecurityGroupsProps{Vpc: vpc.Vpc})
	database.NewMysql(stack, "Database", &database.MysqlProps{
		Vpc:           vpc.Vpc,
		SecurityGroup: network.ImportImmutable(stack, "DatabaseGroup", groups.Database),
		Key:           awskms.NewKey(stack, jsii.String("DatabaseKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		Settings: database.Settings{
			InstanceType:     "t3.small",
			StorageGiB:       20,
			MaxStorageGiB:    50,
			MultiAz:          true,
			BackupDays:       7,
			LogRetentionDays: 30,
		},
	})
	return stack
}

package database_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/database"
	"github.com/project-1/project-1/constructs/network"
)

// MySQL in the private subnets of the spec's network, admitting only the web
// tier's group.
func ExampleNewMysql() {
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Db"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	vpc := network.NewVpc(stack, "Network", &network.VpcProps{
		Name: "db", Cidr: "10.0.0.0/16", InternetGatewayName: "igw",
		Subnets: network.SpecLayout(0, "us-east-1a", "us-east-1b"), NatGateways: 1, FlowLogRetentionDays: 30,
	})
	groups := network.NewSecurityGroups(stack, "Groups", &network.SecurityGroupsProps{Vpc: vpc.Vpc})
	// The project's values (Multi-AZ, deletion protection, a week of
	// backups, ...), with one changed.
	settings := database.DefaultSettings()
	settings.InstanceType = "t4g.micro"
	database.NewMysql(stack, "Database", &database.MysqlProps{
		Vpc:           vpc.Vpc,
		SecurityGroup: groups.Database,
		Key:           awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		Settings:      settings,
	})
	instances := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::RDS::DBInstance"), nil)
	for _, r := range *instances {
		p := (*r)["Properties"].(map[string]any)
		fmt.Println(p["Engine"], p["MultiAZ"], p["StorageEncrypted"], p["PubliclyAccessible"], (*r)["DeletionPolicy"])
	}
	// Output:
	// mysql true true false Snapshot
}

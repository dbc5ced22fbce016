package web_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/network"
	"github.com/project-1/project-1/constructs/storage"
	"github.com/project-1/project-1/constructs/web"
)

// The web tier behind its load balancer, reading a bucket and a table that
// live elsewhere (imported by name).
func ExampleNewWeb() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("App"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	vpc := network.NewVpc(stack, "Network", &network.VpcProps{
		Name: "web", Cidr: "10.0.0.0/16", InternetGatewayName: "igw",
		Subnets: network.SpecLayout(0, "us-east-1a", "us-east-1b"), NatGateways: 2, FlowLogRetentionDays: 30,
	})
	groups := network.NewSecurityGroups(stack, "Groups", &network.SecurityGroupsProps{Vpc: vpc.Vpc})
	key := awskms.Key_FromKeyArn(stack, jsii.String("SecretKey"), jsii.String("arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"))
	w := web.NewWeb(stack, "Web", &web.Props{
		Vpc:                   vpc.Vpc,
		AlbSecurityGroup:      network.ImportImmutable(stack, "AlbGroup", groups.Alb),
		InstanceSecurityGroup: network.ImportImmutable(stack, "WebGroup", groups.Web),
		AccessLogs:            storage.NewLogBucket(stack, "Logs", 30),
		DataBucket:            awss3.Bucket_FromBucketName(stack, jsii.String("Data"), jsii.String("team-data")),
		Table:                 awsdynamodb.Table_FromTableName(stack, jsii.String("Forum"), jsii.String("Forum")),
		DatabaseSecret:        awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Db"), jsii.String("team-db")),
		DatabaseSecretKey:     key,
		Settings:              web.Settings{InstanceType: "t3.small", Instances: 2, MaxInstances: 4},
	})
	fmt.Println(*w.Instances.Node().Id(), *w.LoadBalancer.Node().Id(), w.URL[:7])
	// Output:
	// Instances LoadBalancer http://
}

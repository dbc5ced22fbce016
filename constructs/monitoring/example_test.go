package monitoring_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/monitoring"
)

// The alarm topic another team's alarms can notify: KMS-encrypted, with an
// email subscription (the address must confirm it).
func ExampleNewAlarmTopic() {
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Ops"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	monitoring.NewAlarmTopic(stack, "Alarms", "ops@example.com")
	template := assertions.Template_FromStack(stack, nil)
	for _, typ := range []string{"AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::KMS::Key"} {
		fmt.Println(typ, len(*template.FindResources(jsii.String(typ), nil)))
	}
	// Output:
	// AWS::SNS::Topic 1
	// AWS::SNS::Subscription 1
	// AWS::KMS::Key 1
}

// Settings are validated before anything is built, one line per problem.
func ExampleSettings_Validate() {
	s := monitoring.Settings{AlarmEmail: "ops"}
	fmt.Println(s.Validate() != nil)
	// Output:
	// true
}

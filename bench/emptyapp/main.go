// Command emptyapp is the floor bench/synth.sh measures project-1 against: a CDK
// app on the same aws-cdk-go version that synthesizes one empty stack, so its
// cost is the jsii kernel's boot and little else.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	// As project-1's app: without the CDK's built-in CloudFormation validation
	// (see stacks.NewApp), which would also reject an empty stack.
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	awscdk.NewStack(app, jsii.String("Empty"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	app.Synth(nil)
}

// Command propertyread times one jsii property read, the request that
// bench/requests.sh finds repeated in a synthesis: N reads each of a
// resource's Ref(), a construct's Node() and a stack's Region(), after one
// read of each, and prints the mean per read.
package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	n := flag.Int("n", 2000, "reads of each property")
	flag.Parse()
	defer jsii.Close()
	app := awscdk.NewApp(&awscdk.AppProps{BuiltinCloudFormationValidation: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	vpc := awsec2.NewCfnVPC(stack, jsii.String("V"), &awsec2.CfnVPCProps{CidrBlock: jsii.String("10.0.0.0/16")})
	for _, p := range []struct {
		name string
		read func()
	}{
		{"CfnVPC.Ref()", func() { vpc.Ref() }},
		{"CfnVPC.Node()", func() { vpc.Node() }},
		{"Stack.Region()", func() { stack.Region() }},
	} {
		p.read()
		start := time.Now()
		for range *n {
			p.read()
		}
		fmt.Printf("%-15s %.3f ms a read (%d reads)\n", p.name, float64(time.Since(start).Microseconds())/1000/float64(*n), *n)
	}
}

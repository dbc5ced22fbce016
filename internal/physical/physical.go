// Package physical holds the physical names of retained resources that must
// be named: each ends in a part of its stack's own id (the UUID in
// AWS::StackId), so that a redeploy after a tear down creates a new resource
// beside the kept one instead of failing on its name, while updates of the
// same stack keep it.
package physical

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// StackUuid is the UUID of the stack's id (arn:...:stack/NAME/UUID): 36
// characters, new with every create of the stack.
func StackUuid() *string {
	return awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
}

// StackUuidTail is the last 12 hexadecimal digits of StackUuid, for names
// that must be short.
func StackUuidTail() *string {
	return awscdk.Fn_Select(jsii.Number(4), awscdk.Fn_Split(jsii.String("-"), StackUuid(), nil))
}

// Name is prefix followed by suffix (StackUuid or StackUuidTail).
func Name(prefix string, suffix *string) *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String(prefix), suffix})
}

package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// A stack's first create that fails rolls back by deleting what it created,
// and deletion protection blocks that delete: the stack ends in
// ROLLBACK_FAILED. A template has one value for a resource's protection, the
// one its create uses, so protection cannot wait for the first create to
// succeed without a second operation (a second deploy, or a custom resource
// calling the service after the stack's other resources). Instead the
// protected resources are created last: after every resource of their stack
// that does not read them, so that only their own create, and the creates of
// what reads them, can fail while they exist. TestProtectedResourcesComeLast
// checks this on every environment's templates.

// createAfter makes resource depend on every top-level construct of stack
// but those in except: the ones that read it or contain it, and those it
// reads already (a DependsOn beside a Ref is redundant, cfn-lint's W3005). A
// construct added later that reads resource must go in except, or synthesis
// fails on the cycle.
func createAfter(stack awscdk.Stack, resource constructs.IConstruct, except ...constructs.IConstruct) {
	skip := map[string]bool{}
	for _, c := range except {
		skip[*c.Node().Path()] = true
	}
	for _, c := range *stack.Node().Children() {
		if !skip[*c.Node().Path()] {
			resource.Node().AddDependency(c)
		}
	}
}

package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Kept for one release: the outputs that consumers deployed by an earlier
// version read with Fn::GetStackOutput (weak references), under their old
// logical ids and values. The deploy that moves an environment to
// Fn::ImportValue updates the network stack first; if the data or app stack's
// update then fails, its rollback returns to a template that reads these
// outputs, and without them the rollback would fail too
// (UPDATE_ROLLBACK_FAILED). TestWeakOutputsKeptOneRelease pins them; the next
// release removes them, once every environment has deployed this one.

// weakNetworkOutputs are the network stack's old outputs.
func weakNetworkOutputs(n *NetworkStack) {
	v, g := n.Vpc, n.SecurityGroups
	outputs := []struct {
		id    string
		value *string
	}{
		{"PublishOutputRefNetworkPrivateSubnet1E849118972FC91C8", v.PrivateSubnets[0].SubnetId()},
		{"PublishOutputRefNetworkPrivateSubnet26BD46F8C0A7AEB3D", v.PrivateSubnets[1].SubnetId()},
		{"PublishOutputFnGetAttSecurityGroupsDatabase03711F2AGroupId5FF19AA4", g.Database.SecurityGroupId()},
		{"PublishOutputFnGetAttSecurityGroupsFunctionsF2C2D0F4GroupId0229133A", g.Functions.SecurityGroupId()},
		{"PublishOutputFnGetAttSecurityGroupsWebAE39F2C2GroupId40E2BA2E", g.Web.SecurityGroupId()},
		{"PublishOutputFnGetAttSecurityGroupsAlbFB2F0AE8GroupId142758BE", g.Alb.SecurityGroupId()},
		{"PublishOutputRefNetworkPublicSubnet13B56D0982B5D665B", v.PublicSubnets[0].SubnetId()},
		{"PublishOutputRefNetworkPublicSubnet2E7B6D3F82D950EA6", v.PublicSubnets[1].SubnetId()},
		{"PublishOutputRefNetworkVpcFAC8F4A5497856B5", v.Vpc.VpcId()},
		{"PublishOutputRefNetworkPublicSubnet1NatGateway4B44EA806142BCDD", v.NatGatewayIds[0]},
	}
	if len(v.NatGatewayIds) > 1 {
		outputs = append(outputs, struct {
			id    string
			value *string
		}{"PublishOutputRefNetworkPublicSubnet2NatGatewayE8F1C691A1FC2180", v.NatGatewayIds[1]})
	}
	for _, o := range outputs {
		awscdk.NewCfnOutput(n.Stack, jsii.String(o.id), &awscdk.CfnOutputProps{Value: o.value})
	}
}

// weakDataOutputs are the data stack's old outputs.
func weakDataOutputs(d *DataStack) {
	for _, o := range []struct {
		id    string
		value *string
	}{
		{"PublishOutputFnGetAttDataBucketE3889A50Arn0E8BC76C", d.DataBucket.BucketArn()},
		{"PublishOutputFnGetAttDataBucketKeyF49B2630ArnD6550FA6", d.DataBucket.EncryptionKey().KeyArn()},
		{"PublishOutputFnGetAttForumTable1FBA2B20ArnBC130254", d.Table.TableArn()},
		{"PublishOutputFnGetAttForumTableKey5D226C3AArn55809765", d.Table.EncryptionKey().KeyArn()},
		{"PublishOutputRefDatabaseSecretAttachmentE5D1B020FC8DF5BB", d.Database.Instance.Secret().SecretArn()},
		{"PublishOutputFnGetAttDatabaseKey7576F140Arn548D8C76", d.DatabaseKey.KeyArn()},
		{"PublishOutputRefLogBucketCC3B17E80FAFE4DE", d.LogBucket.BucketName()},
		{"PublishOutputRefDatabaseInstanceAA8A5FDE96074C11", d.Database.Instance.InstanceIdentifier()},
		{"PublishOutputRefForumTable1FBA2B2053A2526C", d.Table.TableName()},
	} {
		awscdk.NewCfnOutput(d.Stack, jsii.String(o.id), &awscdk.CfnOutputProps{Value: o.value})
	}
}

package replacement

import (
	"strings"
	"testing"
)

// A producer with a security group it exports (strong) and outputs (weak),
// and a consumer that reads it in a database and a create-only target group.
const producer = `{"Resources": {
  "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
  "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "database", "VpcId": {"Ref": "Vpc"}}}},
 "Outputs": {
  "ExportGroup": {"Value": {"Fn::GetAtt": ["Group", "GroupId"]}, "Export": {"Name": "Net:ExportGroup"}},
  "PublishGroup": {"Value": {"Fn::GetAtt": ["Group", "GroupId"]}},
  "ExportVpc": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "Net:ExportVpc"}},
  "PublishVpc": {"Value": {"Ref": "Vpc"}}}}`

const strongConsumer = `{"Resources": {
  "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"VPCSecurityGroups": [{"Fn::ImportValue": "Net:ExportGroup"}]}},
  "Targets": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"VpcId": {"Fn::ImportValue": "Net:ExportVpc"}}}}}`

var weakConsumer = strings.NewReplacer(
	`{"Fn::ImportValue": "Net:ExportGroup"}`, `{"Fn::GetStackOutput": {"StackName": "Net", "OutputName": "PublishGroup"}}`,
	`{"Fn::ImportValue": "Net:ExportVpc"}`, `{"Fn::GetStackOutput": {"StackName": "Net", "OutputName": "PublishVpc"}}`,
).Replace(strongConsumer)

func hazards(t *testing.T, oldNet, oldApp, newNet, newApp string) []Hazard {
	t.Helper()
	old := Templates{"Net": parse(t, oldNet), "App": parse(t, oldApp)}
	new := Templates{"Net": parse(t, newNet), "App": parse(t, newApp)}
	return CrossStack(old, new, Compare(old, new))
}

func TestReferences(t *testing.T) {
	for _, consumer := range []string{strongConsumer, weakConsumer} {
		refs := References(Templates{"Net": parse(t, producer), "App": parse(t, consumer)})
		if len(refs) != 2 || refs[0].Consumer != "App" || refs[0].Producer != "Net" || refs[0].Uses[0] != "Db.VPCSecurityGroups" ||
			refs[1].Uses[0] != "Targets.VpcId" {
			t.Errorf("references of %s: %+v", consumer, refs)
		}
	}
}

func TestCrossStack(t *testing.T) {
	renamed := strings.Replace(producer, `"database"`, `"database, renamed"`, 1)
	noExport := strings.Replace(producer, `"ExportGroup": {"Value": {"Fn::GetAtt": ["Group", "GroupId"]}, "Export": {"Name": "Net:ExportGroup"}},`, ``, 1)
	noPublish := strings.Replace(producer, `"PublishGroup": {"Value": {"Fn::GetAtt": ["Group", "GroupId"]}},`, ``, 1)
	withoutDb := strings.Replace(weakConsumer, `"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"VPCSecurityGroups": [{"Fn::GetStackOutput": {"StackName": "Net", "OutputName": "PublishGroup"}}]}},`, ``, 1)
	for _, tc := range []struct {
		name                           string
		oldNet, oldApp, newNet, newApp string
		want                           []string // kind: a substring of the reason, one hazard each, in order
	}{
		{"nothing changes", producer, strongConsumer, producer, strongConsumer, nil},
		{"strong: the group is replaced", producer, strongConsumer, renamed, strongConsumer,
			[]string{"export in use: Net replaced Group, the value of its export Net:ExportGroup, which App imports (Db.VPCSecurityGroups)"}},
		{"strong: the export is removed", producer, strongConsumer, noExport, strongConsumer,
			[]string{"export in use: Net removes its export Net:ExportGroup, which App imports"}},
		{"weak: the group is replaced", producer, weakConsumer, renamed, weakConsumer,
			[]string{"stale reference: Net replaced Group, the value of its output PublishGroup, which App reads with Fn::GetStackOutput (Db.VPCSecurityGroups): nothing updates the consumer; App's template does not change, so `cdk deploy` skips it"}},
		{"weak: the output goes with its use", producer, weakConsumer, noPublish, withoutDb,
			[]string{"output gone: Net removes its output PublishGroup, which the deployed App reads"}},
		{"weak: the output goes, still read", producer, weakConsumer, noPublish, weakConsumer,
			[]string{"stale reference: Net removes its output PublishGroup"}},
		{"weak to strong", producer, weakConsumer, producer, strongConsumer,
			[]string{"reference form changed: Targets.VpcId (create-only) keeps its value but reads it with Fn::ImportValue instead of Fn::GetStackOutput"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hazards(t, tc.oldNet, tc.oldApp, tc.newNet, tc.newApp)
			if len(got) != len(tc.want) {
				t.Fatalf("want %d hazards, got %d: %+v", len(tc.want), len(got), got)
			}
			for i, h := range got {
				if line := string(h.Kind) + ": " + h.Reason; !strings.Contains(line, tc.want[i]) {
					t.Errorf("hazard %d:\n got %s\nwant %s", i, line, tc.want[i])
				}
				if h.Blocking() != (h.Kind == ExportInUse || h.Kind == StaleReference) {
					t.Errorf("hazard %d: Blocking %v", i, h.Blocking())
				}
			}
		})
	}
}

package replacement

import (
	"encoding/json"
	"strings"
	"testing"
)

func parse(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const data = `{"Resources": {
  "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
    "Properties": {"TableName": "Forum", "KeySchema": [{"AttributeName": "Name", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}},
  "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "Properties": {"EnableKeyRotation": true}},
  "Subnets": {"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"SubnetIds": [{"Fn::GetStackOutput": {"StackName": "Network", "OutputName": "Out1"}}]}},
  "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": {"DBSubnetGroupName": {"Ref": "Subnets"}, "StorageEncrypted": true}}
}}`

const net = `{"Resources": {"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.1.0/24"}}},
 "Outputs": {"Out1": {"Value": {"Ref": "Subnet"}}}}`

func compare(t *testing.T, change func(data string) string) []string {
	t.Helper()
	old := Templates{"Data": parse(t, data), "Network": parse(t, net)}
	new := Templates{"Data": parse(t, change(data)), "Network": parse(t, net)}
	var out []string
	for _, c := range Compare(old, new) {
		out = append(out, c.String())
	}
	return out
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(string) string
		want   []string // substrings, one change each, in order
	}{
		{"nothing", func(s string) string { return s }, nil},
		{"a mutable property", func(s string) string { return strings.Replace(s, "PAY_PER_REQUEST", "PROVISIONED", 1) }, nil},
		{"the table renamed", func(s string) string { return strings.Replace(s, `"Forum"`, `"Forum2"`, 1) },
			[]string{`Data/Table (AWS::DynamoDB::Table) STATEFUL: replaced: TableName: "Forum" -> "Forum2"`}},
		{"a new logical id", func(s string) string { return strings.Replace(s, `"Table":`, `"Table2":`, 1) },
			[]string{"Data/Table (AWS::DynamoDB::Table) STATEFUL: deleted: the logical id is gone"}},
		{"another type", func(s string) string { return strings.Replace(s, "AWS::KMS::Key", "AWS::KMS::ReplicaKey", 1) },
			[]string{"Data/Key (AWS::KMS::Key) STATEFUL: type changed"}},
		{"retain -> delete", func(s string) string {
			return strings.Replace(s, `"DeletionPolicy": "Retain", "Properties": {"EnableKeyRotation"`, `"DeletionPolicy": "Delete", "Properties": {"EnableKeyRotation"`, 1)
		}, []string{"Data/Key (AWS::KMS::Key) STATEFUL: policy weakened: DeletionPolicy: Retain -> Delete"}},
		{"retain -> retain except on create", func(s string) string {
			return strings.Replace(s, `"DeletionPolicy": "Retain", "UpdateReplacePolicy"`, `"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy"`, 1)
		}, nil},
		{"the database's snapshot policy removed", func(s string) string { return strings.Replace(s, `"DeletionPolicy": "Snapshot", `, ``, 1) }, nil},
		{"a subnet group name: the database follows", func(s string) string {
			return strings.Replace(s, `"Properties": {"SubnetIds"`, `"Properties": {"DBSubnetGroupName": "db", "SubnetIds"`, 1)
		}, []string{
			"Data/Db (AWS::RDS::DBInstance) STATEFUL: replaced: DBSubnetGroupName refers to Subnets, which is replaced",
			`Data/Subnets (AWS::RDS::DBSubnetGroup) STATEFUL: replaced: DBSubnetGroupName: (unset) -> "db"`,
		}},
		{"a stack gone", func(string) string { return `{"Resources": {}}` }, []string{"Db", "Key", "Subnets", "Table"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := compare(t, tc.change)
			if len(got) != len(tc.want) {
				t.Fatalf("changes:\n%s\nwant %d", strings.Join(got, "\n"), len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("change %d: %s\nwant it to say %q", i, got[i], w)
				}
			}
		})
	}
}

// Each change names the property that forces it.
func TestChangeNamesTheProperty(t *testing.T) {
	old := Templates{"Data": parse(t, data), "Network": parse(t, net)}
	for _, tc := range []struct {
		change string
		want   map[string]string // logical id -> property
	}{
		{strings.Replace(data, `"Forum"`, `"Forum2"`, 1), map[string]string{"Table": "TableName"}},
		{strings.Replace(data, `"DeletionPolicy": "Retain", "Properties": {"EnableKeyRotation"`, `"DeletionPolicy": "Delete", "Properties": {"EnableKeyRotation"`, 1),
			map[string]string{"Key": "DeletionPolicy"}},
		{strings.Replace(data, "AWS::KMS::Key", "AWS::KMS::ReplicaKey", 1), map[string]string{"Key": "Type"}},
		{strings.Replace(data, `"Properties": {"SubnetIds"`, `"Properties": {"DBSubnetGroupName": "db", "SubnetIds"`, 1),
			map[string]string{"Db": "DBSubnetGroupName", "Subnets": "DBSubnetGroupName"}},
		{strings.Replace(data, `"Table":`, `"Table2":`, 1), map[string]string{"Table": ""}},
	} {
		got := map[string]string{}
		for _, c := range Compare(old, Templates{"Data": parse(t, tc.change), "Network": parse(t, net)}) {
			got[c.LogicalID] = c.Property
		}
		if len(got) != len(tc.want) {
			t.Errorf("properties %v, want %v", got, tc.want)
		}
		for id, p := range tc.want {
			if got[id] != p {
				t.Errorf("%s: property %q, want %q", id, got[id], p)
			}
		}
	}
}

// A reference that moves from a weak one to an export of the same output is
// the same value: nothing is replaced.
func TestCrossStackReferencesCompareByValue(t *testing.T) {
	old := Templates{"Data": parse(t, data), "Network": parse(t, net)}
	exported := strings.Replace(net, `"Out1": {"Value": {"Ref": "Subnet"}}`, `"Out1": {"Value": {"Ref": "Subnet"}, "Export": {"Name": "net-subnet"}}`, 1)
	imported := strings.Replace(data, `{"Fn::GetStackOutput": {"StackName": "Network", "OutputName": "Out1"}}`, `{"Fn::ImportValue": "net-subnet"}`, 1)
	if got := Compare(old, Templates{"Data": parse(t, imported), "Network": parse(t, exported)}); len(got) != 0 {
		t.Errorf("changes %v, want none", got)
	}
	// ... while one that reads another output is a change.
	other := strings.Replace(exported, `{"Ref": "Subnet"}`, `"subnet-123"`, 1)
	imported = strings.Replace(imported, `"DBSubnetGroupName": {"Ref": "Subnets"}`, `"DBSubnetGroupName": {"Fn::GetStackOutput": {"StackName": "Network", "OutputName": "Out1"}}`, 1)
	if got := Compare(Templates{"Data": parse(t, imported), "Network": parse(t, exported)}, Templates{"Data": parse(t, imported), "Network": parse(t, other)}); len(got) != 1 || got[0].LogicalID != "Db" {
		t.Errorf("changes %v, want the database replaced", got)
	}
}

// The table is generated from the service spec; a few facts every reviewer
// knows keep it honest.
func TestSchema(t *testing.T) {
	for typ, prop := range map[string]string{
		"AWS::DynamoDB::Table":    "KeySchema",
		"AWS::RDS::DBInstance":    "StorageEncrypted",
		"AWS::EC2::Subnet":        "CidrBlock",
		"AWS::S3::Bucket":         "BucketName",
		"AWS::EC2::VPC":           "CidrBlock",
		"AWS::Logs::LogGroup":     "LogGroupName",
		"AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
	} {
		found := false
		for _, p := range schema[typ].Always {
			found = found || p == prop
		}
		if !found {
			t.Errorf("%s.%s does not replace the resource in schema.go", typ, prop)
		}
	}
	for _, p := range schema["AWS::Logs::LogGroup"].Always {
		if p == "RetentionInDays" {
			t.Error("a log group's retention replaces it in schema.go")
		}
	}
	for typ := range Stateful {
		if _, ok := schema[typ]; !ok {
			t.Errorf("stateful %s is not in schema.go: regenerate it", typ)
		}
	}
}

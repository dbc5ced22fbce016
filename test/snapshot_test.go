package test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSnapshots compares each synthesized template of every environment with
// its golden copy in testdata/, for review of whole-template change. Refresh deliberately with
//
//	go test ./test -run TestSnapshots -update
//
// and review the diff before committing it.
func TestSnapshots(t *testing.T) {
	if *update {
		refuseLosses(t)
	}
	for _, e := range synthAll().all {
		for _, s := range e.stacks {
			checkSnapshot(t, s)
		}
	}
}

func checkSnapshot(t *testing.T, s *stackOutput) {
	t.Helper()
	golden := filepath.Join("testdata", s.name+".template.json")
	if *update {
		must(t, "write "+golden, os.MkdirAll("testdata", 0o755))
		must(t, "write "+golden, os.WriteFile(golden, s.raw, 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	must(t, "read golden template (create it with -update)", err)
	if !bytes.Equal(want, s.raw) {
		t.Errorf("%s differs from %s. Review the change with\n  go test ./test -run TestSnapshots -update && git diff %s",
			s.name, golden, filepath.Join("test", golden))
	}
}

// TestLogicalIdsArePinned: a resource whose logical id changes is replaced by
// CloudFormation. For the VPC, its subnets, gateways and route tables that means
// an outage and every workload redeployed, so their ids must never move.
func TestLogicalIdsArePinned(t *testing.T) {
	s := stack(t, "Network")
	pinned := map[string]string{
		"NetworkVpcFAC8F4A5":                       "AWS::EC2::VPC",
		"NetworkInternetGatewayD8FF3F66":           "AWS::EC2::InternetGateway",
		"NetworkInternetGatewayAttachment4FEFFDBC": "AWS::EC2::VPCGatewayAttachment",
		"NetworkPublicSubnet13B56D098":             "AWS::EC2::Subnet",
		"NetworkPrivateSubnet1E8491189":            "AWS::EC2::Subnet",
		"NetworkPublicSubnet2E7B6D3F8":             "AWS::EC2::Subnet",
		"NetworkPrivateSubnet26BD46F8C":            "AWS::EC2::Subnet",
		"NetworkPublicSubnet1Eip619E9FF1":          "AWS::EC2::EIP",
		"NetworkPublicSubnet2EipE0E488FD":          "AWS::EC2::EIP",
		"NetworkPublicSubnet1NatGateway4B44EA80":   "AWS::EC2::NatGateway",
		"NetworkPublicSubnet2NatGatewayE8F1C691":   "AWS::EC2::NatGateway",
		"NetworkPublicSubnet1RouteTable2C3EAA41":   "AWS::EC2::RouteTable",
		"NetworkPrivateSubnet1RouteTable7DF91433":  "AWS::EC2::RouteTable",
		"NetworkPublicSubnet2RouteTable41F893FC":   "AWS::EC2::RouteTable",
		"NetworkPrivateSubnet2RouteTable11232014":  "AWS::EC2::RouteTable",
	}
	resources := s.json["Resources"].(map[string]any)
	for id, typ := range pinned {
		body, ok := resources[id].(map[string]any)
		if !ok {
			t.Errorf("%s (%s) is gone: its logical id changed, and deploying would replace it", id, typ)
		} else if body["Type"] != typ {
			t.Errorf("%s is a %v, want %s", id, body["Type"], typ)
		}
	}
}

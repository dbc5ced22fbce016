package consumer

import (
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/netcheck"
)

// synthesized once: the kernel boots once per test binary.
var (
	template assertions.Template
	outdir   string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "consumer-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A plain app: no context, no feature flags.
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	template = assertions.Template_FromStack(NewStack(app), nil)
	app.Synth(nil)
	outdir = dir
	code := m.Run()
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestThreeZones(t *testing.T) {
	subnets := template.FindResources(jsii.String("AWS::EC2::Subnet"), nil)
	zones := map[string]int{}
	for _, s := range *subnets {
		zones[fmt.Sprint((*s)["Properties"].(map[string]any)["AvailabilityZone"])]++
	}
	for _, z := range Zones {
		if zones[z] != 2 {
			t.Errorf("zone %s has %d subnets, want a public and a private one", z, zones[z])
		}
	}
	if n := len(*template.FindResources(jsii.String("AWS::EC2::NatGateway"), nil)); n != 3 {
		t.Errorf("%d NAT gateways, want one per zone", n)
	}
}

func TestDatabaseUnreachableFromTheInternet(t *testing.T) {
	model, err := netcheck.Load(outdir)
	if err != nil {
		t.Fatal(err)
	}
	for _, port := range []int{3306, 22} {
		if r := model.Check(netcheck.Internet, netcheck.RDS, port); r.Verdict != netcheck.VerdictBlock {
			t.Errorf("internet -> rds %d: %s, want block", port, r.Verdict)
		}
	}
	if r := model.Check(netcheck.Internet, netcheck.RDS, 3306); len(r.Paths) != 3 {
		t.Errorf("the database is placed in %d subnets, want the three private ones", len(r.Paths))
	}
}

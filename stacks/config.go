// Package stacks holds the environments of project-1 as typed Go, validates
// them, and composes the constructs into one awscdk.Stage per environment.
package stacks

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/project-1/project-1/constructs/network"
)

// Environment is everything that differs between deployments of project-1.
// Every field is required unless its comment says otherwise.
type Environment struct {
	// Name is the stage id: stacks are named "<Name>-Network" and so on.
	Name string
	// Account is the 12-digit AWS account to deploy to. Optional: when empty the
	// app takes CDK_DEFAULT_ACCOUNT, and when that is empty too the templates are
	// account-agnostic and deploy into whichever account the credentials name.
	Account string
	// Region is the AWS region, e.g. "us-east-1". The subnets' availability
	// zones must be in it; they are pinned there, so synthesis looks nothing up.
	Region string
	// Network is the VPC: CIDRs, subnets, NAT gateways, flow-log retention.
	Network network.VpcProps
}

// DefaultEnvironment is the environment `cdk synth` builds when no -c env=NAME is given.
const DefaultEnvironment = "project-1"

// Environments returns every environment, freshly built so callers may change them.
func Environments() []Environment {
	return []Environment{
		{
			Name:   DefaultEnvironment,
			Region: "us-east-1",
			Network: network.VpcProps{
				Name:                "project-1",
				Cidr:                "10.0.0.0/16",
				InternetGatewayName: "Project1-Gateway",
				Subnets: []network.Subnet{
					{Name: "Public Subnet 1", AvailabilityZone: "us-east-1a", Cidr: "10.0.1.0/24", Public: true},
					{Name: "Private Subnet 1", AvailabilityZone: "us-east-1a", Cidr: "10.0.2.0/24"},
					{Name: "Public Subnet 2", AvailabilityZone: "us-east-1b", Cidr: "10.0.3.0/24", Public: true},
					{Name: "Private Subnet 2", AvailabilityZone: "us-east-1b", Cidr: "10.0.4.0/24"},
				},
				NatGateways:          2,
				FlowLogRetentionDays: 365,
			},
		},
	}
}

// Lookup returns the environment called name, or an error that lists the known ones.
func Lookup(name string) (Environment, error) {
	var known []string
	for _, e := range Environments() {
		if e.Name == name {
			return e, nil
		}
		known = append(known, e.Name)
	}
	return Environment{}, fmt.Errorf("unknown environment %q; known environments: %s", name, strings.Join(known, ", "))
}

var (
	namePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,63}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
)

// Validate reports every problem of the environment, one per line, each naming
// the environment, the field and the value. Run it before building any construct.
func (e *Environment) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("environment %q: %s", e.Name, fmt.Sprintf(format, args...)))
	}
	if !namePattern.MatchString(e.Name) {
		bad("Name %q must start with a letter and hold only letters, digits and '-' (at most 64)", e.Name)
	}
	if e.Account != "" && !accountPattern.MatchString(e.Account) {
		bad("Account %q is not a 12-digit AWS account ID", e.Account)
	}
	if !regionPattern.MatchString(e.Region) {
		bad("Region %q is not an AWS region name like us-east-1", e.Region)
	} else {
		for i, s := range e.Network.Subnets {
			zone, ok := strings.CutPrefix(s.AvailabilityZone, e.Region)
			if s.AvailabilityZone != "" && (!ok || len(zone) != 1 || zone[0] < 'a' || zone[0] > 'z') {
				bad("Network.Subnets[%d].AvailabilityZone %q is not a zone of Region %q (%sa, %sb, ...)", i, s.AvailabilityZone, e.Region, e.Region, e.Region)
			}
		}
	}
	if err := e.Network.ValidateAs("Network."); err != nil {
		for line := range strings.SplitSeq(err.Error(), "\n") {
			bad("%s", line)
		}
	}
	return errors.Join(errs...)
}

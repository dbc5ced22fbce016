package network

import "github.com/project-1/project-1/constructs/network/netprops"

// VpcProps configures NewVpc; see netprops.VpcProps, where it is defined with
// no CDK import (cmd/preflight reads it without jsii).
type VpcProps = netprops.VpcProps

// Subnet is one subnet of VpcProps.Subnets; see netprops.Subnet.
type Subnet = netprops.Subnet

// DefaultVpcProps is the spec's network; see netprops.DefaultVpcProps.
func DefaultVpcProps() VpcProps { return netprops.DefaultVpcProps() }

// SpecLayout is the spec's subnet layout in 10.<second>.0.0/16 over zones;
// see netprops.SpecLayout.
func SpecLayout(second int, zones ...string) []Subnet { return netprops.SpecLayout(second, zones...) }

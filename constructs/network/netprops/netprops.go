// Package netprops is the network's configuration, VpcProps, and its
// validation, with no CDK import, so that configuration and the commands
// that read it (cmd/preflight) need no jsii. package network re-exports it.
package netprops

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/project-1/project-1/internal/validate"
)

// Subnet is one subnet of the VPC. Its CIDR is used exactly as given.
type Subnet struct {
	Name             string // Name tag, e.g. "Public Subnet 1"; unique within the VPC.
	AvailabilityZone string // e.g. "us-east-1a".
	Cidr             string // IPv4 block inside the VPC's, e.g. "10.0.1.0/24".
	Public           bool   // true: routes 0.0.0.0/0 to the internet gateway; false: to a NAT gateway.
}

// VpcProps configures Vpc. Zero values are not defaults: every field is
// required, and Validate says which one is wrong.
type VpcProps struct {
	// Name is the VPC's Name tag, e.g. "project-1".
	Name string
	// Cidr is the IPv4 block of the VPC, e.g. "10.0.0.0/16".
	Cidr string
	// InternetGatewayName is the internet gateway's Name tag, e.g. "Project1-Gateway".
	InternetGatewayName string
	// Subnets lists every subnet. Each availability zone used must hold exactly
	// one public and one private subnet, and at least two zones are required
	// (the load balancer and the database subnet group need two).
	Subnets []Subnet
	// NatGateways is how many NAT gateways to create, from 1 (one shared, cheapest)
	// to the number of public subnets (one per zone, highly available). They go
	// into the public subnets in the order of Subnets.
	NatGateways int
	// FlowLogRetentionDays is how long VPC flow logs are kept; it must be a value
	// CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653).
	FlowLogRetentionDays int
	// PublicAclRdpGap, optional: the public subnets' ACL admits the replies from
	// the internet on 1024-3388 and 3390-65535 and denies 3389, so no entry
	// admits RDP from 0.0.0.0/0, as AWS Control Tower's CT.EC2.PR.5 and
	// Security Hub's EC2.21 require; set it where an Organization enforces
	// them. The cost: a NAT gateway connection that happens to use source port
	// 3389 gets no reply and times out, about one in 64,512 (netcheck reports
	// NACL_EPHEMERAL_GAP). Default false: the whole range 1024-65535 comes back,
	// as AWS documents for NAT gateways, and the security groups block RDP.
	PublicAclRdpGap bool
}

// Minimum and maximum prefix lengths AWS accepts for a VPC or subnet IPv4 block.
const (
	minPrefix = 16
	maxPrefix = 28
	// maxZones is the most zones any region has; it also keeps the numbers of
	// per-subnet network ACL entries (Number+i) from running into the next rule.
	maxZones = 6
)

// Validate reports every problem of the props, one line each, naming the field
// and its value. It returns nil when NewVpc can build the props.
func (p *VpcProps) Validate() error { return p.ValidateAs("") }

// ValidateAs is Validate with every field name prefixed by prefix, for props
// that are part of a larger configuration (e.g. "Network.").
func (p *VpcProps) ValidateAs(prefix string) error {
	var problems validate.Problems
	if p.Name == "" {
		problems.Add("%sName is empty", prefix)
	}
	if p.InternetGatewayName == "" {
		problems.Add("%sInternetGatewayName is empty", prefix)
	}
	vpc, err := parseCidr(p.Cidr)
	if err != nil {
		problems.Add("%sCidr %q: %v", prefix, p.Cidr, err)
	}
	t := p.checkSubnets(prefix, vpc, &problems)
	if len(t.zones) < 2 || len(t.zones) > maxZones {
		problems.Add("%sSubnets span %d availability zone(s) %q; from 2 to %d are supported", prefix, len(t.zones), t.order, maxZones)
	}
	for _, name := range t.order {
		z := t.zones[name]
		if z.public != 1 || z.private != 1 {
			problems.Add("%sSubnets in availability zone %q: %d public and %d private; each zone needs exactly 1 of each", prefix, name, z.public, z.private)
		}
	}
	if p.NatGateways < 1 || p.NatGateways > t.public {
		problems.Add("%sNatGateways %d: must be from 1 (one shared) to %d (one per public subnet); private subnets need a NAT gateway for outbound traffic", prefix, p.NatGateways, t.public)
	}
	if err := validate.Retention(p.FlowLogRetentionDays); err != nil {
		problems.Add("%sFlowLogRetentionDays: %v", prefix, err)
	}
	return problems.Err()
}

// tally is what checkSubnets counts: the subnets of each zone, the zones in
// their order, and the public subnets.
type tally struct {
	zones  map[string]*struct{ public, private int }
	order  []string
	public int
}

// checkSubnets reports, subnet by subnet, an empty or repeated name, an
// empty zone, and a CIDR that does not parse, lies outside vpc or overlaps
// another subnet's; it counts the subnets of each zone.
func (p *VpcProps) checkSubnets(prefix string, vpc netip.Prefix, problems *validate.Problems) tally {
	t := tally{zones: map[string]*struct{ public, private int }{}}
	names := map[string]string{}
	var seen []cidrOf
	for i, s := range p.Subnets {
		field := fmt.Sprintf("%sSubnets[%d]", prefix, i)
		if s.Name == "" {
			problems.Add("%s.Name is empty", field)
		} else if first, dup := names[s.Name]; dup {
			problems.Add("%s.Name %q is already used by %s", field, s.Name, first)
		} else {
			names[s.Name] = field
		}
		if s.AvailabilityZone == "" {
			problems.Add("%s.AvailabilityZone is empty", field)
		} else {
			z, ok := t.zones[s.AvailabilityZone]
			if !ok {
				z = &struct{ public, private int }{}
				t.zones[s.AvailabilityZone] = z
				t.order = append(t.order, s.AvailabilityZone)
			}
			if s.Public {
				z.public++
			} else {
				z.private++
			}
		}
		if s.Public {
			t.public++
		}
		seen = checkCidr(field, s.Cidr, prefix, p.Cidr, vpc, seen, problems)
	}
	return t
}

// cidrOf is a subnet's parsed CIDR and the field it came from.
type cidrOf struct {
	field string
	block netip.Prefix
}

// checkCidr checks a subnet's CIDR against the VPC's and the subnets seen
// before it, and returns seen with it.
func checkCidr(field, cidr, prefix, vpcCidr string, vpc netip.Prefix, seen []cidrOf, problems *validate.Problems) []cidrOf {
	block, err := parseCidr(cidr)
	if err != nil {
		problems.Add("%s.Cidr %q: %v", field, cidr, err)
		return seen
	}
	if vpc.IsValid() && !(vpc.Contains(block.Addr()) && block.Bits() >= vpc.Bits()) {
		problems.Add("%s.Cidr %q is outside the VPC %sCidr %q", field, cidr, prefix, vpcCidr)
	}
	for _, other := range seen {
		if other.block.Overlaps(block) {
			problems.Add("%s.Cidr %q overlaps %s.Cidr %q", field, cidr, other.field, other.block)
		}
	}
	return append(seen, cidrOf{field, block})
}

// ValidateZones reports every subnet whose zone is not in region.
func (p *VpcProps) ValidateZones(region string) error {
	var problems validate.Problems
	for i, s := range p.Subnets {
		if s.AvailabilityZone == "" {
			continue // Validate reports it
		}
		if err := validate.Zone(s.AvailabilityZone, region); err != nil {
			problems.Add("Subnets[%d].AvailabilityZone %v, the stack's region", i, err)
		}
	}
	return problems.Err()
}

// DefaultVpcProps is the spec's network: the VPC 10.0.0.0/16 named
// "project-1", its four subnets in us-east-1a and us-east-1b (SpecLayout), the
// internet gateway "Project1-Gateway", a NAT gateway per zone, and a year of
// flow logs.
func DefaultVpcProps() VpcProps {
	return VpcProps{
		Name:                 "project-1",
		Cidr:                 "10.0.0.0/16",
		InternetGatewayName:  "Project1-Gateway",
		Subnets:              SpecLayout(0, "us-east-1a", "us-east-1b"),
		NatGateways:          2,
		FlowLogRetentionDays: 365,
	}
}

// SpecLayout is the spec's subnet layout in the VPC 10.<second>.0.0/16, over
// the given zones: for the zone i (from 0), "Public Subnet i+1" 10.<second>.<2i+1>.0/24
// and "Private Subnet i+1" 10.<second>.<2i+2>.0/24. With two zones it is the
// spec's four subnets; second must be from 0 to 255.
func SpecLayout(second int, zones ...string) []Subnet {
	var out []Subnet
	for i, zone := range zones {
		cidr := func(third int) string { return fmt.Sprintf("10.%d.%d.0/24", second, third) }
		out = append(out,
			Subnet{Name: fmt.Sprintf("Public Subnet %d", i+1), AvailabilityZone: zone, Cidr: cidr(2*i + 1), Public: true},
			Subnet{Name: fmt.Sprintf("Private Subnet %d", i+1), AvailabilityZone: zone, Cidr: cidr(2*i + 2)},
		)
	}
	return out
}

// parseCidr accepts a canonical IPv4 block with a prefix length AWS allows.
func parseCidr(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil:
		return netip.Prefix{}, errors.New("not an IPv4 CIDR block like 10.0.0.0/16")
	case !p.Addr().Is4():
		return netip.Prefix{}, errors.New("not an IPv4 block")
	case p.Masked() != p:
		return netip.Prefix{}, fmt.Errorf("host bits are set; did you mean %q?", p.Masked())
	case p.Bits() < minPrefix || p.Bits() > maxPrefix:
		return netip.Prefix{}, fmt.Errorf("prefix length /%d is outside /%d to /%d, the sizes AWS allows", p.Bits(), minPrefix, maxPrefix)
	}
	return p, nil
}

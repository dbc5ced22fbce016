package netcheck

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Model is the network read from an assembly: VPCs, subnets, routes, gateways,
// network ACLs, security groups and where each endpoint's resources sit. It is
// read-only after construction and safe for concurrent use.
type Model struct {
	vpcs       []*vpc
	subnets    []*subnet
	placements map[Endpoint][]*placement
	notes      []string
}

type vpc struct {
	key, name string
	cidr      netip.Prefix
	igws      []*igw    // attached internet gateways
	defaultSG *secGroup // the VPC's default security group, for resources that name none
}

type igw struct {
	key, name string
	attached  map[*vpc]bool
}

type subnet struct {
	key, name   string
	vpc         *vpc
	cidr        netip.Prefix
	az          string
	mapPublicIP bool
	rt          *routeTable // nil: the VPC's main route table (local route only)
	acl         *nacl       // nil: the VPC's default network ACL (allows everything)
}

type routeTable struct {
	key, name string
	routes    []*route
}

type route struct {
	key   string // the AWS::EC2::Route's "stack/logicalId"
	desc  string // what a Grant says of it
	dest  netip.Prefix
	igw   *igw        // set for a route to an internet gateway
	nat   *natGateway // set for a route to a NAT gateway
	other string      // describes any other target, which netcheck does not follow
}

type natGateway struct {
	key, name string
	subnet    *subnet
	public    bool // has an Elastic IP (connectivity type public)
}

// nacl is a network ACL; entries are sorted by rule number per direction.
type nacl struct {
	key, name string
	inbound   []naclEntry
	outbound  []naclEntry
}

type naclEntry struct {
	key      string // the AWS::EC2::NetworkAclEntry's "stack/logicalId"
	desc     string // what a Grant says of it
	number   int
	allow    bool
	protocol int // -1 all, 6 TCP, others never match TCP
	cidr     netip.Prefix
	from, to int
}

type secGroup struct {
	key, name     string
	ingress       []sgRule
	egress        []sgRule
	defaultEgress bool // allow-all egress: the group declares no inline egress rule
}

// sgRule allows TCP on ports from..to (all protocols and ports when all is
// set) to or from a CIDR block or the members of a security group.
type sgRule struct {
	key      string // the standalone rule's "stack/logicalId", or the group's for an inline rule
	index    int    // 1-based position of an inline rule in its group's list; 0 standalone
	desc     string // what a Grant says of it
	all      bool
	from, to int
	cidr     netip.Prefix // valid when the peer is an address block
	group    *secGroup    // set when the peer is a security group
}

// placement is one resource of an endpoint in one subnet: an ALB's node in a
// subnet, an Auto Scaling group's instances in one of its subnets, a DB
// instance in one subnet of its subnet group, a NAT gateway.
type placement struct {
	endpoint Endpoint
	name     string // e.g. "WebAsg in PrivateSubnet1 (us-east-1a)"
	key      string // the resource's "stack/logicalId"
	subnet   *subnet
	addr     netip.Addr
	groups   []*secGroup // empty: no security group applies (NAT gateway, NLB without groups)
	public   bool        // has a public IPv4 address
	nat      *natGateway // for the nat endpoint
}

// internet is the placement of the Internet endpoint.
var internet = &placement{endpoint: Internet, name: "internet (" + InternetAddress + ")", addr: internetAddr}

// FromTemplates builds the model of one network from parsed CloudFormation
// templates keyed by stack name, as LoadTemplates returns them: every stack is
// part of it, so pass the stacks of one stage (see LoadStages).
// Fn::ImportValue and Fn::GetStackOutput resolve across all of them; the
// stacks' regions are unknown, so a Region of Fn::GetStackOutput is not
// checked.
func FromTemplates(templates Templates) (*Model, error) {
	return build(templates, nil, nil)
}

// build models the stacks of scope (nil: every stack) as one network;
// references resolve across all templates. regions gives the region of the
// stacks whose region is known.
func build(templates map[string]map[string]any, regions map[string]string, scope map[string]bool) (*Model, error) {
	ix, err := newIndex(templates, regions, scope)
	if err != nil {
		return nil, err
	}
	return buildIndexed(ix), nil
}

// buildIndexed models the stacks of ix's scope as one network.
func buildIndexed(ix *index) *Model {
	b := &builder{
		ix:      ix,
		m:       &Model{placements: map[Endpoint][]*placement{}},
		vpcs:    map[*resource]*vpc{},
		igws:    map[*resource]*igw{},
		subnets: map[*resource]*subnet{},
		nats:    map[*resource]*natGateway{},
		rts:     map[*resource]*routeTable{},
		acls:    map[*resource]*nacl{},
		sgs:     map[*resource]*secGroup{},
	}
	b.network()
	b.securityGroups()
	b.workloads()
	b.m.notes = ix.notes
	return b.m
}

// Empty reports whether the model holds no VPC and places no resource of any
// endpoint: stacks without a network, such as a delivery pipeline's, have
// nothing to check.
func (m *Model) Empty() bool {
	if len(m.vpcs) > 0 {
		return false
	}
	for _, ps := range m.placements {
		if len(ps) > 0 {
			return false
		}
	}
	return true
}

// Notes lists what the model could not read or models only in part:
// unresolved references, unsupported targets, and groups that keep
// CloudFormation's allow-all egress beside standalone egress rules.
func (m *Model) Notes() []string { return append([]string(nil), m.notes...) }

// Placements lists, by name, where an endpoint's resources sit.
func (m *Model) Placements(e Endpoint) []string {
	if e == Internet {
		return []string{internet.name}
	}
	var out []string
	for _, p := range m.placements[e] {
		out = append(out, p.name)
	}
	return out
}

type builder struct {
	ix      *index
	m       *Model
	vpcs    map[*resource]*vpc
	igws    map[*resource]*igw
	subnets map[*resource]*subnet
	nats    map[*resource]*natGateway
	rts     map[*resource]*routeTable
	acls    map[*resource]*nacl
	sgs     map[*resource]*secGroup
}

func (b *builder) each(typ string, f func(r *resource)) {
	for _, r := range b.ix.byType[typ] {
		f(r)
	}
}

func (b *builder) vpcOf(r *resource, prop string) *vpc {
	return b.vpcs[b.ix.target(r.prop(prop))]
}

func (b *builder) subnetOf(v value) *subnet {
	return b.subnets[b.ix.target(v)]
}

func (b *builder) network() {
	ix := b.ix
	b.each("AWS::EC2::VPC", func(r *resource) {
		cidr, ok := ix.prefix(r.prop("CidrBlock"))
		if !ok {
			ix.note("%s: VPC CidrBlock (%s) is not a literal IPv4 block: VPC ignored", r.key, describe(r.prop("CidrBlock")))
			return
		}
		v := &vpc{key: r.key, name: ix.name(r), cidr: cidr}
		v.defaultSG = &secGroup{key: r.key + "#DefaultSecurityGroup", name: v.name + " default security group", defaultEgress: true}
		v.defaultSG.ingress = []sgRule{{all: true, group: v.defaultSG}}
		b.vpcs[r] = v
		b.m.vpcs = append(b.m.vpcs, v)
	})
	b.each("AWS::EC2::InternetGateway", func(r *resource) {
		b.igws[r] = &igw{key: r.key, name: ix.name(r), attached: map[*vpc]bool{}}
	})
	b.each("AWS::EC2::VPCGatewayAttachment", func(r *resource) {
		g, v := b.igws[ix.target(r.prop("InternetGatewayId"))], b.vpcOf(r, "VpcId")
		if g != nil && v != nil {
			g.attached[v] = true
			v.igws = append(v.igws, g)
		}
	})
	b.each("AWS::EC2::Subnet", func(r *resource) {
		v := b.vpcOf(r, "VpcId")
		if v == nil {
			ix.note("%s: subnet VpcId does not resolve to a VPC of the assembly: subnet ignored", r.key)
			return
		}
		cidr, ok := ix.prefix(r.prop("CidrBlock"))
		if !ok {
			ix.note("%s: subnet CidrBlock (%s) is not a literal IPv4 block: subnet ignored", r.key, describe(r.prop("CidrBlock")))
			return
		}
		if !v.cidr.Contains(cidr.Addr()) || cidr.Bits() < v.cidr.Bits() {
			ix.note("%s: subnet %s is outside its VPC's %s", r.key, cidr, v.cidr)
		}
		az, ok := ix.str(r.prop("AvailabilityZone"))
		if !ok {
			az = "?"
		}
		public, _ := ix.flag(r.prop("MapPublicIpOnLaunch"))
		s := &subnet{key: r.key, name: ix.name(r), vpc: v, cidr: cidr, az: az, mapPublicIP: public}
		b.subnets[r] = s
		b.m.subnets = append(b.m.subnets, s)
	})
	b.each("AWS::EC2::NatGateway", func(r *resource) {
		s := b.subnetOf(r.prop("SubnetId"))
		if s == nil {
			ix.note("%s: NAT gateway SubnetId does not resolve to a subnet: gateway ignored", r.key)
			return
		}
		ct, _ := ix.str(r.prop("ConnectivityType"))
		n := &natGateway{key: r.key, name: ix.name(r), subnet: s,
			public: ct != "private" && !r.prop("AllocationId").absent()}
		b.nats[r] = n
		b.m.placements[NAT] = append(b.m.placements[NAT], &placement{
			endpoint: NAT, name: n.name + " in " + s.label(), key: r.key, subnet: s,
			addr: s.host(NAT, 0), public: n.public, nat: n,
		})
	})
	b.each("AWS::EC2::RouteTable", func(r *resource) {
		b.rts[r] = &routeTable{key: r.key, name: ix.name(r)}
	})
	b.each("AWS::EC2::Route", func(r *resource) {
		rt := b.rts[ix.target(r.prop("RouteTableId"))]
		if rt == nil {
			ix.note("%s: route's RouteTableId does not resolve to a route table: route ignored", r.key)
			return
		}
		dest, ok := ix.prefix(r.prop("DestinationCidrBlock"))
		if !ok {
			if r.prop("DestinationCidrBlock").absent() {
				return // an IPv6 or prefix-list route: never matches an IPv4 address
			}
			ix.note("%s: route DestinationCidrBlock (%s) is not a literal: route ignored", r.key, describe(r.prop("DestinationCidrBlock")))
			return
		}
		rr := &route{key: r.key, dest: dest}
		if t := ix.target(r.prop("GatewayId")); t != nil && t.typ == "AWS::EC2::InternetGateway" {
			rr.igw = b.igws[t]
		} else if n := b.nats[ix.target(r.prop("NatGatewayId"))]; n != nil {
			rr.nat = n
		} else {
			rr.other = routeTarget(r)
		}
		rr.desc = fmt.Sprintf("route table %s: %s -> %s", rt.name, dest, rr.targetName())
		rt.routes = append(rt.routes, rr)
	})
	b.each("AWS::EC2::SubnetRouteTableAssociation", func(r *resource) {
		s, rt := b.subnetOf(r.prop("SubnetId")), b.rts[ix.target(r.prop("RouteTableId"))]
		if s == nil || rt == nil {
			ix.note("%s: route table association does not resolve to a subnet and a route table: ignored", r.key)
			return
		}
		if s.rt != nil && s.rt != rt {
			ix.note("%s: subnet %s is associated with two route tables; using %s", r.key, s.name, rt.name)
		}
		s.rt = rt
	})
	b.each("AWS::EC2::NetworkAcl", func(r *resource) {
		b.acls[r] = &nacl{key: r.key, name: ix.name(r)}
	})
	b.each("AWS::EC2::NetworkAclEntry", b.naclEntry)
	for _, a := range b.acls {
		for _, es := range [][]naclEntry{a.inbound, a.outbound} {
			sort.SliceStable(es, func(i, j int) bool { return es[i].number < es[j].number })
		}
	}
	b.each("AWS::EC2::SubnetNetworkAclAssociation", func(r *resource) {
		s, a := b.subnetOf(r.prop("SubnetId")), b.acls[ix.target(r.prop("NetworkAclId"))]
		if s == nil || a == nil {
			ix.note("%s: network ACL association does not resolve to a subnet and an ACL: ignored", r.key)
			return
		}
		if s.acl != nil && s.acl != a {
			ix.note("%s: subnet %s is associated with two network ACLs; using %s", r.key, s.name, a.name)
		}
		s.acl = a
	})
}

// routeTarget describes a route target netcheck does not follow.
func routeTarget(r *resource) string {
	for _, p := range []string{"GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId",
		"NetworkInterfaceId", "InstanceId", "VpcEndpointId", "EgressOnlyInternetGatewayId",
		"CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"} {
		if !r.prop(p).absent() {
			return p + " " + describe(r.prop(p))
		}
	}
	return "no target"
}

func (b *builder) naclEntry(r *resource) {
	ix := b.ix
	a := b.acls[ix.target(r.prop("NetworkAclId"))]
	if a == nil {
		ix.note("%s: NetworkAclId does not resolve to a network ACL: entry ignored", r.key)
		return
	}
	num, ok := ix.num(r.prop("RuleNumber"))
	proto, ok2 := ix.num(r.prop("Protocol"))
	action, ok3 := ix.str(r.prop("RuleAction"))
	if !ok || !ok2 || !ok3 {
		ix.note("%s: RuleNumber, Protocol or RuleAction is not a literal: entry ignored", r.key)
		return
	}
	cidr, ok := ix.prefix(r.prop("CidrBlock"))
	if !ok {
		if !r.prop("CidrBlock").absent() {
			ix.note("%s: CidrBlock (%s) is not a literal: entry ignored", r.key, describe(r.prop("CidrBlock")))
		}
		return // an IPv6 entry never matches an IPv4 address
	}
	e := naclEntry{key: r.key, number: num, allow: strings.EqualFold(action, "allow"), protocol: proto, cidr: cidr, from: 0, to: 65535}
	if pr := r.prop("PortRange"); !pr.absent() {
		from, ok := ix.num(pr.field("From"))
		to, ok2 := ix.num(pr.field("To"))
		if !ok || !ok2 {
			ix.note("%s: PortRange is not literal: entry ignored", r.key)
			return
		}
		e.from, e.to = from, to
	}
	egress, _ := ix.flag(r.prop("Egress"))
	dir, prep := Inbound, "from"
	if egress {
		dir, prep = Outbound, "to"
	}
	what := "all traffic"
	switch {
	case proto == 6:
		what = "TCP " + portRange(e.from, e.to)
	case proto != -1:
		what = fmt.Sprintf("protocol %d", proto)
	}
	e.desc = fmt.Sprintf("network ACL %s %s rule %d: %s %s %s %s", a.name, dir, num, strings.ToLower(action), what, prep, cidr)
	if egress {
		a.outbound = append(a.outbound, e)
	} else {
		a.inbound = append(a.inbound, e)
	}
}

func (b *builder) securityGroups() {
	ix := b.ix
	b.each("AWS::EC2::SecurityGroup", func(r *resource) {
		b.sgs[r] = &secGroup{key: r.key, name: ix.name(r)}
	})
	b.each("AWS::EC2::SecurityGroup", func(r *resource) {
		g := b.sgs[r]
		for i, rule := range ix.list(r.prop("SecurityGroupIngress")) {
			b.addRule(r, g, rule, false, i+1)
		}
		egress := ix.list(r.prop("SecurityGroupEgress"))
		// CloudFormation adds allow-all egress to a group created without
		// inline egress rules; standalone egress resources do not remove it.
		g.defaultEgress = len(egress) == 0
		for i, rule := range egress {
			b.addRule(r, g, rule, true, i+1)
		}
	})
	for _, kind := range []struct {
		typ    string
		egress bool
	}{{"AWS::EC2::SecurityGroupIngress", false}, {"AWS::EC2::SecurityGroupEgress", true}} {
		b.each(kind.typ, func(r *resource) {
			g := b.sgs[ix.target(r.prop("GroupId"))]
			if g == nil {
				ix.note("%s: GroupId does not resolve to a security group of the assembly: rule ignored", r.key)
				return
			}
			b.addRule(r, g, value{r.stack, r.props}, kind.egress, 0)
			if kind.egress && g.defaultEgress {
				ix.note("%s: security group %s declares no inline SecurityGroupEgress, so CloudFormation gives it allow-all egress; its standalone AWS::EC2::SecurityGroupEgress rules do not narrow it",
					g.key, g.name)
			}
		})
	}
}

// addRule adds an inline rule (index, from 1) or a standalone one (index 0)
// to g: both use the same property names.
func (b *builder) addRule(owner *resource, g *secGroup, rule value, egress bool, index int) {
	ix := b.ix
	proto, _ := ix.str(rule.field("IpProtocol"))
	if n, ok := ix.num(rule.field("IpProtocol")); ok {
		proto = fmt.Sprint(n)
	}
	sr := sgRule{key: owner.key, index: index}
	switch strings.ToLower(proto) {
	case "-1", "all":
		sr.all = true
	case "tcp", "6":
		sr.from, sr.to = 0, 65535
		from, okf := ix.num(rule.field("FromPort"))
		to, okt := ix.num(rule.field("ToPort"))
		if okf && from >= 0 {
			sr.from = from
		}
		if okt && to >= 0 {
			sr.to = to
		}
	default:
		return // ICMP, UDP, ...: never matches TCP (CDK's "no egress" marker is ICMP)
	}
	peerCIDR, peerGroup := "CidrIp", "SourceSecurityGroupId"
	if egress {
		peerGroup = "DestinationSecurityGroupId"
	}
	switch {
	case !rule.field(peerCIDR).absent():
		cidr, ok := ix.prefix(rule.field(peerCIDR))
		if !ok {
			ix.note("%s: security group rule CidrIp (%s) is not a literal: rule ignored", owner.key, describe(rule.field(peerCIDR)))
			return
		}
		sr.cidr = cidr
	case !rule.field(peerGroup).absent():
		sr.group = b.sgs[ix.target(rule.field(peerGroup))]
		if sr.group == nil {
			ix.note("%s: security group rule %s does not resolve to a group of the assembly: rule ignored", owner.key, peerGroup)
			return
		}
	default:
		return // IPv6 or prefix-list peers never match the IPv4 addresses netcheck uses
	}
	dir, prep, peer := "ingress", "from", sr.cidr.String()
	if egress {
		dir, prep = "egress", "to"
	}
	if sr.group != nil {
		peer = "security group " + sr.group.name
	}
	what := "all traffic"
	if !sr.all {
		what = "TCP " + portRange(sr.from, sr.to)
	}
	where := ix.name(owner)
	if index > 0 {
		where = fmt.Sprintf("inline rule %d", index)
	}
	sr.desc = fmt.Sprintf("security group %s %s (%s): %s %s %s", g.name, dir, where, what, prep, peer)
	if egress {
		g.egress = append(g.egress, sr)
	} else {
		g.ingress = append(g.ingress, sr)
	}
}

// portRange shows a port range: "80", "1024-65535".
func portRange(from, to int) string {
	if from == to {
		return fmt.Sprint(from)
	}
	return fmt.Sprintf("%d-%d", from, to)
}

// label names a subnet with its zone.
func (s *subnet) label() string { return s.name + " (" + s.az + ")" }

// host returns the representative private address of an endpoint's i-th
// resource in s: .10 for alb, .20 web, .30 rds, .40 nat, plus i, wrapped past
// the four addresses AWS reserves when the subnet is too small.
func (s *subnet) host(e Endpoint, i int) netip.Addr {
	size := 1 << (32 - s.cidr.Bits())
	usable := size - 5 // four reserved at the start, broadcast at the end
	if usable < 1 {
		return s.cidr.Addr()
	}
	off := 10*endpointIndex(e) + i
	if off < 4 || off > size-2 {
		off = 4 + off%usable
	}
	a := s.cidr.Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n += uint32(off)
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// workloads places load balancers, instances and databases.
func (b *builder) workloads() {
	ix := b.ix
	counts := map[Endpoint]int{}
	place := func(e Endpoint, r *resource, subnets []*subnet, groups []*secGroup, public func(*subnet) bool) {
		if len(subnets) == 0 {
			ix.note("%s: no subnet of the assembly resolves for this %s resource: not placed", r.key, e)
			return
		}
		for _, s := range subnets {
			b.m.placements[e] = append(b.m.placements[e], &placement{
				endpoint: e, name: ix.name(r) + " in " + s.label(), key: r.key, subnet: s,
				addr: s.host(e, counts[e]), groups: groups, public: public(s),
			})
		}
		counts[e]++
	}

	b.each("AWS::ElasticLoadBalancingV2::LoadBalancer", func(r *resource) {
		subnets := b.subnetList(r.prop("Subnets"))
		for _, m := range ix.list(r.prop("SubnetMappings")) {
			if s := b.subnetOf(m.field("SubnetId")); s != nil {
				subnets = append(subnets, s)
			}
		}
		scheme, ok := ix.str(r.prop("Scheme"))
		public := !ok || scheme == "internet-facing" // CloudFormation's default
		typ, _ := ix.str(r.prop("Type"))
		groups := b.groupList(r.prop("SecurityGroups"))
		if len(groups) == 0 && typ != "network" && typ != "gateway" && len(subnets) > 0 {
			groups = []*secGroup{subnets[0].vpc.defaultSG}
		}
		place(ALB, r, subnets, groups, func(*subnet) bool { return public })
	})

	b.each("AWS::AutoScaling::AutoScalingGroup", func(r *resource) {
		subnets := b.subnetList(r.prop("VPCZoneIdentifier"))
		groups, assoc, assocSet := b.launchSettings(r)
		if len(groups) == 0 && len(subnets) > 0 {
			groups = []*secGroup{subnets[0].vpc.defaultSG}
		}
		place(Web, r, subnets, groups, func(s *subnet) bool {
			if assocSet {
				return assoc
			}
			return s.mapPublicIP
		})
	})

	eipInstances := map[*resource]bool{}
	for _, typ := range []string{"AWS::EC2::EIP", "AWS::EC2::EIPAssociation"} {
		b.each(typ, func(r *resource) {
			if t := ix.target(r.prop("InstanceId")); t != nil {
				eipInstances[t] = true
			}
		})
	}
	b.each("AWS::EC2::Instance", func(r *resource) {
		s := b.subnetOf(r.prop("SubnetId"))
		groups := b.groupList(r.prop("SecurityGroupIds"))
		assoc, assocSet := false, false
		for _, ni := range ix.list(r.prop("NetworkInterfaces")) {
			if i, ok := ix.num(ni.field("DeviceIndex")); ok && i != 0 {
				continue
			}
			if s == nil {
				s = b.subnetOf(ni.field("SubnetId"))
			}
			groups = append(groups, b.groupList(ni.field("GroupSet"))...)
			assoc, assocSet = ix.flag(ni.field("AssociatePublicIpAddress"))
		}
		var subnets []*subnet
		if s != nil {
			subnets = []*subnet{s}
			if len(groups) == 0 {
				groups = []*secGroup{s.vpc.defaultSG}
			}
		}
		place(Web, r, subnets, groups, func(s *subnet) bool {
			if eipInstances[r] {
				return true
			}
			if assocSet {
				return assoc
			}
			return s.mapPublicIP
		})
	})

	b.each("AWS::RDS::DBInstance", func(r *resource) {
		sg := b.dbSubnetGroup(r.prop("DBSubnetGroupName"))
		if sg == nil {
			ix.note("%s: DBSubnetGroupName does not resolve to a DB subnet group of the assembly: not placed", r.key)
			return
		}
		subnets := b.subnetList(sg.prop("SubnetIds"))
		if az, ok := ix.str(r.prop("AvailabilityZone")); ok {
			var inZone []*subnet
			for _, s := range subnets {
				if s.az == az {
					inZone = append(inZone, s)
				}
			}
			if len(inZone) > 0 {
				subnets = inZone
			}
		}
		groups := b.groupList(r.prop("VPCSecurityGroups"))
		if len(groups) == 0 && len(subnets) > 0 {
			groups = []*secGroup{subnets[0].vpc.defaultSG}
		}
		public, set := ix.flag(r.prop("PubliclyAccessible"))
		place(RDS, r, subnets, groups, func(s *subnet) bool {
			if set {
				return public
			}
			// RDS: with a subnet group and no PubliclyAccessible, the
			// instance is public when the VPC has an internet gateway.
			return len(s.vpc.igws) > 0
		})
	})
}

func (b *builder) subnetList(v value) []*subnet {
	var out []*subnet
	for _, e := range b.ix.list(v) {
		if s := b.subnetOf(e); s != nil {
			out = append(out, s)
		} else {
			b.ix.note("%s: subnet reference (%s) does not resolve to a subnet of the assembly: ignored", v.stack, describe(e))
		}
	}
	return out
}

func (b *builder) groupList(v value) []*secGroup {
	var out []*secGroup
	for _, e := range b.ix.list(v) {
		if g := b.sgs[b.ix.target(e)]; g != nil {
			out = append(out, g)
		} else {
			b.ix.note("%s: security group reference (%s) does not resolve to a group of the assembly: ignored", v.stack, describe(e))
		}
	}
	return out
}

// launchSettings returns the security groups and public-IP setting of an
// Auto Scaling group's launch template or launch configuration.
func (b *builder) launchSettings(asg *resource) (groups []*secGroup, assoc, assocSet bool) {
	ix := b.ix
	spec := asg.prop("LaunchTemplate")
	if spec.absent() {
		spec = asg.prop("MixedInstancesPolicy").field("LaunchTemplate").field("LaunchTemplateSpecification")
	}
	if !spec.absent() {
		lt := b.launchTemplate(spec)
		if lt == nil {
			ix.note("%s: launch template does not resolve to an AWS::EC2::LaunchTemplate of the assembly", asg.key)
			return nil, false, false
		}
		data := lt.prop("LaunchTemplateData")
		groups = b.groupList(data.field("SecurityGroupIds"))
		for _, ni := range ix.list(data.field("NetworkInterfaces")) {
			if i, ok := ix.num(ni.field("DeviceIndex")); ok && i != 0 {
				continue
			}
			groups = append(groups, b.groupList(ni.field("Groups"))...)
			assoc, assocSet = ix.flag(ni.field("AssociatePublicIpAddress"))
		}
		return groups, assoc, assocSet
	}
	if lc := ix.target(asg.prop("LaunchConfigurationName")); lc != nil {
		assoc, assocSet = ix.flag(lc.prop("AssociatePublicIpAddress"))
		return b.groupList(lc.prop("SecurityGroups")), assoc, assocSet
	}
	ix.note("%s: Auto Scaling group names no launch template or configuration of the assembly", asg.key)
	return nil, false, false
}

// launchTemplate resolves a launch template specification by id or name.
func (b *builder) launchTemplate(spec value) *resource {
	if lt := b.ix.target(spec.field("LaunchTemplateId")); lt != nil {
		return lt
	}
	if lt := b.ix.target(spec.field("LaunchTemplateName")); lt != nil {
		return lt
	}
	if name, ok := b.ix.str(spec.field("LaunchTemplateName")); ok {
		for _, lt := range b.ix.byType["AWS::EC2::LaunchTemplate"] {
			if n, ok := b.ix.str(lt.prop("LaunchTemplateName")); ok && n == name {
				return lt
			}
		}
	}
	return nil
}

// dbSubnetGroup resolves DBSubnetGroupName: a Ref to the group, or its
// literal name (RDS stores names in lower case).
func (b *builder) dbSubnetGroup(v value) *resource {
	if r := b.ix.target(v); r != nil && r.typ == "AWS::RDS::DBSubnetGroup" {
		return r
	}
	name, ok := b.ix.str(v)
	if !ok {
		return nil
	}
	for _, r := range b.ix.byType["AWS::RDS::DBSubnetGroup"] {
		if n, ok := b.ix.str(r.prop("DBSubnetGroupName")); ok && strings.EqualFold(n, name) {
			return r
		}
	}
	return nil
}

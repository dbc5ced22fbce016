package netcheck

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Endpoint is a class of traffic endpoint. Every resource of the class is a
// source or destination of the flows that name it.
type Endpoint string

// The endpoints netcheck knows.
const (
	Internet Endpoint = "internet" // any address outside the VPC, reached through an internet gateway
	ALB      Endpoint = "alb"      // every AWS::ElasticLoadBalancingV2::LoadBalancer
	Web      Endpoint = "web"      // every AWS::AutoScaling::AutoScalingGroup and AWS::EC2::Instance
	RDS      Endpoint = "rds"      // every AWS::RDS::DBInstance
	NAT      Endpoint = "nat"      // every AWS::EC2::NatGateway
)

var endpoints = []Endpoint{Internet, ALB, Web, RDS, NAT}

// Endpoints lists every endpoint, in report order.
func Endpoints() []Endpoint { return append([]Endpoint(nil), endpoints...) }

func endpointIndex(e Endpoint) int {
	for i, x := range endpoints {
		if x == e {
			return i
		}
	}
	return len(endpoints)
}

var endpointAliases = map[string]Endpoint{
	"internet": Internet, "alb": ALB, "web": Web, "rds": RDS, "nat": NAT,
	"lb": ALB, "ec2": Web, "db": RDS, "database": RDS,
}

// ParseEndpoint reads an endpoint name, case-insensitively; ec2, lb, db and
// database are accepted as aliases.
func ParseEndpoint(s string) (Endpoint, error) {
	if e, ok := endpointAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return e, nil
	}
	return "", fmt.Errorf("unknown endpoint %q (want internet, alb, web, rds or nat)", s)
}

const (
	// InternetAddress is the address that stands for the internet. NACL and
	// security-group rules are evaluated against it, so a rule naming a
	// narrower public block than 0.0.0.0/0 is judged by this one address.
	InternetAddress = "198.51.100.10"
	// EphemeralPort stands for the client-side port of every reply (the
	// range 1024-65535 that NACLs must allow back): it is in the range Linux,
	// Windows and NAT gateways all use. A reply a NACL denies on this port is
	// denied (NACL_DENY); one it allows here but denies on other ports of the
	// client's EphemeralRange is dropped now and then (NACL_EPHEMERAL_GAP).
	EphemeralPort = 49152
)

// PortRange is an inclusive range of TCP ports.
type PortRange struct{ From, To int }

// String is "FROM-TO", or the port alone.
func (r PortRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// Len is how many ports the range holds.
func (r PortRange) Len() int { return r.To - r.From + 1 }

// EphemeralRange is the range of local ports a client of endpoint e opens its
// connections from, on which the replies come back, so the ports a network
// ACL must let every reply to it through on:
//
//   - nat, alb: 1024-65535, what AWS documents for NAT gateways and Elastic
//     Load Balancing;
//   - internet: 1024-65535, as a client may run any system;
//   - web: 32768-60999, the Linux kernel's default (net.ipv4.ip_local_port_range),
//     which Amazon Linux keeps; a Windows tier uses 49152-65535;
//   - rds: 1024-65535, not known (a database opens no connection in the spec).
func EphemeralRange(e Endpoint) PortRange {
	if e == Web {
		return PortRange{32768, 60999}
	}
	return PortRange{1024, 65535}
}

var internetAddr = netip.MustParseAddr(InternetAddress)

// Code classifies why a path is blocked, after VPC Reachability Analyzer's
// explanation codes.
type Code string

// The reasons a path can be blocked.
const (
	NoEndpoint      Code = "NO_ENDPOINT"       // the assembly holds no resource of the endpoint
	InvalidFlow     Code = "INVALID_FLOW"      // internet to internet, or a port outside 1-65535
	NoRoute         Code = "NO_ROUTE"          // no route, or a route to the wrong target, for the request or its reply
	IGWNotAttached  Code = "IGW_NOT_ATTACHED"  // a route names an internet gateway not attached to the VPC
	NoPublicAddress Code = "NO_PUBLIC_ADDRESS" // the internet cannot address it, or it cannot use the internet gateway
	NACLDeny        Code = "NACL_DENY"         // a network ACL rule, or its implicit deny, drops the request or reply
	// NACLEphemeralGap: a network ACL rule, or its implicit deny, drops the
	// replies on part of the client's ephemeral range (EphemeralRange). The
	// connection opens, except when the client happens to pick one of those
	// ports: it fails at random, now and then. The only reason of an
	// intermittent path; never reported beside the reasons of a blocked one.
	NACLEphemeralGap Code = "NACL_EPHEMERAL_GAP"
	SGNoIngress      Code = "SG_NO_INGRESS"     // no ingress rule of the destination's security groups allows it
	SGNoEgress       Code = "SG_NO_EGRESS"      // no egress rule of the source's security groups allows it
	NATInbound       Code = "NAT_INBOUND"       // NAT gateways accept no new inbound connections
	NATOutboundOnly  Code = "NAT_OUTBOUND_ONLY" // NAT gateways open no connections into the VPC
)

// Direction is the side of a NACL or security group a reason concerns.
type Direction string

// The two directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Reason is one cause of a blocked path.
type Reason struct {
	Code Code
	// Resource is the "stack/logicalId" of what decides: the network ACL,
	// route table, security groups (comma-separated), workload or NAT
	// gateway. Empty when no resource is at fault.
	Resource  string
	Direction Direction // NACL_DENY, SG_NO_INGRESS, SG_NO_EGRESS
	Rule      int       // NACL_DENY: the rule number; 0 for the implicit deny (*)
	// Port is the TCP destination port of the dropped packet, for NACL_DENY
	// and SG reasons: the flow's port, or EphemeralPort for a reply. For
	// NACL_EPHEMERAL_GAP, the lowest port of Ports.
	Port int
	// Ports are the client ports whose replies the rule (or the implicit
	// deny) drops, for NACL_EPHEMERAL_GAP: part of the client's EphemeralRange.
	Ports   []PortRange
	Message string
}

// String is "CODE: message".
func (r Reason) String() string { return string(r.Code) + ": " + r.Message }

// GrantCode classifies a rule that lets a path's request or reply through.
type GrantCode string

// The rules that let traffic through.
const (
	GrantRoute     GrantCode = "ROUTE"      // a route to an internet or NAT gateway
	GrantNACL      GrantCode = "NACL_ALLOW" // a network ACL entry that allows, the first to match
	GrantSGIngress GrantCode = "SG_INGRESS" // a security-group ingress rule of the destination
	GrantSGEgress  GrantCode = "SG_EGRESS"  // a security-group egress rule of the source, or its allow-all default
)

// Grant is one rule that let a path's request or reply through: the
// counterpart of a Reason. Comparing the grants of a flow in two versions of
// an assembly tells which rule opened it.
type Grant struct {
	Code GrantCode
	// Resource is the "stack/logicalId" of the rule: the AWS::EC2::Route,
	// the AWS::EC2::NetworkAclEntry, the standalone
	// AWS::EC2::SecurityGroupIngress or SecurityGroupEgress, or the security
	// group that holds an inline rule or the allow-all egress default.
	Resource  string
	Direction Direction // NACL_ALLOW, SG_INGRESS, SG_EGRESS
	// Rule is the NACL entry's rule number, or the 1-based position of an
	// inline security-group rule in its group's list (0 for a standalone one,
	// and for the allow-all default).
	Rule    int
	Message string // the rule itself, e.g. "network ACL PrivateAcl inbound rule 120: allow TCP 3306 from 10.0.2.0/24"
}

// Path is one source placement to one destination placement, for example
// the load balancer's node in PublicSubnet1 to the web tier's instances in
// PrivateSubnet2.
type Path struct {
	From, To string
	Allowed  bool // open: the request and every reply pass
	// Intermittent: the request passes, but a network ACL drops the replies
	// on part of the client's ephemeral range; Reasons are the
	// NACL_EPHEMERAL_GAPs. Not Allowed.
	Intermittent bool
	Reasons      []Reason // every reason the path is blocked, in packet order
	Grants       []Grant  // every rule that let part of it through, in packet order, blocked or not
}

// Verdict summarises a flow over all of its paths.
type Verdict string

// The verdicts.
const (
	VerdictAllow   Verdict = "allow"   // every path is open
	VerdictBlock   Verdict = "block"   // no path is open
	VerdictPartial Verdict = "partial" // some paths are open, some are not
	// VerdictIntermittent: no path is blocked, but on at least one a network
	// ACL drops the replies on part of the client's ephemeral range, so a
	// connection fails now and then (NACL_EPHEMERAL_GAP).
	VerdictIntermittent Verdict = "intermittent"
	VerdictUnknown      Verdict = "unknown" // an endpoint has no resource, or the flow is invalid
)

// Result is the answer for one flow: from, to, TCP port.
type Result struct {
	From, To Endpoint
	Port     int
	Verdict  Verdict
	Allowed  bool     // Verdict == VerdictAllow
	Paths    []Path   // every (source placement, destination placement) pair
	Reasons  []Reason // the paths' reasons, one per (code, resource, direction, rule, port)
	Grants   []Grant  // the paths' grants, one per (code, resource, direction, rule)
}

// Check evaluates TCP traffic from one endpoint to another on port. It
// evaluates every pair of a source placement and a destination placement
// (each subnet of a load balancer, Auto Scaling group or DB subnet group,
// each NAT gateway): the flow is allowed only when every pair is, blocked
// only when none is.
func (m *Model) Check(from, to Endpoint, port int) Result {
	res := Result{From: from, To: to, Port: port}
	unknown := func(r Reason) Result {
		res.Verdict, res.Reasons = VerdictUnknown, []Reason{r}
		return res
	}
	if from == Internet && to == Internet {
		return unknown(Reason{Code: InvalidFlow, Message: "internet to internet does not cross the VPC"})
	}
	if port < 1 || port > 65535 {
		return unknown(Reason{Code: InvalidFlow, Message: fmt.Sprintf("port %d is outside 1-65535", port)})
	}
	srcs, dsts := m.endpointPlacements(from), m.endpointPlacements(to)
	for _, x := range []struct {
		e  Endpoint
		ps []*placement
	}{{from, srcs}, {to, dsts}} {
		if len(x.ps) == 0 {
			return unknown(Reason{Code: NoEndpoint, Message: fmt.Sprintf("the assembly places no %s resource (%s)", x.e, endpointKinds[x.e])})
		}
	}
	type reasonKey struct {
		code     Code
		resource string
		dir      Direction
		rule     int
		port     int
	}
	type grantKey struct {
		code     GrantCode
		resource string
		dir      Direction
		rule     int
	}
	seen := map[reasonKey]bool{}
	granted := map[grantKey]bool{}
	open, intermittent := 0, 0
	for _, s := range srcs {
		for _, d := range dsts {
			p := path(s, d, port)
			if p.Allowed {
				open++
			}
			if p.Intermittent {
				intermittent++
			}
			for _, r := range p.Reasons {
				k := reasonKey{r.Code, r.Resource, r.Direction, r.Rule, r.Port}
				if !seen[k] {
					seen[k] = true
					res.Reasons = append(res.Reasons, r)
				}
			}
			for _, g := range p.Grants {
				k := grantKey{g.Code, g.Resource, g.Direction, g.Rule}
				if !granted[k] {
					granted[k] = true
					res.Grants = append(res.Grants, g)
				}
			}
			res.Paths = append(res.Paths, p)
		}
	}
	switch {
	case open == len(res.Paths):
		res.Verdict, res.Allowed = VerdictAllow, true
	case open+intermittent == len(res.Paths):
		res.Verdict = VerdictIntermittent
	case open+intermittent == 0:
		res.Verdict = VerdictBlock
	default:
		res.Verdict = VerdictPartial
	}
	return res
}

var endpointKinds = map[Endpoint]string{
	ALB: "AWS::ElasticLoadBalancingV2::LoadBalancer",
	Web: "AWS::AutoScaling::AutoScalingGroup or AWS::EC2::Instance",
	RDS: "AWS::RDS::DBInstance",
	NAT: "AWS::EC2::NatGateway",
}

// Matrix checks every ordered pair of distinct endpoints on every port.
func (m *Model) Matrix(ports []int) []Result {
	var out []Result
	for _, from := range endpoints {
		for _, to := range endpoints {
			if from == to {
				continue
			}
			for _, port := range ports {
				out = append(out, m.Check(from, to, port))
			}
		}
	}
	return out
}

func (m *Model) endpointPlacements(e Endpoint) []*placement {
	if e == Internet {
		return []*placement{internet}
	}
	return m.placements[e]
}

// eval collects the reasons one path is blocked, and the ephemeral ports
// whose replies are dropped.
type eval struct {
	port    int
	reasons []Reason
	grants  []Grant
	gaps    []Reason // NACL_EPHEMERAL_GAP
}

func (e *eval) add(r Reason) { e.reasons = append(e.reasons, r) }

func (e *eval) grant(g Grant) { e.grants = append(e.grants, g) }

func (e *eval) grantRoute(r *route) {
	e.grant(Grant{Code: GrantRoute, Resource: r.key, Message: r.desc})
}

// path follows the request from src to dst and its reply.
func path(src, dst *placement, port int) Path {
	e := &eval{port: port}
	switch {
	case dst.endpoint == NAT:
		e.add(Reason{Code: NATInbound, Resource: dst.key, Message: fmt.Sprintf(
			"NAT gateway %s accepts no new inbound connections: it only translates connections that subnets routed to it open", dst.nat.name)})
	case src.endpoint == NAT && dst == internet:
		e.natLeg(src.nat)
	case src.endpoint == NAT:
		e.add(Reason{Code: NATOutboundOnly, Resource: src.key, Message: fmt.Sprintf(
			"NAT gateway %s opens no connections into the VPC", src.nat.name)})
	case src == internet:
		e.fromInternet(dst)
	case dst == internet:
		e.toInternet(src)
	default:
		e.internal(src, dst)
	}
	p := Path{From: src.name, To: dst.name, Allowed: len(e.reasons) == 0, Reasons: e.reasons, Grants: e.grants}
	if p.Allowed && len(e.gaps) > 0 { // a gap matters only where the rest is open
		p.Allowed, p.Intermittent, p.Reasons = false, true, e.gaps
	}
	return p
}

func (e *eval) fromInternet(dst *placement) {
	if !dst.public {
		e.add(Reason{Code: NoPublicAddress, Resource: dst.key, Message: fmt.Sprintf(
			"%s has no public IPv4 address: the internet cannot address it", dst.name)})
	}
	e.internetRoute(dst.subnet, "replies from "+dst.name)
	e.nacl(dst.subnet, Inbound, internetAddr, e.port, "request from the internet")
	e.reply(dst.subnet, Outbound, internetAddr, Internet, "reply to the internet")
	e.sgIngress(dst, internet)
}

func (e *eval) toInternet(src *placement) {
	e.sgEgress(src, internet)
	s := src.subnet
	r, _ := s.lookup(internetAddr)
	switch {
	case r == nil:
		e.add(Reason{Code: NoRoute, Resource: s.rtKey(), Message: fmt.Sprintf(
			"%s of %s has no route to the internet (%s)", s.rtName(), s.label(), InternetAddress)})
	case r.igw != nil:
		e.grantRoute(r)
		if !r.igw.attached[s.vpc] {
			e.add(igwNotAttached(s, r))
		}
		if !src.public {
			e.add(Reason{Code: NoPublicAddress, Resource: src.key, Message: fmt.Sprintf(
				"%s has no public IPv4 address, so internet gateway %s drops its traffic (route %s of %s)",
				src.name, r.igw.name, r.dest, s.rtName())})
		}
		e.nacl(s, Outbound, internetAddr, e.port, "request to the internet")
		e.reply(s, Inbound, internetAddr, src.endpoint, "reply from the internet")
	case r.nat != nil:
		e.grantRoute(r)
		n := r.nat
		leg1 := "request to the internet through NAT gateway " + n.name + " (leg 1)"
		reply := "reply from the internet through NAT gateway " + n.name
		if n.subnet != s {
			e.nacl(s, Outbound, internetAddr, e.port, leg1)
			e.nacl(n.subnet, Inbound, src.addr, e.port, leg1)
		}
		e.natLeg(n)
		if n.subnet != s { // the NAT gateway gives the reply back the client's own port
			e.reply(n.subnet, Outbound, src.addr, src.endpoint, reply)
			e.reply(s, Inbound, internetAddr, src.endpoint, reply)
		}
	default:
		e.add(Reason{Code: NoRoute, Resource: s.rtKey(), Message: fmt.Sprintf(
			"%s of %s sends the internet (%s, route %s) to %s, which netcheck does not follow",
			s.rtName(), s.label(), InternetAddress, r.dest, r.other)})
	}
}

// natLeg checks a NAT gateway's own connection to the internet (leg 2).
func (e *eval) natLeg(n *natGateway) {
	if !n.public {
		e.add(Reason{Code: NoPublicAddress, Resource: n.key, Message: fmt.Sprintf(
			"NAT gateway %s has no Elastic IP (private connectivity): it cannot reach the internet", n.name)})
	}
	e.internetRoute(n.subnet, "NAT gateway "+n.name)
	e.nacl(n.subnet, Outbound, internetAddr, e.port, "NAT gateway "+n.name+" to the internet (leg 2)")
	e.reply(n.subnet, Inbound, internetAddr, NAT, "reply from the internet to NAT gateway "+n.name+" (leg 2)")
}

// internetRoute requires s to route the internet to an attached internet
// gateway, on behalf of what.
func (e *eval) internetRoute(s *subnet, what string) {
	r, _ := s.lookup(internetAddr)
	switch {
	case r == nil:
		e.add(Reason{Code: NoRoute, Resource: s.rtKey(), Message: fmt.Sprintf(
			"%s of %s has no route to the internet (%s) for %s", s.rtName(), s.label(), InternetAddress, what)})
	case r.igw == nil:
		e.add(Reason{Code: NoRoute, Resource: s.rtKey(), Message: fmt.Sprintf(
			"%s of %s sends the internet (route %s) to %s, not to an internet gateway, so %s cannot use the internet gateway",
			s.rtName(), s.label(), r.dest, r.targetName(), what)})
	case !r.igw.attached[s.vpc]:
		e.grantRoute(r)
		e.add(igwNotAttached(s, r))
	default:
		e.grantRoute(r)
	}
}

func igwNotAttached(s *subnet, r *route) Reason {
	return Reason{Code: IGWNotAttached, Resource: r.igw.key, Message: fmt.Sprintf(
		"route %s of %s names internet gateway %s, which is not attached to VPC %s",
		r.dest, s.rtName(), r.igw.name, s.vpc.name)}
}

func (e *eval) internal(src, dst *placement) {
	if src.subnet.vpc != dst.subnet.vpc {
		e.add(Reason{Code: NoRoute, Message: fmt.Sprintf(
			"%s and %s are in different VPCs; netcheck models no peering or transit gateway", src.name, dst.name)})
		return
	}
	e.sgEgress(src, dst)
	e.localRoute(src, dst, "request")
	e.localRoute(dst, src, "reply")
	if src.subnet != dst.subnet { // NACLs do not apply inside a subnet
		e.nacl(src.subnet, Outbound, dst.addr, e.port, "request to "+dst.name)
		e.nacl(dst.subnet, Inbound, src.addr, e.port, "request from "+src.name)
		e.reply(dst.subnet, Outbound, src.addr, src.endpoint, "reply to "+src.name)
		e.reply(src.subnet, Inbound, dst.addr, src.endpoint, "reply from "+dst.name)
	}
	e.sgIngress(dst, src)
}

// localRoute requires from's subnet to send to's address by the local route.
func (e *eval) localRoute(from, to *placement, what string) {
	s := from.subnet
	r, local := s.lookup(to.addr)
	if local {
		return
	}
	target := "nothing"
	if r != nil {
		target = r.targetName() + " (route " + r.dest.String() + ")"
	}
	e.add(Reason{Code: NoRoute, Resource: s.rtKey(), Message: fmt.Sprintf(
		"%s of %s sends %s (%s) to %s, not the VPC's local route (%s)",
		s.rtName(), s.label(), to.addr, what, target, s.vpc.cidr)})
}

// nacl requires the ACL of s to allow TCP port to or from peer, and reports
// whether it does.
func (e *eval) nacl(s *subnet, dir Direction, peer netip.Addr, port int, what string) bool {
	a := s.acl
	if a == nil {
		return true // the VPC's default network ACL allows everything
	}
	entries, prep := a.inbound, "from"
	if dir == Outbound {
		entries, prep = a.outbound, "to"
	}
	flow := fmt.Sprintf("TCP %d %s %s (%s)", port, prep, peer, what)
	if port == EphemeralPort {
		flow = fmt.Sprintf("TCP %d (ephemeral) %s %s (%s)", port, prep, peer, what)
	}
	where := fmt.Sprintf("network ACL %s of %s, %s:", a.name, s.label(), dir)
	for _, en := range entries {
		if !en.matches(peer, port) {
			continue
		}
		if !en.allow {
			e.add(Reason{Code: NACLDeny, Resource: a.key, Direction: dir, Rule: en.number, Port: port, Message: fmt.Sprintf(
				"%s rule %d denies %s", where, en.number, flow)})
		} else {
			e.grant(Grant{Code: GrantNACL, Resource: en.key, Direction: dir, Rule: en.number, Message: en.desc})
		}
		return en.allow
	}
	e.add(Reason{Code: NACLDeny, Resource: a.key, Direction: dir, Port: port, Message: fmt.Sprintf(
		"%s no rule allows %s: implicit deny (*)", where, flow)})
	return false
}

// reply requires the ACL of s to allow a reply to or from peer on the
// ephemeral ports of client: on EphemeralPort, else the reply is denied
// (NACL_DENY); and on the rest of EphemeralRange(client), else it is dropped
// now and then (a NACL_EPHEMERAL_GAP per rule that drops part of it).
func (e *eval) reply(s *subnet, dir Direction, peer netip.Addr, client Endpoint, what string) {
	if !e.nacl(s, dir, peer, EphemeralPort, what) || s.acl == nil {
		return
	}
	a := s.acl
	entries, prep := a.inbound, "from"
	if dir == Outbound {
		entries, prep = a.outbound, "to"
	}
	rng := EphemeralRange(client)
	undecided := []PortRange{rng}
	type denial struct {
		rule  int // 0: the implicit deny
		ports []PortRange
	}
	var denials []denial
	for _, en := range entries {
		if len(undecided) == 0 {
			break
		}
		if !en.cidr.Contains(peer) || en.protocol != -1 && en.protocol != 6 {
			continue
		}
		cover := PortRange{0, 65535}
		if en.protocol == 6 {
			cover = PortRange{en.from, en.to}
		}
		var rest, hit []PortRange
		for _, r := range undecided {
			lo, hi := max(r.From, cover.From), min(r.To, cover.To)
			if lo > hi {
				rest = append(rest, r)
				continue
			}
			hit = append(hit, PortRange{lo, hi})
			if r.From < lo {
				rest = append(rest, PortRange{r.From, lo - 1})
			}
			if hi < r.To {
				rest = append(rest, PortRange{hi + 1, r.To})
			}
		}
		if len(hit) > 0 && !en.allow {
			denials = append(denials, denial{en.number, hit})
		}
		undecided = rest
	}
	if len(undecided) > 0 {
		denials = append(denials, denial{0, undecided})
	}
	where := fmt.Sprintf("network ACL %s of %s, %s:", a.name, s.label(), dir)
	for _, d := range denials {
		n, names := 0, make([]string, len(d.ports))
		for i, p := range d.ports {
			n += p.Len()
			names[i] = p.String()
		}
		rule := fmt.Sprintf("rule %d denies", d.rule)
		if d.rule == 0 {
			rule = "no rule allows (implicit deny)"
		}
		odds := fmt.Sprintf("about 1 connection in %d fails, at random", rng.Len()/n)
		if 2*n > rng.Len() {
			odds = "most connections fail"
		}
		e.gaps = append(e.gaps, Reason{Code: NACLEphemeralGap, Resource: a.key, Direction: dir, Rule: d.rule, Port: d.ports[0].From, Ports: d.ports,
			Message: fmt.Sprintf("%s %s TCP %s %s %s (%s), inside the ephemeral range %s of %s: %d of its %d ports, so %s",
				where, rule, strings.Join(names, ", "), prep, peer, what, rng, client, n, rng.Len(), odds)})
	}
}

func (en naclEntry) matches(peer netip.Addr, port int) bool {
	if !en.cidr.Contains(peer) {
		return false
	}
	return en.protocol == -1 || en.protocol == 6 && en.from <= port && port <= en.to
}

func (e *eval) sgEgress(src, dst *placement) {
	if len(src.groups) == 0 {
		return
	}
	for _, g := range src.groups {
		if g.defaultEgress {
			e.grant(Grant{Code: GrantSGEgress, Resource: g.key, Direction: Outbound, Message: fmt.Sprintf(
				"security group %s egress: CloudFormation's allow-all default (the group declares no inline SecurityGroupEgress)", g.name)})
			return
		}
		for _, r := range g.egress {
			if r.matches(dst, e.port) {
				e.grant(Grant{Code: GrantSGEgress, Resource: r.key, Direction: Outbound, Rule: r.index, Message: r.desc})
				return
			}
		}
	}
	e.add(Reason{Code: SGNoEgress, Resource: groupKeys(src.groups), Direction: Outbound, Port: e.port, Message: fmt.Sprintf(
		"no egress rule of security group %s of %s allows TCP %d to %s", groupNames(src.groups), src.name, e.port, dst.name)})
}

func (e *eval) sgIngress(dst, src *placement) {
	if len(dst.groups) == 0 {
		return
	}
	for _, g := range dst.groups {
		for _, r := range g.ingress {
			if r.matches(src, e.port) {
				e.grant(Grant{Code: GrantSGIngress, Resource: r.key, Direction: Inbound, Rule: r.index, Message: r.desc})
				return
			}
		}
	}
	e.add(Reason{Code: SGNoIngress, Resource: groupKeys(dst.groups), Direction: Inbound, Port: e.port, Message: fmt.Sprintf(
		"no ingress rule of security group %s of %s allows TCP %d from %s", groupNames(dst.groups), dst.name, e.port, src.name)})
}

func (r sgRule) matches(peer *placement, port int) bool {
	if !r.all && (port < r.from || port > r.to) {
		return false
	}
	if r.group != nil {
		for _, g := range peer.groups {
			if g == r.group {
				return true
			}
		}
		return false
	}
	return r.cidr.Contains(peer.addr)
}

func groupKeys(gs []*secGroup) string {
	keys := make([]string, len(gs))
	for i, g := range gs {
		keys[i] = g.key
	}
	return strings.Join(keys, ",")
}

func groupNames(gs []*secGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.name
	}
	return strings.Join(names, "+")
}

// lookup returns the route s uses for addr: the most specific match, the
// VPC's local route winning a tie. local reports the local route.
func (s *subnet) lookup(addr netip.Addr) (r *route, local bool) {
	best := -1
	if s.vpc.cidr.Contains(addr) {
		best, local = s.vpc.cidr.Bits(), true
	}
	if s.rt == nil {
		return nil, local
	}
	for _, rr := range s.rt.routes {
		if rr.dest.Contains(addr) && rr.dest.Bits() > best {
			r, best, local = rr, rr.dest.Bits(), false
		}
	}
	return r, local
}

func (s *subnet) rtName() string {
	if s.rt == nil {
		return "the main route table (local route only)"
	}
	return "route table " + s.rt.name
}

func (s *subnet) rtKey() string {
	if s.rt == nil {
		return s.vpc.key
	}
	return s.rt.key
}

func (r *route) targetName() string {
	switch {
	case r.igw != nil:
		return "internet gateway " + r.igw.name
	case r.nat != nil:
		return "NAT gateway " + r.nat.name
	}
	return r.other
}

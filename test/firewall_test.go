package test

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"testing"
)

// aclEntry is one AWS::EC2::NetworkAclEntry, flattened.
type aclEntry struct {
	acl      string
	egress   bool
	number   int
	allow    bool
	cidr     string
	protocol int
	from, to int
}

func (e aclEntry) String() string {
	dir, action := "in", "deny"
	if e.egress {
		dir = "out"
	}
	if e.allow {
		action = "allow"
	}
	return fmt.Sprintf("%s %d %s %s %d-%d", dir, e.number, action, e.cidr, e.from, e.to)
}

// aclEntries returns the entries of every network ACL, by ACL logical id.
func aclEntries(s *stackOutput) map[string][]aclEntry {
	out := map[string][]aclEntry{}
	for _, body := range s.resources("AWS::EC2::NetworkAclEntry") {
		p := props(body)
		pr, _ := p["PortRange"].(map[string]any)
		e := aclEntry{
			acl:      ref(p["NetworkAclId"]),
			egress:   p["Egress"] == true,
			number:   int(p["RuleNumber"].(float64)),
			allow:    p["RuleAction"] == "allow",
			cidr:     fmt.Sprint(p["CidrBlock"]),
			protocol: int(p["Protocol"].(float64)),
		}
		if pr != nil {
			e.from, e.to = int(pr["From"].(float64)), int(pr["To"].(float64))
		}
		out[e.acl] = append(out[e.acl], e)
	}
	for _, es := range out {
		sort.Slice(es, func(i, j int) bool {
			if es[i].egress != es[j].egress {
				return !es[i].egress
			}
			return es[i].number < es[j].number
		})
	}
	return out
}

// aclFor returns the logical id of the network ACL associated with subnet.
func aclFor(t *testing.T, s *stackOutput, subnet string) string {
	t.Helper()
	var acls []string
	for _, a := range s.resources("AWS::EC2::SubnetNetworkAclAssociation") {
		if ref(props(a)["SubnetId"]) == subnet {
			acls = append(acls, ref(props(a)["NetworkAclId"]))
		}
	}
	if len(acls) != 1 {
		t.Fatalf("subnet %s has %d network ACL associations, want 1", subnet, len(acls))
	}
	return acls[0]
}

// The exact entries the spec's flows need, written out: any change to the
// rules must change this table too.
var wantPublicAcl = []string{
	"in 50 deny 0.0.0.0/0 22-22",
	"in 100 allow 0.0.0.0/0 80-80",
	"in 110 allow 0.0.0.0/0 443-443",
	"in 120 allow 0.0.0.0/0 1024-65535",
	"out 100 allow 0.0.0.0/0 80-80",
	"out 110 allow 0.0.0.0/0 443-443",
	"out 120 allow 0.0.0.0/0 1024-65535",
}

var wantPrivateAcl = []string{
	"in 50 deny 0.0.0.0/0 22-22",
	"in 60 deny 0.0.0.0/0 3389-3389",
	"in 100 allow 10.0.1.0/24 80-80",
	"in 101 allow 10.0.3.0/24 80-80",
	"in 110 allow 10.0.1.0/24 443-443",
	"in 111 allow 10.0.3.0/24 443-443",
	"in 120 allow 10.0.2.0/24 3306-3306",
	"in 121 allow 10.0.4.0/24 3306-3306",
	"in 130 deny 0.0.0.0/0 3306-3306",
	"in 140 allow 0.0.0.0/0 1024-3388",
	"in 150 allow 0.0.0.0/0 3390-65535",
	"out 100 allow 0.0.0.0/0 80-80",
	"out 110 allow 0.0.0.0/0 443-443",
	"out 120 allow 10.0.2.0/24 3306-3306",
	"out 121 allow 10.0.4.0/24 3306-3306",
	"out 130 allow 10.0.0.0/16 1024-65535",
}

func TestNetworkAcls(t *testing.T) {
	s := stack(t, "Network")
	entries := aclEntries(s)
	if n := len(s.resources("AWS::EC2::NetworkAcl")); n != 2 {
		t.Errorf("%d network ACLs, want 2 (public, private)", n)
	}
	for _, tier := range []struct {
		subnets []string
		want    []string
	}{
		{[]string{"Public Subnet 1", "Public Subnet 2"}, wantPublicAcl},
		{[]string{"Private Subnet 1", "Private Subnet 2"}, wantPrivateAcl},
	} {
		acl := aclFor(t, s, subnetByName(t, s, tier.subnets[0]))
		if other := aclFor(t, s, subnetByName(t, s, tier.subnets[1])); other != acl {
			t.Errorf("%q use different ACLs %s and %s", tier.subnets, acl, other)
		}
		var got []string
		for _, e := range entries[acl] {
			if e.protocol != 6 {
				t.Errorf("%s: entry %v has protocol %d, want 6 (TCP)", tier.subnets, e, e.protocol)
			}
			got = append(got, e.String())
		}
		if !slices.Equal(got, tier.want) {
			t.Errorf("%q ACL entries:\n got %q\nwant %q", tier.subnets, got, tier.want)
		}
	}
}

// TestNoAclOpensSshOrRdpToTheInternet: no entry allows 0.0.0.0/0 in to 22,
// and none of the private subnets' ACL, where the servers listen, to 3389
// (Security Hub EC2.21). The public ACL admits 3389 only as one port of the
// range its load balancer and NAT gateways receive replies on (1024-65535):
// a deny there dropped those replies. Nothing in the public subnets accepts
// a connection on 3389 (internet -> alb 3389 and internet -> nat 3389 are
// blocked in TestSpecReachability, by the load balancer's group and the NAT
// gateways).
func TestNoAclOpensSshOrRdpToTheInternet(t *testing.T) {
	s := stack(t, "Network")
	public := aclFor(t, s, subnetByName(t, s, "Public Subnet 1"))
	for acl, es := range aclEntries(s) {
		for _, e := range es {
			for _, port := range []int{22, 3389} {
				if e.egress || !e.allow || e.cidr != "0.0.0.0/0" || port < e.from || port > e.to {
					continue
				}
				if acl == public && port == 3389 && e.from == 1024 && e.to == 65535 {
					continue // the ephemeral range of the load balancer and the NAT gateways
				}
				t.Errorf("ACL %s entry %v allows port %d from 0.0.0.0/0", acl, e, port)
			}
		}
	}
}

// aclDecision evaluates a stateless ACL the way VPC does: entries of one
// direction in number order, first match wins, implicit deny.
func aclDecision(es []aclEntry, egress bool, peer string, port int) (bool, string) {
	addr := netip.MustParseAddr(peer)
	for _, e := range es {
		if e.egress != egress || !(e.protocol == 6 || e.protocol == -1) || port < e.from || port > e.to {
			continue
		}
		if netip.MustParsePrefix(e.cidr).Contains(addr) {
			return e.allow, e.String()
		}
	}
	return false, "implicit deny"
}

// TestAclsCarryTheSpecFlows walks each allowed flow of the spec, request and
// reply, through every ACL it crosses, and each blocked one the ACLs must stop.
func TestAclsCarryTheSpecFlows(t *testing.T) {
	s := stack(t, "Network")
	entries := aclEntries(s)
	pub := entries[aclFor(t, s, subnetByName(t, s, "Public Subnet 1"))]
	priv := entries[aclFor(t, s, subnetByName(t, s, "Private Subnet 1"))]
	const (
		client = "203.0.113.10" // somewhere on the internet
		server = "198.51.100.7" // a package mirror
		alb    = "10.0.1.10"    // Public Subnet 1
		nat    = "10.0.3.20"    // Public Subnet 2
		ec2    = "10.0.2.10"    // Private Subnet 1
		rds    = "10.0.4.30"    // Private Subnet 2
		eph    = 40000          // an ephemeral port
		rdpEph = 3389           // RDP, and an ephemeral port of the load balancer and NAT gateways
		out    = true
		in     = false
	)
	type hop struct {
		name   string
		acl    []aclEntry
		egress bool
		peer   string
		port   int
	}
	allowed := map[string][]hop{
		// The load balancer and the NAT gateways pick any port of 1024-65535:
		// their replies on 3389 come back in too.
		"ALB -> EC2, the reply on port 3389": {
			{"reply out of private", priv, out, alb, rdpEph}, {"reply into public", pub, in, ec2, rdpEph}},
		"NAT gateway -> internet, the reply on port 3389": {
			{"reply into public", pub, in, server, rdpEph}},
		"internet -> ALB on 80": {
			{"request into public", pub, in, client, 80}, {"reply out of public", pub, out, client, eph}},
		"internet -> ALB on 443": {
			{"request into public", pub, in, client, 443}, {"reply out of public", pub, out, client, eph}},
		"ALB -> EC2 on 80": {
			{"request out of public", pub, out, ec2, 80}, {"request into private", priv, in, alb, 80},
			{"reply out of private", priv, out, alb, eph}, {"reply into public", pub, in, ec2, eph}},
		"ALB -> EC2 on 443": {
			{"request out of public", pub, out, ec2, 443}, {"request into private", priv, in, alb, 443},
			{"reply out of private", priv, out, alb, eph}, {"reply into public", pub, in, ec2, eph}},
		"EC2 -> RDS on 3306 (across zones)": {
			{"request out of private", priv, out, rds, 3306}, {"request into private", priv, in, ec2, 3306},
			{"reply out of private", priv, out, ec2, eph}, {"reply into private", priv, in, rds, eph}},
		"EC2 -> internet on 443 via NAT": {
			{"leg 1 out of private", priv, out, server, 443}, {"leg 1 into public", pub, in, ec2, 443},
			{"leg 2 out of public", pub, out, server, 443}, {"reply into public", pub, in, server, eph},
			{"reply out of public", pub, out, ec2, eph}, {"reply into private", priv, in, server, eph}},
		"EC2 -> internet on 80 via NAT": {
			{"leg 1 out of private", priv, out, server, 80}, {"leg 1 into public", pub, in, ec2, 80},
			{"leg 2 out of public", pub, out, server, 80}, {"reply into public", pub, in, server, eph},
			{"reply out of public", pub, out, ec2, eph}, {"reply into private", priv, in, server, eph}},
	}
	for flow, hops := range allowed {
		for _, h := range hops {
			if ok, rule := aclDecision(h.acl, h.egress, h.peer, h.port); !ok {
				t.Errorf("%s: %s (peer %s, port %d) is blocked by %s", flow, h.name, h.peer, h.port, rule)
			}
		}
	}
	blocked := map[string]hop{
		"internet -> EC2 on 80":   {"", priv, in, client, 80},
		"internet -> EC2 on 443":  {"", priv, in, client, 443},
		"internet -> RDS on 3306": {"", priv, in, client, 3306},
		"internet -> private SSH": {"", priv, in, client, 22},
		"internet -> private RDP": {"", priv, in, client, rdpEph},
		"internet -> public SSH":  {"", pub, in, client, 22},
		// RDP into the public subnets passes this ACL (see
		// TestNoAclOpensSshOrRdpToTheInternet); the security groups stop it.
		"internet -> public SMTP 25":    {"", pub, in, client, 25},
		"ALB -> RDS on 3306 (into RDS)": {"", priv, in, alb, 3306},
	}
	for flow, h := range blocked {
		if ok, rule := aclDecision(h.acl, h.egress, h.peer, h.port); ok {
			t.Errorf("%s: allowed by %s, want blocked", flow, rule)
		}
	}
}

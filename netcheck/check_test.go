package netcheck

import (
	"slices"
	"strings"
	"testing"
)

func TestBaseStackFlows(t *testing.T) {
	m := baseStack().model(t)
	expectAllowed(t, m, Internet, ALB, 80)
	expectAllowed(t, m, ALB, Web, 80)
	expectAllowed(t, m, Web, RDS, 3306)
	expectAllowed(t, m, Web, Internet, 443)
	expectAllowed(t, m, NAT, Internet, 443)
	r := m.Check(Internet, Web, 80)
	if want := []Code{NoPublicAddress, NoRoute, SGNoIngress}; !slices.Equal(codes(r), want) {
		t.Errorf("internet -> web 80: codes %v, want %v\n%s", codes(r), want, reasonLines(r))
	}
	expectBlocked(t, m, ALB, RDS, 3306, SGNoIngress)
}

func TestNACLFirstMatchWins(t *testing.T) {
	t.Run("lower-numbered deny wins, whatever the declaration order", func(t *testing.T) {
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 200 allow 0.0.0.0/0 all",
			"in 100 deny 10.0.1.0/24 80",
			"out 100 allow 0.0.0.0/0 all")
		r := expectBlocked(t, s.model(t), ALB, Web, 80, NACLDeny)
		if r.Resource != "Test/PrivAcl" || r.Direction != Inbound || r.Rule != 100 || r.Port != 80 {
			t.Errorf("reason %+v, want PrivAcl inbound rule 100 port 80", r)
		}
	})
	t.Run("lower-numbered allow wins", func(t *testing.T) {
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 200 deny 10.0.1.0/24 80",
			"in 100 allow 0.0.0.0/0 all",
			"out 100 allow 0.0.0.0/0 all")
		expectAllowed(t, s.model(t), ALB, Web, 80)
	})
	t.Run("a non-matching deny is skipped", func(t *testing.T) {
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 50 deny 0.0.0.0/0 22",
			"in 60 deny 10.0.3.0/24 80",
			"in 100 allow 0.0.0.0/0 all",
			"out 100 allow 0.0.0.0/0 all")
		expectAllowed(t, s.model(t), ALB, Web, 80)
		r := expectBlocked(t, s.model(t), ALB, Web, 22, NACLDeny)
		if r.Rule != 50 {
			t.Errorf("rule %d, want 50", r.Rule)
		}
	})
}

func TestNACLImplicitDeny(t *testing.T) {
	s := baseStack().acl("PrivAcl", []string{"PrivateA"},
		"in 100 allow 10.0.1.0/24 443",
		"out 100 allow 0.0.0.0/0 all")
	m := s.model(t)
	r := expectBlocked(t, m, ALB, Web, 80, NACLDeny)
	if r.Rule != 0 || r.Direction != Inbound || r.Port != 80 || !strings.Contains(r.Message, "implicit deny") {
		t.Errorf("reason %+v, want the inbound implicit deny on port 80", r)
	}
	if got := m.Check(ALB, Web, 80); len(got.Reasons) != 1 {
		t.Errorf("want only the implicit deny, got\n%s", reasonLines(got))
	}
}

func TestNACLEphemeralReturn(t *testing.T) {
	t.Run("the reply needs an outbound ephemeral rule", func(t *testing.T) {
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 100 allow 10.0.1.0/24 80",
			"out 100 allow 0.0.0.0/0 80")
		r := expectBlocked(t, s.model(t), ALB, Web, 80, NACLDeny)
		if r.Direction != Outbound || r.Port != EphemeralPort || r.Rule != 0 {
			t.Errorf("reason %+v, want the outbound implicit deny on the ephemeral port", r)
		}
	})
	t.Run("allowed with 1024-65535 back", func(t *testing.T) {
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 100 allow 10.0.1.0/24 80",
			"out 100 allow 10.0.0.0/16 1024-65535")
		expectAllowed(t, s.model(t), ALB, Web, 80)
	})
	t.Run("a range that misses the representative port blocks", func(t *testing.T) {
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 100 allow 10.0.1.0/24 80",
			"out 100 allow 10.0.0.0/16 1024-32767")
		expectBlocked(t, s.model(t), ALB, Web, 80, NACLDeny)
	})
	t.Run("the source subnet must let the reply in", func(t *testing.T) {
		s := baseStack().acl("PubAcl", []string{"PublicA"},
			"in 100 allow 0.0.0.0/0 80",
			"out 100 allow 0.0.0.0/0 all")
		r := expectBlocked(t, s.model(t), ALB, Web, 80, NACLDeny)
		if r.Resource != "Test/PubAcl" || r.Direction != Inbound || r.Port != EphemeralPort {
			t.Errorf("reason %+v, want PubAcl inbound on the ephemeral port", r)
		}
	})
}

// TestNACLEphemeralGap: a reply allowed on EphemeralPort but denied on other
// ports of the client's ephemeral range makes the flow intermittent.
func TestNACLEphemeralGap(t *testing.T) {
	gap := func(t *testing.T, r Result) Reason {
		t.Helper()
		if r.Verdict != VerdictIntermittent || r.Allowed {
			t.Errorf("%s -> %s %d: %s, want intermittent", r.From, r.To, r.Port, r.Verdict)
		}
		if len(r.Reasons) != 1 || r.Reasons[0].Code != NACLEphemeralGap {
			t.Fatalf("%s -> %s %d: reasons\n%s want one NACL_EPHEMERAL_GAP", r.From, r.To, r.Port, reasonLines(r))
		}
		return r.Reasons[0]
	}
	t.Run("a deny inside the load balancer's range", func(t *testing.T) {
		// The spec's old public ACL: RDP denied inbound, before the replies.
		s := baseStack().acl("PubAcl", []string{"PublicA"},
			"in 60 deny 0.0.0.0/0 3389",
			"in 100 allow 0.0.0.0/0 80",
			"in 110 allow 0.0.0.0/0 443",
			"in 120 allow 0.0.0.0/0 1024-65535",
			"out 100 allow 0.0.0.0/0 all")
		m := s.model(t)
		r := gap(t, m.Check(ALB, Web, 80))
		if r.Resource != "Test/PubAcl" || r.Direction != Inbound || r.Rule != 60 || r.Port != 3389 || !slices.Equal(r.Ports, []PortRange{{3389, 3389}}) {
			t.Errorf("reason %+v, want PubAcl inbound rule 60 on 3389", r)
		}
		for _, want := range []string{"rule 60 denies TCP 3389 from 10.0.2.", "inside the ephemeral range 1024-65535 of alb", "1 of its 64512 ports, so about 1 connection in 64512 fails, at random"} {
			if !strings.Contains(r.Message, want) {
				t.Errorf("message %q does not say %q", r.Message, want)
			}
		}
		// The NAT gateway's leg 2, and the web tier's flow through it.
		gap(t, m.Check(NAT, Internet, 443))
		gap(t, m.Check(Web, Internet, 443))
		// A connection to the load balancer gets its reply out on 1024-65535.
		expectAllowed(t, m, Internet, ALB, 80)
		// RDP to the load balancer: blocked, and only the block is reported.
		if got := codes(m.Check(Internet, ALB, 3389)); !slices.Equal(got, []Code{NACLDeny, SGNoIngress}) {
			t.Errorf("internet -> alb 3389: %v, want the deny and the group, no gap", got)
		}
	})
	t.Run("the implicit deny above an allowed range", func(t *testing.T) {
		s := baseStack().acl("PubAcl", []string{"PublicA"},
			"in 100 allow 0.0.0.0/0 80",
			"in 120 allow 0.0.0.0/0 1024-49999",
			"out 100 allow 0.0.0.0/0 all")
		r := gap(t, s.model(t).Check(NAT, Internet, 80))
		if r.Rule != 0 || r.Port != 50000 || !strings.Contains(r.Message, "no rule allows (implicit deny) TCP 50000-65535") ||
			!strings.Contains(r.Message, "15536 of its 64512 ports, so about 1 connection in 4 fails") {
			t.Errorf("reason %+v, want the implicit deny of 50000-65535", r)
		}
	})
	t.Run("several ranges, most of the range", func(t *testing.T) {
		s := baseStack().acl("PubAcl", []string{"PublicA"},
			"in 100 deny 0.0.0.0/0 1024-20000",
			"in 110 deny 0.0.0.0/0 30000-40000",
			"in 120 allow 0.0.0.0/0 25000-65535",
			"out 100 allow 0.0.0.0/0 all")
		m := s.model(t)
		r := m.Check(NAT, Internet, 443)
		if r.Verdict != VerdictIntermittent || len(r.Reasons) != 3 {
			t.Fatalf("%s\n%s want intermittent, rules 100, 110 and the implicit deny", r.Verdict, reasonLines(r))
		}
		if r.Reasons[0].Rule != 100 || r.Reasons[1].Rule != 110 || r.Reasons[2].Rule != 0 ||
			!slices.Equal(r.Reasons[2].Ports, []PortRange{{20001, 24999}}) || !strings.Contains(r.Reasons[0].Message, "18977 of its 64512 ports, so about 1 connection in 3 fails") {
			t.Errorf("reasons\n%s", reasonLines(r))
		}
	})
	t.Run("outside the client's range", func(t *testing.T) {
		// The web tier's Linux clients use 32768-60999: denies below do not
		// touch their replies, into PrivateA or out of PublicA.
		s := baseStack().acl("PrivAcl", []string{"PrivateA"},
			"in 60 deny 0.0.0.0/0 3389",
			"in 130 deny 0.0.0.0/0 3306",
			"in 140 allow 0.0.0.0/0 1024-65535",
			"out 100 allow 0.0.0.0/0 all").
			acl("PubAcl", []string{"PublicA"},
				"in 100 allow 0.0.0.0/0 all",
				"out 100 allow 0.0.0.0/0 1-1023",
				"out 110 allow 10.0.0.0/16 32768-60999",
				"out 120 allow 0.0.0.0/0 32768-60999")
		expectAllowed(t, s.model(t), Web, Internet, 443)
		// A deny at 61000 and above is beyond Linux's range too.
		s.add("Deny61000", "AWS::EC2::NetworkAclEntry", obj{"NetworkAclId": ref("PrivAcl"), "Egress": false, "RuleNumber": 50,
			"RuleAction": "deny", "CidrBlock": "0.0.0.0/0", "Protocol": 6, "PortRange": obj{"From": 61000, "To": 65535}})
		expectAllowed(t, s.model(t), Web, Internet, 443)
		// One at 40000 is not.
		s.props("Deny61000")["PortRange"] = obj{"From": 40000, "To": 40000}
		if r := gap(t, s.model(t).Check(Web, Internet, 443)); r.Rule != 50 || !strings.Contains(r.Message, "inside the ephemeral range 32768-60999 of web") {
			t.Errorf("reason %+v", r)
		}
	})
	t.Run("an all-protocol deny", func(t *testing.T) {
		s := baseStack().acl("PubAcl", []string{"PublicA"},
			"in 100 allow 0.0.0.0/0 32768-65535",
			"in 110 deny 0.0.0.0/0 all",
			"out 100 allow 0.0.0.0/0 all")
		if r := gap(t, s.model(t).Check(ALB, Web, 80)); r.Rule != 110 || !slices.Equal(r.Ports, []PortRange{{1024, 32767}}) {
			t.Errorf("reason %+v, want rule 110 on 1024-32767", r)
		}
	})
	t.Run("beside a blocked path: partial", func(t *testing.T) {
		s := baseStack().acl("PubAcl", []string{"PublicA"},
			"in 60 deny 0.0.0.0/0 3389",
			"in 120 allow 0.0.0.0/0 1024-65535",
			"out 100 allow 0.0.0.0/0 all")
		s.subnet("PrivateB", "10.0.4.0/24", "us-east-1b")
		s.add("WebB", "AWS::EC2::Instance", obj{"SubnetId": ref("PrivateB"), "SecurityGroupIds": arr{groupID("WebSg")}})
		s.acl("DenyAll", []string{"PrivateB"})
		r := s.model(t).Check(ALB, Web, 80)
		if r.Verdict != VerdictPartial || !slices.Contains(codes(r), NACLEphemeralGap) || !slices.Contains(codes(r), NACLDeny) {
			t.Errorf("%s %v, want partial with the gap and the deny", r.Verdict, codes(r))
		}
		var intermittent, blocked int
		for _, p := range r.Paths {
			switch {
			case p.Intermittent && !p.Allowed && len(p.Reasons) == 1:
				intermittent++
			case !p.Intermittent && !p.Allowed:
				blocked++
			}
		}
		if intermittent != 1 || blocked != 1 {
			t.Errorf("%d intermittent and %d blocked paths, want 1 and 1", intermittent, blocked)
		}
	})
}

func TestEphemeralRange(t *testing.T) {
	for e, want := range map[Endpoint]PortRange{Internet: {1024, 65535}, ALB: {1024, 65535}, NAT: {1024, 65535}, Web: {32768, 60999}, RDS: {1024, 65535}} {
		if got := EphemeralRange(e); got != want {
			t.Errorf("EphemeralRange(%s) = %v, want %v", e, got, want)
		}
	}
	if got := (PortRange{3389, 3389}).String() + " " + (PortRange{1024, 65535}).String(); got != "3389 1024-65535" {
		t.Errorf("PortRange strings %q", got)
	}
}

func TestNACLSkippedInsideSubnet(t *testing.T) {
	// An ACL with no entries denies everything that crosses the subnet edge.
	s := baseStack().acl("DenyAll", []string{"PrivateA"})
	m := s.model(t)
	expectAllowed(t, m, Web, RDS, 3306) // web and database share PrivateA
	expectBlocked(t, m, ALB, Web, 80, NACLDeny)

	// The same ACL on a second subnet: now the flow crosses two subnet edges.
	s.subnet("PrivateB", "10.0.4.0/24", "us-east-1b")
	s.add("DenyAllAssocB", "AWS::EC2::SubnetNetworkAclAssociation", obj{"NetworkAclId": ref("DenyAll"), "SubnetId": ref("PrivateB")})
	s.props("DbSubnets")["SubnetIds"] = arr{ref("PrivateB")}
	r := expectBlocked(t, s.model(t), Web, RDS, 3306, NACLDeny)
	if r.Direction != Outbound || r.Port != 3306 {
		t.Errorf("first reason %+v, want the request leaving PrivateA", r)
	}
}

func TestDefaultNACLForUnassociatedSubnet(t *testing.T) {
	s := baseStack().acl("Empty", []string{"PublicA"})
	m := s.model(t)
	r := m.Check(ALB, Web, 80)
	if r.Verdict != VerdictBlock {
		t.Fatalf("alb -> web: %s, want block", r.Verdict)
	}
	for _, x := range r.Reasons {
		if x.Resource != "Test/Empty" {
			t.Errorf("unexpected reason %s: PrivateA has no association and uses the default ACL", x)
		}
	}
	expectAllowed(t, m, Web, RDS, 3306)
	expectAllowed(t, baseStack().model(t), ALB, Web, 80) // no association anywhere
}

func TestSecurityGroupDefaultEgress(t *testing.T) {
	t.Run("no inline egress: allow all", func(t *testing.T) {
		expectAllowed(t, baseStack().model(t), Web, Internet, 8080)
	})
	t.Run("inline egress replaces the default", func(t *testing.T) {
		s := baseStack()
		s.props("WebSg")["SecurityGroupEgress"] = arr{tcp(443, 443, cidrIP("0.0.0.0/0"))}
		m := s.model(t)
		expectAllowed(t, m, Web, Internet, 443)
		r := expectBlocked(t, m, Web, Internet, 80, SGNoEgress)
		if r.Resource != "Test/WebSg" || r.Direction != Outbound {
			t.Errorf("reason %+v, want WebSg outbound", r)
		}
	})
	t.Run("CDK's no-egress marker matches nothing", func(t *testing.T) {
		s := baseStack()
		s.props("WebSg")["SecurityGroupEgress"] = s.props("DbSg")["SecurityGroupEgress"]
		m := s.model(t)
		expectBlocked(t, m, Web, Internet, 443, SGNoEgress)
		expectBlocked(t, m, Web, RDS, 3306, SGNoEgress)
	})
	t.Run("standalone egress keeps the default", func(t *testing.T) {
		s := baseStack()
		s.add("WebOut443", "AWS::EC2::SecurityGroupEgress", merge(tcp(443, 443, cidrIP("0.0.0.0/0")), obj{"GroupId": groupID("WebSg")}))
		m := s.model(t)
		expectAllowed(t, m, Web, Internet, 80)
		if !slices.ContainsFunc(m.Notes(), func(n string) bool {
			return strings.Contains(n, "Test/WebSg") && strings.Contains(n, "allow-all egress")
		}) {
			t.Errorf("no note about WebSg's allow-all egress: %q", m.Notes())
		}
	})
}

func TestSecurityGroupReferences(t *testing.T) {
	m := baseStack().model(t)
	expectAllowed(t, m, Web, RDS, 3306)
	r := expectBlocked(t, m, ALB, RDS, 3306, SGNoIngress)
	if r.Resource != "Test/DbSg" || r.Direction != Inbound {
		t.Errorf("reason %+v, want DbSg inbound", r)
	}

	s := baseStack()
	s.props("DbFromWeb")["SourceSecurityGroupId"] = groupID("AlbSg")
	m = s.model(t)
	expectAllowed(t, m, ALB, RDS, 3306)
	expectBlocked(t, m, Web, RDS, 3306, SGNoIngress)

	// Egress by reference: the web tier may send only to the database group.
	s = baseStack()
	s.props("WebSg")["SecurityGroupEgress"] = arr{tcp(3306, 3306, obj{"DestinationSecurityGroupId": groupID("DbSg")})}
	m = s.model(t)
	expectAllowed(t, m, Web, RDS, 3306)
	expectBlocked(t, m, Web, Internet, 443, SGNoEgress)

	// A CIDR source given as the VPC's CidrBlock attribute.
	s = baseStack()
	s.props("DbSg")["SecurityGroupIngress"] = arr{tcp(3306, 3306, obj{"CidrIp": getAtt("Vpc", "CidrBlock")})}
	expectAllowed(t, s.model(t), ALB, RDS, 3306)

	// All protocols by reference, with the string form of Fn::GetAtt.
	s = baseStack()
	s.props("DbSg")["SecurityGroupIngress"] = arr{obj{"IpProtocol": "-1", "SourceSecurityGroupId": obj{"Fn::GetAtt": "AlbSg.GroupId"}}}
	expectAllowed(t, s.model(t), ALB, RDS, 5432)
}

// twoStacks splits baseStack: the network and its groups in "Net", which
// exports them; the workloads in "App", which imports them. The web tier is
// an Auto Scaling group whose subnets arrive as Fn::Split of an exported
// Fn::Join, as CDK passes lists.
func twoStacks() (netStack, app *stack) {
	netStack = baseStack()
	for _, id := range []string{"Alb", "Web", "DbSubnets", "Db"} {
		netStack.remove(id)
	}
	netStack.export("OutPublicA", "Net:PublicA", ref("PublicA"))
	netStack.export("OutPrivateA", "Net:PrivateA", ref("PrivateA"))
	netStack.export("OutPrivate", "Net:PrivateSubnets", obj{"Fn::Join": arr{",", arr{ref("PrivateA")}}})
	for _, g := range []string{"AlbSg", "WebSg", "DbSg"} {
		netStack.export("Out"+g, "Net:"+g, groupID(g))
	}
	app = newStack()
	app.add("Alb", "AWS::ElasticLoadBalancingV2::LoadBalancer", obj{
		"Subnets": arr{importValue("Net:PublicA")}, "SecurityGroups": arr{importValue("Net:AlbSg")}})
	app.add("WebLt", "AWS::EC2::LaunchTemplate", obj{"LaunchTemplateData": obj{
		"SecurityGroupIds": arr{importValue("Net:WebSg")}}})
	app.add("WebAsg", "AWS::AutoScaling::AutoScalingGroup", obj{
		"LaunchTemplate":    obj{"LaunchTemplateId": ref("WebLt"), "Version": getAtt("WebLt", "LatestVersionNumber")},
		"VPCZoneIdentifier": obj{"Fn::Split": arr{",", importValue("Net:PrivateSubnets")}}})
	app.add("DbSubnets", "AWS::RDS::DBSubnetGroup", obj{"SubnetIds": arr{importValue("Net:PrivateA")}})
	app.add("Db", "AWS::RDS::DBInstance", obj{"DBSubnetGroupName": ref("DbSubnets"),
		"VPCSecurityGroups": arr{importValue("Net:DbSg")}, "PubliclyAccessible": "false"})
	return netStack, app
}

// checkTwoStacks: the network of twoStacks (or weakStacks), with every
// workload placed through its cross-stack references, as built.
func checkTwoStacks(t *testing.T, m *Model) {
	t.Helper()
	for _, e := range []Endpoint{ALB, Web, RDS, NAT} {
		if len(m.Placements(e)) != 1 {
			t.Errorf("%s placements %q, want one", e, m.Placements(e))
		}
	}
	expectAllowed(t, m, Internet, ALB, 80)
	expectAllowed(t, m, ALB, Web, 80)
	expectAllowed(t, m, Web, RDS, 3306)
	expectAllowed(t, m, Web, Internet, 443)
	expectBlocked(t, m, ALB, RDS, 3306, SGNoIngress)
	expectBlocked(t, m, Internet, Web, 80, NoPublicAddress)
	if n := m.Notes(); len(n) != 0 {
		t.Errorf("unexpected notes: %q", n)
	}
}

func TestImportValueAcrossStacks(t *testing.T) {
	netStack, app := twoStacks()
	m, err := FromTemplates(map[string]map[string]any{"Net": netStack.t, "App": app.t})
	if err != nil {
		t.Fatal(err)
	}
	checkTwoStacks(t, m)

	// An import nothing exports leaves the database unplaced, and says so.
	app.props("DbSubnets")["SubnetIds"] = arr{importValue("Net:Nope")}
	m, err = FromTemplates(map[string]map[string]any{"Net": netStack.t, "App": app.t})
	if err != nil {
		t.Fatal(err)
	}
	r := m.Check(Web, RDS, 3306)
	if r.Verdict != VerdictUnknown || codes(r)[0] != NoEndpoint {
		t.Errorf("web -> rds: %s %v, want unknown NO_ENDPOINT", r.Verdict, codes(r))
	}
	if !slices.ContainsFunc(m.Notes(), func(n string) bool { return strings.Contains(n, `"Net:Nope"`) }) {
		t.Errorf("no note names the missing export: %q", m.Notes())
	}
}

// weakStacks splits baseStack as twoStacks does, but the way CDK writes weak
// cross-stack references: "Net" publishes plain outputs (no Export) and "App"
// reads them with Fn::GetStackOutput naming the stack "Net" in region (none
// when ""). The web tier's subnets are a list of references, as CDK writes
// VPCZoneIdentifier.
func weakStacks(region string) (netStack, app *stack) { return weakStacksOf("Net", region) }

// weakStacksOf is weakStacks with the network stack named netName.
func weakStacksOf(netName, region string) (netStack, app *stack) {
	netStack = baseStack()
	for _, id := range []string{"Alb", "Web", "DbSubnets", "Db"} {
		netStack.remove(id)
	}
	out := func(name string) obj { return stackOutput(netName, region, name) }
	netStack.output("PublishOutputRefPublicA", ref("PublicA"))
	netStack.output("PublishOutputRefPrivateA", ref("PrivateA"))
	for _, g := range []string{"AlbSg", "WebSg", "DbSg"} {
		netStack.output("PublishOutputGroupId"+g, groupID(g))
	}
	app = newStack()
	app.add("Alb", "AWS::ElasticLoadBalancingV2::LoadBalancer", obj{
		"Subnets": arr{out("PublishOutputRefPublicA")}, "SecurityGroups": arr{out("PublishOutputGroupIdAlbSg")}})
	app.add("WebLt", "AWS::EC2::LaunchTemplate", obj{"LaunchTemplateData": obj{"NetworkInterfaces": arr{obj{
		"DeviceIndex": 0, "AssociatePublicIpAddress": false, "Groups": arr{out("PublishOutputGroupIdWebSg")}}}}})
	app.add("WebAsg", "AWS::AutoScaling::AutoScalingGroup", obj{
		"LaunchTemplate":    obj{"LaunchTemplateId": ref("WebLt"), "Version": getAtt("WebLt", "LatestVersionNumber")},
		"VPCZoneIdentifier": arr{out("PublishOutputRefPrivateA")}})
	app.add("DbSubnets", "AWS::RDS::DBSubnetGroup", obj{"SubnetIds": arr{out("PublishOutputRefPrivateA")}})
	app.add("Db", "AWS::RDS::DBInstance", obj{"DBSubnetGroupName": ref("DbSubnets"),
		"VPCSecurityGroups": arr{out("PublishOutputGroupIdDbSg")}, "PubliclyAccessible": "false"})
	return netStack, app
}

func TestGetStackOutputAcrossStacks(t *testing.T) {
	for _, region := range []string{"", "us-east-1"} {
		t.Run("region "+region, func(t *testing.T) {
			netStack, app := weakStacks(region)
			m, err := build(map[string]map[string]any{"Net": netStack.t, "App": app.t}, map[string]string{"Net": "us-east-1", "App": "us-east-1"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkTwoStacks(t, m)
		})
	}

	// Each unresolvable reference leaves the database unplaced and says why.
	for _, tc := range []struct {
		name     string
		ref      obj
		regions  map[string]string
		wantNote string
	}{
		{"unknown stack", stackOutput("Nope", "", "PublishOutputRefPrivateA"), nil,
			`App: Fn::GetStackOutput Nope.PublishOutputRefPrivateA: no stack named "Nope" in the assembly`},
		{"unknown output", stackOutput("Net", "", "PublishOutputNope"), nil,
			`App: Fn::GetStackOutput Net.PublishOutputNope: stack "Net" has no output "PublishOutputNope"`},
		{"other region", stackOutput("Net", "eu-west-1", "PublishOutputRefPrivateA"), map[string]string{"Net": "us-east-1"},
			`App: Fn::GetStackOutput Net.PublishOutputRefPrivateA: stack "Net" is in region us-east-1, not eu-west-1: not resolved`},
		{"computed stack name", obj{"Fn::GetStackOutput": obj{"StackName": ref("AWS::StackName"), "OutputName": "X"}}, nil,
			"App: Fn::GetStackOutput of a computed or missing StackName or OutputName is not resolved"},
		{"no output name", obj{"Fn::GetStackOutput": obj{"StackName": "Net"}}, nil,
			"App: Fn::GetStackOutput of a computed or missing StackName or OutputName is not resolved"},
		{"malformed argument", obj{"Fn::GetStackOutput": "Net.PublishOutputRefPrivateA"}, nil,
			"App: Fn::GetStackOutput of a computed or missing StackName or OutputName is not resolved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			netStack, app := weakStacks("")
			app.props("DbSubnets")["SubnetIds"] = arr{tc.ref}
			m, err := build(map[string]map[string]any{"Net": netStack.t, "App": app.t}, tc.regions, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := m.Check(Web, RDS, 3306)
			if r.Verdict != VerdictUnknown || codes(r)[0] != NoEndpoint {
				t.Errorf("web -> rds: %s %v, want unknown NO_ENDPOINT", r.Verdict, codes(r))
			}
			if !slices.Contains(m.Notes(), tc.wantNote) {
				t.Errorf("notes %q lack %q", m.Notes(), tc.wantNote)
			}
			expectAllowed(t, m, ALB, Web, 80) // the other references still resolve
		})
	}

	// A region that matches, or a stack whose region is unknown, resolves.
	netStack, app := weakStacks("eu-west-1")
	for _, regions := range []map[string]string{nil, {"Net": "eu-west-1"}} {
		m, err := build(map[string]map[string]any{"Net": netStack.t, "App": app.t}, regions, nil)
		if err != nil {
			t.Fatal(err)
		}
		expectAllowed(t, m, Web, RDS, 3306)
	}
}

func TestImportValueAndGetStackOutputMix(t *testing.T) {
	// An output that is both exported and read by Fn::GetStackOutput, and a
	// Fn::GetStackOutput whose output is itself an Fn::ImportValue.
	netStack, app := twoStacks()
	netStack.output("PublishOutputRefPrivateA", ref("PrivateA"))
	relay := newStack().output("Subnets", importValue("Net:PrivateA"))
	app.props("DbSubnets")["SubnetIds"] = arr{stackOutput("Relay", "", "Subnets")}
	app.props("Alb")["Subnets"] = arr{stackOutput("Net", "", "OutPublicA")}
	m, err := FromTemplates(map[string]map[string]any{"Net": netStack.t, "App": app.t, "Relay": relay.t})
	if err != nil {
		t.Fatal(err)
	}
	expectAllowed(t, m, Internet, ALB, 80)
	expectAllowed(t, m, Web, RDS, 3306)
	if n := m.Notes(); len(n) != 0 {
		t.Errorf("unexpected notes: %q", n)
	}
}

func TestDuplicateExportIsAnError(t *testing.T) {
	a, b := newStack(), newStack()
	a.export("X", "Same", "1")
	b.export("Y", "Same", "2")
	if _, err := FromTemplates(map[string]map[string]any{"A": a.t, "B": b.t}); err == nil {
		t.Error("want an error for an export declared twice")
	}
}

// natACLs gives the NAT path its exact NACL entries: web's PrivateA and the
// NAT gateway's PublicA, for TCP 443 and the replies.
func natACLs() *stack {
	return baseStack().
		acl("PrivAcl", []string{"PrivateA"},
			"out 100 allow 0.0.0.0/0 443",        // Entry0: leg 1 leaves web's subnet
			"in 100 allow 0.0.0.0/0 1024-65535"). // Entry1: the reply reaches web's subnet
		acl("PubAcl", []string{"PublicA"},
			"in 100 allow 10.0.2.0/24 443",         // Entry0: leg 1 reaches the NAT subnet
			"out 100 allow 0.0.0.0/0 443",          // Entry1: leg 2 leaves for the internet
			"in 110 allow 0.0.0.0/0 1024-65535",    // Entry2: leg 2's reply comes back
			"out 110 allow 10.0.2.0/24 1024-65535") // Entry3: the reply is forwarded to web
}

func TestNATBothLegs(t *testing.T) {
	expectAllowed(t, natACLs().model(t), Web, Internet, 443)
	for _, tc := range []struct {
		remove string
		acl    string
		dir    Direction
		port   int
	}{
		{"PrivAclEntry0", "Test/PrivAcl", Outbound, 443},
		{"PrivAclEntry1", "Test/PrivAcl", Inbound, EphemeralPort},
		{"PubAclEntry0", "Test/PubAcl", Inbound, 443},
		{"PubAclEntry1", "Test/PubAcl", Outbound, 443},
		{"PubAclEntry2", "Test/PubAcl", Inbound, EphemeralPort},
		{"PubAclEntry3", "Test/PubAcl", Outbound, EphemeralPort},
	} {
		t.Run("without "+tc.remove, func(t *testing.T) {
			m := natACLs().remove(tc.remove).model(t)
			r := m.Check(Web, Internet, 443)
			if r.Verdict != VerdictBlock || len(r.Reasons) != 1 {
				t.Fatalf("web -> internet 443: %s, want block for exactly one reason:\n%s", r.Verdict, reasonLines(r))
			}
			got := r.Reasons[0]
			if got.Code != NACLDeny || got.Resource != tc.acl || got.Direction != tc.dir || got.Port != tc.port {
				t.Errorf("reason %+v, want NACL_DENY %s %s port %d", got, tc.acl, tc.dir, tc.port)
			}
		})
	}
	t.Run("NAT gateway's subnet routes back to a NAT gateway", func(t *testing.T) {
		s := baseStack()
		delete(s.props("PublicARoute"), "GatewayId")
		s.props("PublicARoute")["NatGatewayId"] = ref("Nat")
		r := expectBlocked(t, s.model(t), Web, Internet, 443, NoRoute)
		if r.Resource != "Test/PublicARt" {
			t.Errorf("reason %+v, want PublicARt", r)
		}
		expectBlocked(t, s.model(t), NAT, Internet, 443, NoRoute)
	})
	t.Run("private NAT gateway", func(t *testing.T) {
		s := baseStack()
		delete(s.props("Nat"), "AllocationId")
		s.props("Nat")["ConnectivityType"] = "private"
		r := expectBlocked(t, s.model(t), Web, Internet, 443, NoPublicAddress)
		if r.Resource != "Test/Nat" {
			t.Errorf("reason %+v, want the NAT gateway", r)
		}
	})
	t.Run("web's subnet has no route to the internet", func(t *testing.T) {
		s := baseStack().remove("PrivateARoute")
		expectBlocked(t, s.model(t), Web, Internet, 443, NoRoute)
	})
}

func TestNATAcceptsNoInboundConnections(t *testing.T) {
	m := baseStack().model(t)
	r := expectBlocked(t, m, Internet, NAT, 443, NATInbound)
	if r.Resource != "Test/Nat" {
		t.Errorf("reason %+v, want the NAT gateway", r)
	}
	expectBlocked(t, m, Web, NAT, 443, NATInbound)
	expectBlocked(t, m, NAT, Web, 443, NATOutboundOnly)
}

func TestPublicAddressRequired(t *testing.T) {
	// The web instance in the public subnet, open to the internet on 80.
	publicWeb := func() *stack {
		s := baseStack()
		s.props("Web")["SubnetId"] = ref("PublicA")
		s.add("WebFromAnywhere", "AWS::EC2::SecurityGroupIngress", merge(tcp(80, 80, cidrIP("0.0.0.0/0")), obj{"GroupId": groupID("WebSg")}))
		return s
	}
	t.Run("no public IP", func(t *testing.T) {
		m := publicWeb().model(t)
		r := m.Check(Internet, Web, 80)
		if !slices.Equal(codes(r), []Code{NoPublicAddress}) {
			t.Errorf("internet -> web: %v, want only NO_PUBLIC_ADDRESS\n%s", codes(r), reasonLines(r))
		}
		expectBlocked(t, m, Web, Internet, 443, NoPublicAddress) // through the internet gateway
	})
	t.Run("subnet maps public IPs", func(t *testing.T) {
		s := publicWeb()
		s.props("PublicA")["MapPublicIpOnLaunch"] = true
		expectAllowed(t, s.model(t), Internet, Web, 80)
		expectAllowed(t, s.model(t), Web, Internet, 443)
	})
	t.Run("network interface associates a public IP", func(t *testing.T) {
		s := publicWeb()
		delete(s.props("Web"), "SubnetId")
		delete(s.props("Web"), "SecurityGroupIds")
		s.props("Web")["NetworkInterfaces"] = arr{obj{"DeviceIndex": "0", "SubnetId": ref("PublicA"),
			"GroupSet": arr{groupID("WebSg")}, "AssociatePublicIpAddress": true}}
		expectAllowed(t, s.model(t), Internet, Web, 80)
	})
	t.Run("an Elastic IP", func(t *testing.T) {
		s := publicWeb()
		s.add("WebEip", "AWS::EC2::EIP", obj{"InstanceId": ref("Web")})
		expectAllowed(t, s.model(t), Internet, Web, 80)
	})
	t.Run("public IP but the subnet routes to a NAT gateway", func(t *testing.T) {
		s := publicWeb()
		s.props("Web")["SubnetId"] = ref("PrivateA")
		s.add("WebEip", "AWS::EC2::EIP", obj{"InstanceId": ref("Web")})
		r := s.model(t).Check(Internet, Web, 80)
		if !slices.Equal(codes(r), []Code{NoRoute}) {
			t.Errorf("internet -> web: %v, want only NO_ROUTE\n%s", codes(r), reasonLines(r))
		}
	})
	t.Run("internal load balancer", func(t *testing.T) {
		s := baseStack()
		s.props("Alb")["Scheme"] = "internal"
		expectBlocked(t, s.model(t), Internet, ALB, 80, NoPublicAddress)
	})
	t.Run("internet gateway detached", func(t *testing.T) {
		s := baseStack().remove("IgwAttach")
		r := expectBlocked(t, s.model(t), Internet, ALB, 80, IGWNotAttached)
		if r.Resource != "Test/Igw" {
			t.Errorf("reason %+v, want the gateway", r)
		}
	})
	t.Run("publicly accessible database in a public subnet", func(t *testing.T) {
		s := baseStack()
		s.props("DbSubnets")["SubnetIds"] = arr{ref("PublicA")}
		s.add("DbFromAnywhere", "AWS::EC2::SecurityGroupIngress", merge(tcp(3306, 3306, cidrIP("0.0.0.0/0")), obj{"GroupId": groupID("DbSg")}))
		expectBlocked(t, s.model(t), Internet, RDS, 3306, NoPublicAddress)
		s.props("Db")["PubliclyAccessible"] = true
		expectAllowed(t, s.model(t), Internet, RDS, 3306)
		delete(s.props("Db"), "PubliclyAccessible") // RDS default: public when the VPC has an internet gateway
		expectAllowed(t, s.model(t), Internet, RDS, 3306)
	})
}

func TestMostSpecificRoute(t *testing.T) {
	t.Run("a narrower route to the internet gateway wins over 0.0.0.0/0 to NAT", func(t *testing.T) {
		s := baseStack()
		s.add("PrivateANarrow", "AWS::EC2::Route", obj{"RouteTableId": ref("PrivateARt"), "DestinationCidrBlock": "198.51.100.0/24", "GatewayId": ref("Igw")})
		r := expectBlocked(t, s.model(t), Web, Internet, 443, NoPublicAddress)
		if !strings.Contains(r.Message, "198.51.100.0/24") {
			t.Errorf("message %q does not name the route used", r.Message)
		}
	})
	t.Run("a narrower route to NAT wins over 0.0.0.0/0 to the internet gateway", func(t *testing.T) {
		s := baseStack()
		delete(s.props("PrivateARoute"), "NatGatewayId")
		s.props("PrivateARoute")["GatewayId"] = ref("Igw")
		expectBlocked(t, s.model(t), Web, Internet, 443, NoPublicAddress)
		s.add("PrivateANarrow", "AWS::EC2::Route", obj{"RouteTableId": ref("PrivateARt"), "DestinationCidrBlock": "198.51.0.0/16", "NatGatewayId": ref("Nat")})
		expectAllowed(t, s.model(t), Web, Internet, 443)
	})
	t.Run("a route narrower than the VPC overrides the local route", func(t *testing.T) {
		s := baseStack()
		s.add("PublicToPrivate", "AWS::EC2::Route", obj{"RouteTableId": ref("PublicARt"), "DestinationCidrBlock": "10.0.2.0/24", "NatGatewayId": ref("Nat")})
		r := expectBlocked(t, s.model(t), ALB, Web, 80, NoRoute)
		if r.Resource != "Test/PublicARt" {
			t.Errorf("reason %+v, want PublicARt", r)
		}
	})
	t.Run("a route wider than the VPC does not", func(t *testing.T) {
		s := baseStack()
		s.add("PublicTo10", "AWS::EC2::Route", obj{"RouteTableId": ref("PublicARt"), "DestinationCidrBlock": "10.0.0.0/8", "NatGatewayId": ref("Nat")})
		expectAllowed(t, s.model(t), ALB, Web, 80)
	})
	t.Run("a subnet without association uses the main route table", func(t *testing.T) {
		s := baseStack().remove("PrivateARtAssoc")
		r := expectBlocked(t, s.model(t), Web, Internet, 443, NoRoute)
		if !strings.Contains(r.Message, "main route table") {
			t.Errorf("message %q does not name the main route table", r.Message)
		}
		expectAllowed(t, s.model(t), ALB, Web, 80) // the local route remains
	})
	t.Run("an unfollowed target", func(t *testing.T) {
		s := baseStack()
		delete(s.props("PrivateARoute"), "NatGatewayId")
		s.props("PrivateARoute")["TransitGatewayId"] = "tgw-0123"
		r := expectBlocked(t, s.model(t), Web, Internet, 443, NoRoute)
		if !strings.Contains(r.Message, "TransitGatewayId") {
			t.Errorf("message %q does not name the target", r.Message)
		}
	})
}

func TestVerdicts(t *testing.T) {
	// Two web subnets; the second one's ACL lets nothing in.
	s := baseStack()
	s.subnet("PrivateB", "10.0.4.0/24", "us-east-1b")
	s.acl("DenyAll", []string{"PrivateB"})
	s.add("WebB", "AWS::EC2::Instance", obj{"SubnetId": ref("PrivateB"), "SecurityGroupIds": arr{groupID("WebSg")}})
	m := s.model(t)
	r := m.Check(ALB, Web, 80)
	if r.Verdict != VerdictPartial || r.Allowed || len(r.Paths) != 2 {
		t.Fatalf("alb -> web: %s with %d paths, want partial with 2", r.Verdict, len(r.Paths))
	}
	for _, p := range r.Paths {
		if open := strings.Contains(p.To, "PrivateA"); p.Allowed != open {
			t.Errorf("path %s -> %s allowed=%v", p.From, p.To, p.Allowed)
		}
	}
	for _, x := range []Expectation{{From: ALB, To: Web, Port: 80, Allowed: true}, {From: ALB, To: Web, Port: 80}} {
		if x.Met(r) {
			t.Errorf("a partial result meets %s", x)
		}
	}

	for _, tc := range []struct {
		from, to Endpoint
		port     int
		code     Code
	}{
		{Internet, Internet, 80, InvalidFlow},
		{Internet, ALB, 0, InvalidFlow},
		{Internet, ALB, 70000, InvalidFlow},
	} {
		r := m.Check(tc.from, tc.to, tc.port)
		if r.Verdict != VerdictUnknown || !slices.Equal(codes(r), []Code{tc.code}) {
			t.Errorf("%s -> %s %d: %s %v, want unknown %s", tc.from, tc.to, tc.port, r.Verdict, codes(r), tc.code)
		}
	}
	empty := baseStack().remove("Alb").model(t)
	r = empty.Check(Internet, ALB, 80)
	if r.Verdict != VerdictUnknown || !slices.Equal(codes(r), []Code{NoEndpoint}) {
		t.Errorf("no load balancer: %s %v, want unknown NO_ENDPOINT", r.Verdict, codes(r))
	}
	if x := (Expectation{From: Internet, To: ALB, Port: 80}); x.Met(r) {
		t.Error("an unknown result meets an expected block")
	}
}

func TestUnresolvedValuesAreNoted(t *testing.T) {
	s := baseStack()
	s.props("PrivateA")["CidrBlock"] = obj{"Fn::Select": arr{0, obj{"Fn::Cidr": arr{"10.0.0.0/16", 4, 8}}}}
	m := s.model(t)
	if !slices.ContainsFunc(m.Notes(), func(n string) bool {
		return strings.Contains(n, "Test/PrivateA") && strings.Contains(n, "Fn::Select")
	}) {
		t.Errorf("no note about the opaque CidrBlock: %q", m.Notes())
	}
	if r := m.Check(ALB, Web, 80); r.Verdict != VerdictUnknown {
		t.Errorf("alb -> web: %s, want unknown: the web subnet is unreadable", r.Verdict)
	}
}

func TestMalformedTemplates(t *testing.T) {
	for name, tpl := range map[string]map[string]any{
		"resources not an object": {"Resources": arr{}},
		"resource without type":   {"Resources": obj{"X": obj{"Properties": obj{}}}},
		"outputs not an object":   {"Resources": obj{}, "Outputs": "x"},
	} {
		if _, err := FromTemplates(map[string]map[string]any{"S": tpl}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestWorkloadShapes(t *testing.T) {
	// The web tier as an Auto Scaling group in both subnets of baseStack,
	// open to the internet on 80 so that public addresses matter.
	asg := func(launch obj) *stack {
		s := baseStack().remove("Web")
		s.add("WebFromAnywhere", "AWS::EC2::SecurityGroupIngress", merge(tcp(80, 80, cidrIP("0.0.0.0/0")), obj{"GroupId": groupID("WebSg")}))
		s.add("WebAsg", "AWS::AutoScaling::AutoScalingGroup", merge(obj{"VPCZoneIdentifier": arr{ref("PublicA")}}, launch))
		return s
	}
	ltData := func(data obj) *stack {
		s := asg(obj{"LaunchTemplate": obj{"LaunchTemplateName": "web-lt", "Version": "1"}})
		s.add("WebLt", "AWS::EC2::LaunchTemplate", obj{"LaunchTemplateName": "web-lt", "LaunchTemplateData": data})
		return s
	}
	for _, tc := range []struct {
		name   string
		s      *stack
		public bool
	}{
		{"launch template by name, SecurityGroupIds", ltData(obj{"SecurityGroupIds": arr{groupID("WebSg")}}), false},
		{"launch template network interface with a public IP", ltData(obj{"NetworkInterfaces": arr{
			obj{"DeviceIndex": 0, "Groups": arr{groupID("WebSg")}, "AssociatePublicIpAddress": true}}}), true},
		{"mixed instances policy", func() *stack {
			s := asg(obj{"MixedInstancesPolicy": obj{"LaunchTemplate": obj{"LaunchTemplateSpecification": obj{"LaunchTemplateId": ref("WebLt")}}}})
			return s.add("WebLt", "AWS::EC2::LaunchTemplate", obj{"LaunchTemplateData": obj{"SecurityGroupIds": arr{groupID("WebSg")}}})
		}(), false},
		{"launch configuration", func() *stack {
			s := asg(obj{"LaunchConfigurationName": ref("WebLc")})
			return s.add("WebLc", "AWS::AutoScaling::LaunchConfiguration", obj{"SecurityGroups": arr{groupID("WebSg")}, "AssociatePublicIpAddress": true})
		}(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.s.model(t)
			if len(m.Placements(Web)) != 1 {
				t.Fatalf("web placements %q, notes %q", m.Placements(Web), m.Notes())
			}
			expectAllowed(t, m, ALB, Web, 80) // the group was found: it admits the ALB
			if tc.public {
				expectAllowed(t, m, Internet, Web, 80)
			} else {
				expectBlocked(t, m, Internet, Web, 80, NoPublicAddress)
			}
		})
	}

	t.Run("no security group: the VPC's default group", func(t *testing.T) {
		s := baseStack()
		delete(s.props("Web"), "SecurityGroupIds")
		m := s.model(t)
		expectBlocked(t, m, ALB, Web, 80, SGNoIngress)
		expectBlocked(t, m, Web, RDS, 3306, SGNoIngress)
		expectAllowed(t, m, Web, Internet, 443) // the default group allows all egress
	})
	t.Run("network load balancer without groups", func(t *testing.T) {
		s := baseStack()
		s.props("Alb")["Type"] = "network"
		delete(s.props("Alb"), "SecurityGroups")
		m := s.model(t)
		expectAllowed(t, m, Internet, ALB, 8080)
		expectBlocked(t, m, ALB, Web, 80, SGNoIngress) // web admits only the ALB group
	})
	t.Run("DB subnet group by literal name, instance pinned to a zone", func(t *testing.T) {
		s := baseStack()
		s.subnet("PrivateB", "10.0.4.0/24", "us-east-1b")
		s.props("DbSubnets")["DBSubnetGroupName"] = "DB-Subnets"
		s.props("DbSubnets")["SubnetIds"] = arr{ref("PrivateA"), ref("PrivateB")}
		s.props("Db")["DBSubnetGroupName"] = "db-subnets"
		if got := s.model(t).Placements(RDS); len(got) != 2 {
			t.Errorf("rds placements %q, want both subnets", got)
		}
		s.props("Db")["AvailabilityZone"] = "us-east-1b"
		got := s.model(t).Placements(RDS)
		if len(got) != 1 || !strings.Contains(got[0], "PrivateB") {
			t.Errorf("rds placements %q, want PrivateB only", got)
		}
	})
}

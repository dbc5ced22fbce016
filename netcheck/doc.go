// Package netcheck answers, from synthesized CloudFormation alone, whether TCP
// traffic from one endpoint can reach another on a port, and when it cannot,
// why: in the spirit of VPC Reachability Analyzer, before anything is
// deployed. It is plain Go: no jsii, no AWS calls, no deployed resources.
//
// # Use
//
// Synthesize (npx cdk synth), then load the cloud assembly and ask. A team
// that must prove the internet cannot reach its database on 3306 adds a test
// beside its CDK app:
//
//	import "github.com/project-1/project-1/netcheck"
//
//	func TestDatabaseNotOnTheInternet(t *testing.T) {
//		stages, err := netcheck.LoadStages("../cdk.out")
//		if err != nil {
//			t.Fatal(err)
//		}
//		for _, s := range stages {
//			if s.Model.Empty() {
//				continue // stacks that declare no network, such as a pipeline's
//			}
//			r := s.Model.Check(netcheck.Internet, netcheck.RDS, 3306)
//			if r.Verdict != netcheck.VerdictBlock {
//				t.Errorf("stage %q: internet -> rds 3306 is %s, want block", s.Name, r.Verdict)
//			}
//		}
//	}
//
// With one stage, Load returns its Model directly. A Result holds every Path
// from a source placement to a destination placement, each with the Reasons
// it is closed, so a partial opening is told from a block (see ExampleLoad),
// and the Grants that let it through (the route, NACL entries and
// security-group rules, by logical id), so that comparing a flow in two
// versions of an assembly names the rule that opened or closed it.
// A table of expected flows, in the format of cmd/netcheck's expected.txt, is
// read by ParseExpectations and judged by Expectation.Met (see
// ExampleLoadStages); Model.Mermaid draws the network.
//
// # Input
//
// LoadStages reads a cloud assembly (cdk.out): manifest.json, every
// aws:cloudformation:stack artifact, and every nested cdk:cloud-assembly (a
// CDK Stage) recursively. Each stage (the stacks of one nested assembly, or
// those at the top level) is a separate network with its own Model: the
// environments of `cdk synth -c env=all` or of a pipeline reuse the same
// logical ids, and are never paired with each other. A stage whose stacks
// declare no network, such as a pipeline's own stacks, has an empty Model
// (Model.Empty). Load returns the model of the one stage with a network, and
// fails when there are several. FromTemplates takes parsed templates
// directly, keyed by stack name, and models them as one network, so a test
// can mutate them and re-analyse (LoadTemplates, CloneTemplates).
// ReadAssembly returns every stack with its stage, region, termination
// protection and template, and StagesOf models such a list stage by stage:
// a caller that builds stacks another way (from a directory of templates,
// say) gets the same stages.
//
// Values resolve through Ref, Fn::GetAtt (a security group's GroupId, a
// VPC's CidrBlock), Fn::ImportValue (the output of any stack whose
// Export.Name is that literal string, resolved in the exporting stack),
// Fn::GetStackOutput (CDK's weak cross-stack references: the output
// OutputName of the stack whose stack name is StackName, resolved in that
// stack; a Region that is not the stack's region, when the manifest gives it,
// leaves it unresolved) and Fn::Split of an exported Fn::Join. References
// resolve across every stack of the assembly, whatever its stage; but a
// resource of another stage is not part of a stage's network, so what refers
// to another stage's subnets or security groups is left out. Other
// intrinsics are opaque: what depends on them is left out, and Model.Notes
// says so.
//
// # Endpoints and placements
//
// The endpoints are internet, alb (load balancers), web (Auto Scaling groups
// and EC2 instances), rds (DB instances) and nat (NAT gateways). Each resource
// of an endpoint is placed in each of its subnets: a load balancer in every
// subnet it lists, an Auto Scaling group in every VPCZoneIdentifier subnet, a
// DB instance in every subnet of its DB subnet group (of its
// AvailabilityZone, when set). A placement has a representative private
// address in its subnet (.10 alb, .20 web, .30 rds, .40 nat, after the four
// addresses AWS reserves), the resource's security groups (the VPC's default
// group when it names none) and whether it has a public IPv4 address: an
// internet-facing load balancer; an instance whose launch template or
// network interface sets AssociatePublicIpAddress, else whose subnet sets
// MapPublicIpOnLaunch, or that has an Elastic IP; a DB instance with
// PubliclyAccessible (when unset, RDS makes it public if the VPC has an
// internet gateway); a NAT gateway with an Elastic IP. The internet is one
// address, InternetAddress.
//
// Check evaluates every pair of a source placement and a destination
// placement, so every zone pairing the architecture relies on is proved (a
// load balancer in one zone sends to targets in both; a web instance in
// either zone queries a database that may fail over to the other). The
// verdict is allow when every path is open, block when none is,
// intermittent when none is blocked but some drop replies on part of the
// ephemeral range (below), partial otherwise; each Path carries its own
// reasons. An expected "allow" needs every path open and an expected "block"
// needs every path closed.
//
// # Rules modelled
//
// Routing: a subnet uses its associated route table (else the VPC's main
// table, which holds only the local route). The most specific matching route
// wins, the VPC's local route winning a tie. Traffic between placements of
// one VPC must use the local route both ways.
//
// Internet: internet -> X needs X to have a public address and X's subnet to
// route the internet to an internet gateway attached to the VPC (the reply
// path). X -> internet through a gateway route needs the same. X -> internet
// through a NAT route crosses X's subnet and the NAT gateway's subnet: leg 1
// (X's ACL outbound to the internet address on the port; the NAT subnet's ACL
// inbound from X's address on the port), leg 2 (the NAT subnet routes the
// internet to an attached internet gateway; the gateway has an Elastic IP;
// its ACL allows the port out and the ephemeral reply in), and the reply
// back (the NAT subnet's ACL outbound to X on the ephemeral port; X's ACL
// inbound from the internet address on the ephemeral port). NAT gateways
// accept no new inbound connections and open none into the VPC.
//
// Network ACLs are stateless: each subnet crossed is checked inbound and
// outbound, for the request on the port and for the reply on EphemeralPort,
// rules in number order, first match wins, then the implicit deny. They do
// not apply between two addresses of one subnet. A subnet with no ACL
// association uses the VPC's default ACL, which allows everything.
//
// A reply goes back to the port the client opened the connection from, any
// port of the client's ephemeral range (EphemeralRange: 1024-65535 for
// NAT gateways, load balancers and internet clients, 32768-60999 for the
// Linux web tier). A reply allowed on EphemeralPort is also evaluated over
// that whole range: a rule that denies part of it (a deny of 3389 ahead of
// the ephemeral allow, say), or a gap the implicit deny fills, drops the
// connections whose client port falls there, at random. Such a path is
// Intermittent, not Allowed, with a NACL_EPHEMERAL_GAP reason per rule that
// names the ports and the share of connections lost; a flow none of whose
// paths is blocked but some intermittent is VerdictIntermittent, which
// meets neither an expected allow nor an expected block. Gaps are reported
// only on paths that are otherwise open.
//
// Security groups are stateful (replies pass) and allow-only: the source's
// egress and the destination's ingress must both allow the flow, by CIDR
// block or by security-group reference (the peer is a member of the group).
// Inline and standalone (AWS::EC2::SecurityGroupIngress/Egress) rules count
// alike. As in CloudFormation, a group created with no inline
// SecurityGroupEgress keeps its allow-all egress rule, even when standalone
// egress rules are added to it; CDK's "no egress" marker (255.255.255.255/32
// ICMP 252-86) is an inline rule that matches nothing. NAT gateways and
// network load balancers without groups have none to check.
//
// # Limits
//
//   - TCP over IPv4 only; IPv6 and prefix-list routes and rules are ignored.
//   - One address stands for the internet: a rule that treats part of the
//     internet differently is judged by InternetAddress alone. Replies are
//     judged on EphemeralPort and, for gaps, over EphemeralRange of the
//     client's endpoint, which assumes Linux for every web instance: a
//     Windows tier (49152-65535) is checked on Linux's range.
//   - Only internet gateways and NAT gateways are followed as route targets;
//     peering, transit gateways, VPC endpoints, instances and interfaces as
//     targets are reported as unfollowed. Gateway VPC endpoints (S3,
//     DynamoDB) and their prefix-list routes are ignored.
//   - The load balancer's listeners and target groups are not read: alb ->
//     web checks the network path, not whether a listener forwards there.
//   - Every EC2 instance and Auto Scaling group is "web"; every DB instance is
//     "rds" (Aurora clusters are not read).
//   - Resources are what the templates declare. Anything created outside
//     CloudFormation, or behind an unresolved intrinsic, is not seen.
package netcheck

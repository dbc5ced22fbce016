package netcheck

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// diagramPorts are the ports Mermaid draws flows for when given none.
var diagramPorts = []int{22, 80, 443, 3306, 3389, 8080}

// Mermaid draws the model as a Mermaid flowchart: each VPC with its
// availability zones and subnets (CIDR, route table, network ACL), the
// internet gateways and NAT gateways, where each workload sits, the default
// routes (dotted), and the allowed flows (thick arrows labelled with ports)
// between placements; intermittent ones, whose replies a network ACL drops on
// part of the ephemeral range, are crossed arrows ("--x") labelled "replies
// partly dropped". Flows are evaluated on ports, or when none are given on
// 22, 80, 443, 3306, 3389 and 8080.
func (m *Model) Mermaid(ports ...int) string {
	if len(ports) == 0 {
		ports = diagramPorts
	}
	var b strings.Builder
	ids := map[any]string{internet: "internet"}
	id := func(x any, prefix string) string {
		if s, ok := ids[x]; ok {
			return s
		}
		s := prefix + strconv.Itoa(len(ids))
		ids[x] = s
		return s
	}
	line := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}

	line(0, "flowchart LR")
	line(1, "internet((%q))", "internet")
	igwsDrawn := map[*igw]bool{}
	for _, v := range m.vpcs {
		line(1, "subgraph %s[%s]", id(v, "vpc"), quote("VPC "+v.name+" "+v.cidr.String()))
		line(2, "direction TB")
		for _, g := range v.igws {
			if !igwsDrawn[g] {
				igwsDrawn[g] = true
				line(2, "%s{{%s}}", id(g, "igw"), quote("internet gateway "+g.name))
			}
		}
		for _, az := range m.zones(v) {
			line(2, "subgraph %s[%s]", id(v.key+"#"+az, "az"), quote(az))
			for _, s := range m.zoneSubnets(v, az) {
				line(3, "subgraph %s[%s]", id(s, "subnet"), quote(subnetTitle(s)))
				for _, e := range endpoints {
					for _, p := range m.placements[e] {
						if p.subnet == s {
							line(4, "%s%s", id(p, "p"), shape(p))
						}
					}
				}
				line(3, "end")
			}
			line(2, "end")
		}
		line(1, "end")
	}
	for _, v := range m.vpcs {
		for _, g := range v.igws {
			line(1, "internet --- %s", id(g, "igw"))
		}
	}
	for _, s := range m.subnets {
		if s.rt == nil {
			continue
		}
		for _, r := range s.rt.routes {
			target := ""
			switch {
			case r.igw != nil && igwsDrawn[r.igw]:
				target = id(r.igw, "igw")
			case r.nat != nil:
				for _, p := range m.placements[NAT] {
					if p.nat == r.nat {
						target = id(p, "p")
					}
				}
			}
			if target != "" {
				line(1, "%s -.->|%s| %s", id(s, "subnet"), quote(r.dest.String()), target)
			}
		}
	}

	// Allowed flows, one arrow per pair of placements.
	type edge struct {
		from, to     *placement
		intermittent bool
	}
	var order []edge
	open := map[edge][]string{}
	for _, from := range endpoints {
		for _, to := range endpoints {
			if from == to || to == NAT {
				continue
			}
			for _, s := range m.endpointPlacements(from) {
				for _, d := range m.endpointPlacements(to) {
					if s == d || s == internet && d == internet {
						continue
					}
					for _, port := range ports {
						p := path(s, d, port)
						if !p.Allowed && !p.Intermittent {
							continue
						}
						k := edge{s, d, p.Intermittent}
						if open[k] == nil {
							order = append(order, k)
						}
						open[k] = append(open[k], strconv.Itoa(port))
					}
				}
			}
		}
	}
	for _, k := range order {
		if k.intermittent {
			line(1, "%s --x|%s| %s", id(k.from, "p"), quote("TCP "+strings.Join(open[k], ", ")+": replies partly dropped"), id(k.to, "p"))
			continue
		}
		line(1, "%s ==>|%s| %s", id(k.from, "p"), quote("TCP "+strings.Join(open[k], ", ")), id(k.to, "p"))
	}
	return b.String()
}

// zones lists the availability zones of v's subnets, sorted.
func (m *Model) zones(v *vpc) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.subnets {
		if s.vpc == v && !seen[s.az] {
			seen[s.az] = true
			out = append(out, s.az)
		}
	}
	sort.Strings(out)
	return out
}

// zoneSubnets lists v's subnets in zone az by address.
func (m *Model) zoneSubnets(v *vpc, az string) []*subnet {
	var out []*subnet
	for _, s := range m.subnets {
		if s.vpc == v && s.az == az {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cidr.Addr().Less(out[j].cidr.Addr()) })
	return out
}

func subnetTitle(s *subnet) string {
	acl := "default ACL"
	if s.acl != nil {
		acl = "ACL " + s.acl.name
	}
	rt := "main route table"
	if s.rt != nil {
		rt = "RT " + s.rt.name
	}
	return fmt.Sprintf("%s %s<br/>%s, %s", s.name, s.cidr, rt, acl)
}

func shape(p *placement) string {
	label := string(p.endpoint) + ": " + strings.SplitN(p.name, " in ", 2)[0]
	if p.public {
		label += " (public IP)"
	}
	switch p.endpoint {
	case NAT:
		return "([" + quote(label) + "])"
	case RDS:
		return "[(" + quote(label) + ")]"
	}
	return "[" + quote(label) + "]"
}

// quote makes s a Mermaid string: in double quotes, with double quotes
// escaped as an entity.
func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}

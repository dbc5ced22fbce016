package test

import (
	"fmt"
	"slices"
	"testing"
)

// sgRule is one security group rule, inline or a separate resource, flattened.
// peer is a CIDR, or "sg:<logical id>" for a group reference.
type sgRule struct {
	peer     string
	protocol string
	from, to int
}

func (r sgRule) String() string { return fmt.Sprintf("%s %s %d-%d", r.peer, r.protocol, r.from, r.to) }

func toRule(p map[string]any, peerKey string) sgRule {
	r := sgRule{protocol: fmt.Sprint(p["IpProtocol"])}
	if id := ref(p[peerKey]); id != "" {
		r.peer = "sg:" + id
	} else {
		r.peer = fmt.Sprint(p["CidrIp"])
	}
	if v, ok := p["FromPort"].(float64); ok {
		r.from = int(v)
	}
	if v, ok := p["ToPort"].(float64); ok {
		r.to = int(v)
	}
	return r
}

// sgRules returns the ingress and egress rules of group, from its inline lists
// and from AWS::EC2::SecurityGroupIngress/Egress resources that name it.
func sgRules(s *stackOutput, group string) (ingress, egress []string) {
	body := s.resources("AWS::EC2::SecurityGroup")[group]
	for _, r := range asList(props(body)["SecurityGroupIngress"]) {
		ingress = append(ingress, toRule(r, "SourceSecurityGroupId").String())
	}
	for _, r := range asList(props(body)["SecurityGroupEgress"]) {
		egress = append(egress, toRule(r, "DestinationSecurityGroupId").String())
	}
	for _, r := range s.resources("AWS::EC2::SecurityGroupIngress") {
		if ref(props(r)["GroupId"]) == group {
			ingress = append(ingress, toRule(props(r), "SourceSecurityGroupId").String())
		}
	}
	for _, r := range s.resources("AWS::EC2::SecurityGroupEgress") {
		if ref(props(r)["GroupId"]) == group {
			egress = append(egress, toRule(props(r), "DestinationSecurityGroupId").String())
		}
	}
	slices.Sort(ingress)
	slices.Sort(egress)
	return ingress, egress
}

func asList(v any) []map[string]any {
	var out []map[string]any
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// TestNoDefaultEgress: CloudFormation gives a group that declares no inline
// egress an allow-all egress rule, whatever standalone egress resources add.
func TestNoDefaultEgress(t *testing.T) {
	s := stack(t, "Network")
	for id, body := range s.resources("AWS::EC2::SecurityGroup") {
		if len(asList(props(body)["SecurityGroupEgress"])) == 0 {
			t.Errorf("security group %s declares no inline egress: CloudFormation allows all egress", id)
		}
	}
}

func TestSecurityGroupChain(t *testing.T) {
	s := stack(t, "Network")
	groups := synthAll().stage.Network.SecurityGroups
	alb, web, db := logicalID(t, groups.Alb), logicalID(t, groups.Web), logicalID(t, groups.Database)
	functions := logicalID(t, groups.Functions)
	if n := len(s.resources("AWS::EC2::SecurityGroup")); n != 4 {
		t.Errorf("%d security groups, want 4 (ALB, EC2, RDS, functions)", n)
	}
	for _, tc := range []struct {
		name            string
		group           string
		ingress, egress []string
	}{
		// Without the inline marker, CloudFormation would keep its default
		// allow-all egress beside the separate group-to-group egress resources.
		{"ALB", alb,
			[]string{"0.0.0.0/0 tcp 443-443", "0.0.0.0/0 tcp 80-80"},
			[]string{"255.255.255.255/32 icmp 252-86", "sg:" + web + " tcp 443-443", "sg:" + web + " tcp 80-80"}},
		{"EC2", web,
			[]string{"sg:" + alb + " tcp 443-443", "sg:" + alb + " tcp 80-80"},
			[]string{"0.0.0.0/0 tcp 443-443", "0.0.0.0/0 tcp 80-80", "sg:" + db + " tcp 3306-3306"}},
		// The CDK's marker for "no egress": ICMP type 252 code 86 to 255.255.255.255/32,
		// which matches no traffic, replaces CloudFormation's default allow-all.
		{"RDS", db,
			[]string{"sg:" + web + " tcp 3306-3306"},
			[]string{"255.255.255.255/32 icmp 252-86"}},
		// The CDK's LogRetention function: HTTPS out to AWS APIs, nothing in.
		{"functions", functions, nil, []string{"0.0.0.0/0 tcp 443-443"}},
	} {
		ingress, egress := sgRules(s, tc.group)
		if !slices.Equal(ingress, tc.ingress) {
			t.Errorf("%s ingress:\n got %q\nwant %q", tc.name, ingress, tc.ingress)
		}
		if !slices.Equal(egress, tc.egress) {
			t.Errorf("%s egress:\n got %q\nwant %q", tc.name, egress, tc.egress)
		}
		if d, _ := props(s.resources("AWS::EC2::SecurityGroup")[tc.group])["GroupDescription"].(string); len(d) < 20 {
			t.Errorf("%s group description %q does not say what it is for", tc.name, d)
		}
	}
}

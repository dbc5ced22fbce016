package netcheck

import (
	"net/netip"
	"testing"
)

// TestRouteLookup: the most specific route wins; a route exactly as long as
// the VPC's block does not displace the local route (AWS keeps local traffic
// local unless a route is more specific than the VPC's CIDR).
func TestRouteLookup(t *testing.T) {
	v := &vpc{cidr: netip.MustParsePrefix("10.0.0.0/16")}
	toNat := &route{dest: netip.MustParsePrefix("0.0.0.0/0"), other: "nat"}
	sameAsVpc := &route{dest: netip.MustParsePrefix("10.0.0.0/16"), other: "peering"}
	narrower := &route{dest: netip.MustParsePrefix("10.0.4.0/24"), other: "firewall"}
	s := &subnet{vpc: v, rt: &routeTable{routes: []*route{toNat, sameAsVpc, narrower}}}
	for _, tc := range []struct {
		addr      string
		want      *route
		wantLocal bool
	}{
		{"10.0.2.20", nil, true},       // the tie: local, not the /16 route
		{"10.0.4.30", narrower, false}, // more specific than local
		{"8.8.8.8", toNat, false},      // outside the VPC
		{"10.1.0.1", toNat, false},     // outside the VPC, only the default route matches
	} {
		r, local := s.lookup(netip.MustParseAddr(tc.addr))
		if r != tc.want || local != tc.wantLocal {
			t.Errorf("lookup(%s) = %v, local %v; want %v, local %v", tc.addr, r, local, tc.want, tc.wantLocal)
		}
	}
	// Without a route table, only the local route.
	if r, local := (&subnet{vpc: v}).lookup(netip.MustParseAddr("10.0.2.20")); r != nil || !local {
		t.Errorf("main route table: %v, local %v; want local", r, local)
	}
}

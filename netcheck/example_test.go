package netcheck_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/project-1/project-1/netcheck"
)

// Another team asserts, against its own cloud assembly, that the internet
// cannot reach its database on 3306, and sees why not.
func ExampleLoad() {
	m, err := netcheck.Load("testdata/assembly") // a cdk.out directory
	if err != nil {
		log.Fatal(err)
	}
	r := m.Check(netcheck.Internet, netcheck.RDS, 3306)
	fmt.Println("internet -> rds 3306:", r.Verdict, "over", len(r.Paths), "paths")
	seen := map[netcheck.Code]bool{}
	for _, why := range r.Reasons {
		if !seen[why.Code] {
			seen[why.Code] = true
			fmt.Println(" ", why.Code, why.Resource)
		}
	}
	// Output:
	// internet -> rds 3306: block over 2 paths
	//   NO_PUBLIC_ADDRESS project-1-Workload/DatabaseB269D8BB
	//   NO_ROUTE project-1-Network/NetworkPrivateSubnet1RouteTable7DF91433
	//   NACL_DENY project-1-Network/NetworkPrivateAcl1899B2E2
	//   SG_NO_INGRESS project-1-Network/SecurityGroupsDatabase03711F2A
}

// An assembly of several stages, such as `cdk synth -c env=all` writes or a
// pipeline's, is checked stage by stage; the fixture has one stage.
func ExampleLoadStages() {
	stages, err := netcheck.LoadStages("testdata/assembly")
	if err != nil {
		log.Fatal(err)
	}
	table, err := netcheck.ParseExpectations(strings.NewReader(`
internet -> rds 3306 block
web      -> rds 3306 allow
`))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range stages {
		if s.Model.Empty() {
			continue // stacks without a network, such as a pipeline's
		}
		for _, x := range table {
			r := s.Model.Check(x.From, x.To, x.Port)
			check := "ok"
			if !x.Met(r) {
				check = "CONTRADICTS the table"
			}
			fmt.Printf("stage %s: %s -> %s %d: %s %s\n", s.Name, x.From, x.To, x.Port, r.Verdict, check)
		}
	}
	// Output:
	// stage project-1: internet -> rds 3306: block ok
	// stage project-1: web -> rds 3306: allow ok
}

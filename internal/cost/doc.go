// Package cost prices a synthesis: what each stage of a cloud assembly costs
// a month (730 hours), read from its templates and the dated price table of
// prices.go, offline, with no jsii and no AWS call. cmd/cost is its command;
// internal/review prices a change with Compare.
//
//	stacks, _ := netcheck.ReadAssembly("cdk.out")
//	stages, err := cost.Estimate(stacks, cost.Prices, cost.DefaultAssumptions())
//
// Each stage's lines are fixed (they run whether or not anyone uses the
// environment: NAT gateways, public IPv4 addresses, the load balancer's
// hours, the Auto Scaling group's instances and volumes, the database's
// instance and storage, KMS keys, secrets, alarms, dashboards) or
// usage-based (a unit price, and the figure at Assumptions). Every resource
// is priced, listed in NotPriced with the reason (a price the table lacks,
// a charge it does not model), or counted in Free with the reason; nothing
// is priced at zero silently. A stack is priced in its region, the
// manifest's or the one its stage's availability zones name; a region the
// table lacks is an error naming it.
//
// Every price records the page it was read on, the day, and its basis: AWS
// (an AWS page), AWSPriceList (a file AWS publishes, generated from the AWS
// Price List API) or Secondary (a dated third-party page or data set, where
// AWS's page renders the number with a script and the stored copy read here
// shows none). Unpriced says why a price is missing. docs/cost.md is the user's
// page.
package cost

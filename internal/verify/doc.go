// Package verify joins netcheck's offline proofs with AWS's own answers for a
// deployed stage, for cmd/verify: NewPlan maps the expected table's flows
// to the stage's template resources; Clients runs drift detection, finds
// the deployed endpoints, runs one VPC Reachability Analyzer analysis per
// endpoint pair and cleans up what it created; Compare and Report put
// netcheck's verdict beside AWS's, with AWS's explanation codes where they
// disagree. The IAM actions a run needs are in verifyactions.
package verify

// Package review compares two versions of this project's synthesis (BASE, the
// one deployed or merged, and HEAD, the change) and answers, stage by stage,
// the questions a reviewer of the change must decide: does it let the
// internet, the load balancer or the web tier reach something it could not
// reach before; does it replace or delete the database, the table or
// another stateful resource; does it take a protection away from
// production; does it widen an IAM statement or a security-group rule. It is
// plain Go, with no jsii and no AWS calls: cmd/review is its command.
//
// # Inputs
//
// Load reads either a cloud assembly (a cdk.out with its manifest.json and
// nested Stages, as netcheck.ReadAssembly reads it) or a directory of
// templates (STACK.template.json files, the layout of the golden templates
// in test/testdata), whose stages come from the stack names (StageOfStack).
// A directory of templates records no termination protection, so that
// check is skipped, and the report says so in its Notes. Review fails
// (the command's exit status 2) when the two inputs share no stack name:
// they are not two versions of one app.
//
// # What is compared
//
// Stages are paired by name; a stage only HEAD has is "added", one only
// BASE has is "removed". For every stage, the findings are:
//
//   - Reachability: every flow between netcheck's endpoints (internet, alb,
//     web, rds, nat) on DefaultPorts and the expected table's ports, checked
//     in BASE and in HEAD by netcheck. A flow whose open paths differ opens,
//     closes or changes, with the rules that made the difference: the
//     route, NACL entry or security-group rule that lets it through in HEAD
//     and not in BASE (netcheck.Grant), and what blocked it in BASE
//     (netcheck.Reason), or the other way round when it closes. A flow that
//     HEAD makes contradict the expected table needs a decision; in an added
//     stage, every flow of the table is checked, and each that contradicts
//     it needs one.
//   - Replacements and deletions: replacement.Compare over every stack, with
//     the create-only properties of the CDK's service spec (the property is
//     named); a stateful resource deleted, replaced or retyped needs a
//     decision (replacement.Change.Blocking). An Auto Scaling group whose
//     launch template's data changes (a new image, user data) is shown as
//     replaces-every-instance: its rolling update replaces every instance.
//   - What other stacks read: replacement.CrossStack over every reference
//     of BASE (Fn::ImportValue of an export, Fn::GetStackOutput of an
//     output). A change that replaces the resource behind a value another
//     stack imports, changes the value, or removes the export fails the
//     producer's deploy (export-in-use); one that does so to a value read
//     with Fn::GetStackOutput leaves the consumer on the old value
//     (stale-reference, and `cdk deploy` skips a consumer whose template is
//     unchanged). Both need a decision and cannot be allowed: the finding
//     names the producer's resource, the consumer stack and its uses. An
//     output removed together with its last weak read (output-gone) and a
//     create-only property that changes only how it reads its value
//     (reference-form, aws/aws-cdk#38829) are shown.
//   - Policy: deletion protection (RDS, DynamoDB, load balancers), the
//     stacks' termination protection, Multi-AZ, a NAT gateway per zone,
//     point-in-time recovery, bucket versioning, and retention shortened
//     (log groups, LogRetention, backups, bucket lifecycle expirations) that
//     HEAD takes away from a resource it keeps, deletion or replace policies
//     weakened, and a topic that loses its last subscription (subscribers).
//     In a production stage (Options.Production, ProductionStages by
//     default, the stages stacks.ProductionPolicy governs) each needs a
//     decision; elsewhere it is shown. A weakened policy of a stateful
//     resource needs one anywhere.
//   - Widening: IAM grants (principal, action, resource, condition, from
//     every policy document of a resource, with IAM's wildcards when
//     deciding whether BASE already granted it) that HEAD adds, denies it
//     removes, managed policies it attaches, and security-group rules (inline
//     or standalone) that no rule of BASE covers, or a group that loses its
//     last inline egress rule. A new wildcard, a new principal, a removed
//     deny, an attached managed policy and every wider security-group rule
//     need a decision; another new permission is shown.
//
// What no finding names (resources added, removed or modified in place) is
// listed per stage as OtherChanges, with nothing to decide.
//
// # Cost
//
// Each stage also gets its cost section, with nothing to decide: the fixed
// monthly cost of BASE and HEAD (internal/cost, at the price table of
// internal/cost/prices.go) and the change by kind of billed item, as "+1 NAT
// gateway: +$32.85" or "-1 public IPv4 address: -$3.65"; a kind the table
// does not price reads "not priced" and is left out of the totals. A stage
// that cannot be priced (its region unknown, or not in the table) gets a
// note instead, and no cost section. Comparisons use
// literal values: what hides behind an intrinsic the package does not
// resolve is compared as written.
//
// # Decisions and the allow list
//
// Report.ExitCode is 1 when a finding needs a decision and no entry of
// Options.Allow covers it, else 0. An allow entry names a finding's
// AllowKey, "STACK/LOGICALID" (or "STACK/(stack)" for a stack's termination
// protection), with its reason, in the format of
// test/replacements-allowed.txt (replacement.ParseAllowList). A flow cannot
// be allowed: the expected table is the specification, so change it in
// review instead.
//
// # Output
//
// Report.WriteText is for a terminal or a build log; Report.WriteMarkdown for
// a pull-request comment (the summary line first, each stage folded in a
// <details> block); Report.WriteJSON for tools. The JSON field names are
// stable:
//
//	{
//	  "base", "head": the two directories, as given
//	  "decisions": findings that need a decision, not allowed (exit status 1 when > 0)
//	  "allowed": findings that need a decision, covered by the allow list
//	  "notices": findings shown that need no decision
//	  "summary": the one-line verdict
//	  "notes": [what was not compared, and why]
//	  "stages": [{
//	    "name": the stage ("" for the top level), "status": added|removed|changed|unchanged,
//	    "production": bool, "stacks": [stack names],
//	    "otherChanges": ["modified STACK/LOGICALID (TYPE)", ...],
//	    "cost": {"region", "base", "head", "change": fixed monthly totals in USD,
//	             "lines": ["+1 NAT gateway: +$32.85", ...], "baseNotPriced", "headNotPriced"},
//	    "findings": [{
//	      "section": reachability|replacement|policy|widening,
//	      "kind": see Finding.Kind,
//	      "stack", "logicalId", "type", "stateful", "property": the resource and what forces or weakens it,
//	      "message": one line,
//	      "flow": {"from", "to", "port", "before", "after", "expected", "expectedLine"},
//	      "rules": [{"change", "code", "resource", "direction", "number", "message"}],
//	      "details": [the new grants or rules],
//	      "decision": bool, "allowKey": "STACK/LOGICALID", "allowed": the allow entry's reason
//	    }]
//	  }]
//	}
//
// Empty optional fields are left out; the lists are always present.
package review

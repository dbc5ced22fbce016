// Package firewall holds project-1's web application firewall: a regional
// AWS WAF web ACL with AWS managed rule groups and a rate-based rule, logged
// to CloudWatch Logs, for the internet-facing load balancer.
//
// It filters requests and opens nothing: the security groups and network
// ACLs that netcheck proves are unchanged by it.
//
// Like every construct of this module, each constructor checks its props
// first and panics, as aws-cdk-lib's constructs throw, with one line per
// problem naming the construct id, the field and the value.
package firewall

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/project-1/project-1/constructs/firewall/fwprops"
	"github.com/project-1/project-1/internal/keypolicy"
	"github.com/project-1/project-1/internal/physical"
	"github.com/project-1/project-1/internal/retention"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the firewall's values; see fwprops.Settings.
type Settings = fwprops.Settings

// DefaultSettings are the project's firewall (fwprops.DefaultSettings).
func DefaultSettings() Settings { return fwprops.DefaultSettings() }

// ManagedRuleGroups are the AWS managed rule groups the web ACL evaluates,
// in order, before its rate-based rule: the Amazon IP reputation list, the
// core rule set (common web exploits, the OWASP Top 10's classes) and known
// bad inputs (Log4j's JNDI lookups, ...). Each blocks what its rules block.
var ManagedRuleGroups = []string{"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}

// RateRule is the name of the rate-based rule, and its metric's.
const RateRule = "RateLimitPerIp"

// LogGroupPrefix starts the name of every log group AWS WAF logs to (AWS WAF
// Developer Guide, "Sending web ACL traffic logs to an Amazon CloudWatch Logs
// log group": the name must start with aws-waf-logs-).
const LogGroupPrefix = "aws-waf-logs-"

// Props configures NewWebAcl.
type Props struct {
	// Name of the web ACL, its metrics and (after LogGroupPrefix, before the
	// stack's id) its log group: 1 to 128 letters, digits, '-' and '_'. A new name replaces the
	// web ACL.
	Name string
	// Settings: a RateLimit is required (Settings.On).
	Settings
}

// Validate reports every problem of the props, one line each, naming the
// field and its value.
func (p *Props) Validate() error {
	var problems validate.Problems
	if !name.MatchString(p.Name) {
		problems.Add("Name %q: 1 to 128 letters, digits, '-' and '_'", p.Name)
	}
	if !p.On() {
		problems.Add("RateLimit 0: a web ACL has a rate-based rule, from %d to %d requests per five minutes", fwprops.MinRateLimit, fwprops.MaxRateLimit)
	}
	problems.AddAll(p.Settings.ValidateAs(""))
	return problems.Err()
}

var name = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// WebAcl is the web ACL and its logging.
type WebAcl struct {
	constructs.Construct
	// Arn of the web ACL, for an association (Protect).
	Arn *string
	// Name of the web ACL: its metrics' WebACL dimension.
	Name string
	// LogGroup receives every request's log entry, the Authorization header
	// and cookies redacted.
	LogGroup awslogs.LogGroup
}

// NewWebAcl creates the web ACL, which allows what no rule blocks, and its
// log group (KMS-encrypted, retained, kept LogRetentionDays). It protects
// nothing until Protect associates it with a load balancer.
func NewWebAcl(scope constructs.Construct, id string, props *Props) *WebAcl {
	if props == nil {
		props = &Props{}
	}
	validate.Props("firewall.NewWebAcl", id, props.Validate())
	this := constructs.NewConstruct(scope, &id)
	var rules []any
	for i, group := range ManagedRuleGroups {
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:             jsii.String(group),
			Priority:         jsii.Number(float64(i)),
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement:        &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{VendorName: jsii.String("AWS"), Name: jsii.String(group)}},
			VisibilityConfig: visibility(props.Name + "-" + group),
		})
	}
	rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String(RateRule),
		Priority: jsii.Number(float64(len(ManagedRuleGroups))),
		Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
		Statement: &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
			Limit: jsii.Number(float64(props.RateLimit)), AggregateKeyType: jsii.String("IP"), EvaluationWindowSec: jsii.Number(300),
		}},
		VisibilityConfig: visibility(props.Name + "-" + RateRule),
	})
	acl := awswafv2.NewCfnWebACL(this, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Name:             jsii.String(props.Name),
		Description:      jsii.String("project-1: AWS managed rule groups and a per-IP rate limit in front of the load balancer"),
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		VisibilityConfig: visibility(props.Name),
		Rules:            &rules,
	})
	logs := newLogging(this, acl, props)
	return &WebAcl{Construct: this, Arn: acl.AttrArn(), Name: props.Name, LogGroup: logs}
}

// visibility turns on a rule's (or the web ACL's) CloudWatch metric, under
// metric, and its sampled requests.
func visibility(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
	return &awswafv2.CfnWebACL_VisibilityConfigProperty{
		CloudWatchMetricsEnabled: jsii.Bool(true),
		MetricName:               jsii.String(metric),
		SampledRequestsEnabled:   jsii.Bool(true),
	}
}

// newLogging is the log group and the web ACL's logging into it. The group
// must be named (LogGroupPrefix), and is retained when its stack is deleted;
// its name ends in the stack's own id (the UUID of AWS::StackId), so that a
// redeploy after a tear down creates a new group beside the kept one instead
// of failing on its name. AWS WAF takes the group's ARN without the ":*"
// that CloudFormation's Arn attribute ends in, so the ARN is built from the
// name.
func newLogging(this constructs.Construct, acl awswafv2.CfnWebACL, props *Props) awslogs.LogGroup {
	days, _ := retention.Of(props.LogRetentionDays) // validated
	key := keypolicy.NewLogsKey(this, "LogKey", "project-1: encrypts the web ACL's log group")
	logGroupName := physical.Name(LogGroupPrefix+props.Name+"-", physical.StackUuid())
	group := awslogs.NewLogGroup(this, jsii.String("Logs"), &awslogs.LogGroupProps{
		LogGroupName:  logGroupName,
		Retention:     days,
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	stack := awscdk.Stack_Of(this)
	arn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", *stack.Partition(), *stack.Region(), *stack.Account(), *logGroupName)
	logging := awswafv2.NewCfnLoggingConfiguration(this, jsii.String("Logging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn:           acl.AttrArn(),
		LogDestinationConfigs: &[]any{jsii.String(arn)},
		RedactedFields: &[]any{
			&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": "authorization"}},
			&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": "cookie"}},
		},
	})
	logging.Node().AddDependency(group)
	return group
}

// Protect associates the web ACL with lb, in scope (beside the load
// balancer's construct, not in the web ACL's: the association reads the load
// balancer, which may wait for the web ACL).
func (w *WebAcl) Protect(scope constructs.Construct, id string, lb awselasticloadbalancingv2.IApplicationLoadBalancer) {
	awswafv2.NewCfnWebACLAssociation(scope, jsii.String(id), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: lb.LoadBalancerArn(),
		WebAclArn:   w.Arn,
	})
}

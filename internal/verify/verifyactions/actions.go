// Package verifyactions lists the IAM actions a cmd/verify run needs: the
// pipeline's Verify step gets them, without importing the AWS SDK.
package verifyactions

import "sort"

// Actions are the IAM actions a cmd/verify run needs, in the order a run calls them: the
// pipeline's Verify step gets exactly these (TestVerifyStep pins them), and
// docs/verify.md lists them.
//
//   - CloudFormation's drift detection, and the stacks' resources;
//   - the endpoints' lookups (instances, interfaces, NAT gateways, the DB
//     instance's groups);
//   - the Reachability Analyzer calls, the tags on what they create, and the
//     tiros actions the analyses need ("Required API permissions for
//     Reachability Analyzer", the Reachability Analyzer guide);
//   - the describe calls Reachability Analyzer makes with the caller's
//     permissions to read the network the analysis crosses (the same page:
//     subnets, interfaces, security groups, route tables, network ACLs,
//     gateways, endpoints, load balancers).
//
// Drift detection reads each resource of a stack with the caller's
// permissions too: DriftReadActions are the read actions for the resource
// types the stages hold.
var Actions = []string{
	"cloudformation:DetectStackDrift",
	"cloudformation:DetectStackResourceDrift",
	"cloudformation:DescribeStackDriftDetectionStatus",
	"cloudformation:DescribeStackResourceDrifts",
	"cloudformation:DescribeStackResources",
	"ec2:DescribeInstances",
	"ec2:DescribeNetworkInterfaces",
	"ec2:DescribeNatGateways",
	"rds:DescribeDBInstances",
	"ec2:CreateNetworkInsightsPath",
	"ec2:StartNetworkInsightsAnalysis",
	"ec2:DescribeNetworkInsightsAnalyses",
	"ec2:DescribeNetworkInsightsPaths",
	"ec2:DeleteNetworkInsightsAnalysis",
	"ec2:DeleteNetworkInsightsPath",
	"ec2:CreateTags",
	"tiros:CreateQuery",
	"tiros:GetQueryAnswer",
	"tiros:GetQueryExplanation",
	"ec2:DescribeAvailabilityZones",
	"ec2:DescribeVpcs",
	"ec2:DescribeSubnets",
	"ec2:DescribeSecurityGroups",
	"ec2:DescribeSecurityGroupRules",
	"ec2:DescribeRouteTables",
	"ec2:DescribeNetworkAcls",
	"ec2:DescribeInternetGateways",
	"ec2:DescribeVpcEndpoints",
	"ec2:DescribePrefixLists",
	"ec2:DescribeManagedPrefixLists",
	"ec2:DescribeAddresses",
	"elasticloadbalancing:DescribeLoadBalancers",
	"elasticloadbalancing:DescribeLoadBalancerAttributes",
	"elasticloadbalancing:DescribeListeners",
	"elasticloadbalancing:DescribeRules",
	"elasticloadbalancing:DescribeTargetGroups",
	"elasticloadbalancing:DescribeTargetGroupAttributes",
	"elasticloadbalancing:DescribeTargetHealth",
}

// DriftReadActions are, by resource type, the read calls drift detection
// makes on a resource of that type with the caller's permissions: the
// services' describe, get and list calls for the properties the templates
// set. TestDriftReadsCoverTheStages fails when a stage holds a type that is
// not here. They are this project's reading of the services' APIs, not
// checked against an account: a read that is missing makes the stack's
// detection end DETECTION_FAILED with the resource named, which the report
// shows ("detection incomplete").
var DriftReadActions = map[string][]string{
	"AWS::AutoScaling::AutoScalingGroup":          {"autoscaling:DescribeAutoScalingGroups"},
	"AWS::Backup::BackupPlan":                     {"backup:GetBackupPlan"},
	"AWS::Backup::BackupSelection":                {"backup:GetBackupSelection"},
	"AWS::Backup::BackupVault":                    {"backup:DescribeBackupVault", "backup:GetBackupVaultAccessPolicy", "backup:GetBackupVaultNotifications", "backup:ListTags"},
	"AWS::CloudWatch::Alarm":                      {"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
	"AWS::CloudWatch::Dashboard":                  {"cloudwatch:GetDashboard"},
	"AWS::DynamoDB::Table":                        {"dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeContributorInsights", "dynamodb:DescribeTimeToLive", "dynamodb:DescribeKinesisStreamingDestination", "dynamodb:GetResourcePolicy", "dynamodb:ListTagsOfResource"},
	"AWS::EC2::EIP":                               {"ec2:DescribeAddresses"},
	"AWS::EC2::FlowLog":                           {"ec2:DescribeFlowLogs"},
	"AWS::EC2::InternetGateway":                   {"ec2:DescribeInternetGateways"},
	"AWS::EC2::LaunchTemplate":                    {"ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"},
	"AWS::EC2::NatGateway":                        {"ec2:DescribeNatGateways"},
	"AWS::EC2::NetworkAcl":                        {"ec2:DescribeNetworkAcls"},
	"AWS::EC2::NetworkAclEntry":                   {"ec2:DescribeNetworkAcls"},
	"AWS::EC2::Route":                             {"ec2:DescribeRouteTables"},
	"AWS::EC2::RouteTable":                        {"ec2:DescribeRouteTables"},
	"AWS::EC2::SecurityGroup":                     {"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	"AWS::EC2::SecurityGroupEgress":               {"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	"AWS::EC2::SecurityGroupIngress":              {"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	"AWS::EC2::Subnet":                            {"ec2:DescribeSubnets"},
	"AWS::EC2::SubnetNetworkAclAssociation":       {"ec2:DescribeNetworkAcls"},
	"AWS::EC2::SubnetRouteTableAssociation":       {"ec2:DescribeRouteTables"},
	"AWS::EC2::VPC":                               {"ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"},
	"AWS::EC2::VPCEndpoint":                       {"ec2:DescribeVpcEndpoints"},
	"AWS::EC2::VPCGatewayAttachment":              {"ec2:DescribeInternetGateways"},
	"AWS::ElasticLoadBalancingV2::Listener":       {"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes"},
	"AWS::ElasticLoadBalancingV2::LoadBalancer":   {"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeTags"},
	"AWS::ElasticLoadBalancingV2::TargetGroup":    {"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTags"},
	"AWS::IAM::InstanceProfile":                   {"iam:GetInstanceProfile"},
	"AWS::IAM::Policy":                            {"iam:GetRolePolicy", "iam:ListRolePolicies"},
	"AWS::IAM::Role":                              {"iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:GetRolePolicy"},
	"AWS::KMS::Alias":                             {"kms:ListAliases"},
	"AWS::KMS::Key":                               {"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
	"AWS::Lambda::Function":                       {"lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig"},
	"AWS::Logs::LogGroup":                         {"logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:GetDataProtectionPolicy"},
	"AWS::RDS::DBInstance":                        {"rds:DescribeDBInstances"},
	"AWS::RDS::DBParameterGroup":                  {"rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"},
	"AWS::RDS::DBSubnetGroup":                     {"rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"},
	"AWS::RDS::OptionGroup":                       {"rds:DescribeOptionGroups", "rds:ListTagsForResource"},
	"AWS::S3::Bucket":                             {"s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock", "s3:GetLifecycleConfiguration", "s3:GetBucketLogging", "s3:GetBucketOwnershipControls", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging", "s3:GetBucketPolicy"},
	"AWS::S3::BucketPolicy":                       {"s3:GetBucketPolicy"},
	"AWS::SNS::Subscription":                      {"sns:GetSubscriptionAttributes"},
	"AWS::SNS::Topic":                             {"sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:ListSubscriptionsByTopic"},
	"AWS::SNS::TopicPolicy":                       {"sns:GetTopicAttributes"},
	"AWS::SecretsManager::Secret":                 {"secretsmanager:DescribeSecret"},
	"AWS::SecretsManager::SecretTargetAttachment": {"secretsmanager:DescribeSecret"},
	"AWS::WAFv2::LoggingConfiguration":            {"wafv2:GetLoggingConfiguration"},
	"AWS::WAFv2::WebACL":                          {"wafv2:GetWebACL", "wafv2:ListTagsForResource"},
	"AWS::WAFv2::WebACLAssociation":               {"wafv2:GetWebACLForResource"},
}

// StepActions are the actions of the pipeline's Verify step: Actions and
// every DriftReadActions entry, each once, sorted.
func StepActions() []string {
	seen := map[string]bool{}
	var out []string
	add := func(as []string) {
		for _, a := range as {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	add(Actions)
	for _, reads := range DriftReadActions {
		add(reads)
	}
	sort.Strings(out)
	return out
}

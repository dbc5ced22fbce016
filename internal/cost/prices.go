package cost

// TableDate is the day the prices below were read. Each Price also names
// the page it was read on and that page's date, where it gives one.
const TableDate = "2026-12-07"

// HoursPerMonth is the month the figures are for: AWS's pricing examples'
// 730 hours (365 days × 24 hours / 12).
const HoursPerMonth = 730

// The bases of a price: where its number was read.
const (
	// AWS: read on an AWS page (aws.amazon.com or docs.aws.amazon.com).
	AWS = "aws"
	// Secondary: AWS's pricing page renders this number dynamically, so the
	// stored copy read here shows none; the number is the one a dated
	// third-party page reports as AWS's list price. Reports mark such lines.
	Secondary = "secondary"
)

// Price is one unit price of the table.
type Price struct {
	USD    float64 // per Unit
	Unit   string  // "hour", "GB", "GB-month", "month", "million requests", "LCU-hour"
	Source string  // the page the number was read on
	Read   string  // the day it was read, or the page's own date
	Basis  string  // AWS or Secondary
	Note   string  // what the price covers or leaves out; "" when nothing
}

// The keys of the table. EC2 instance types and RDS classes are keyed
// EC2Prefix+"c7g.medium" and RDSMySQLPrefix+"db.t3.micro" (Single-AZ).
const (
	NatGatewayHour   = "nat-gateway-hour"
	NatGatewayGB     = "nat-gateway-gb"
	PublicIPv4Hour   = "public-ipv4-hour"
	ALBHour          = "alb-hour"
	ALBLCUHour       = "alb-lcu-hour"
	EBSgp3GBMonth    = "ebs-gp3-gb-month"
	RDSgp3GBMonth    = "rds-gp3-gb-month" // Single-AZ
	KMSKeyMonth      = "kms-key-month"
	SecretMonth      = "secretsmanager-secret-month"
	AlarmMonth       = "cloudwatch-alarm-month" // per standard-resolution alarm metric
	DashboardMonth   = "cloudwatch-dashboard-month"
	LogsIngestGB     = "cloudwatch-logs-ingest-gb"
	LogsStoreGBMonth = "cloudwatch-logs-store-gb-month"
	DynamoWriteM     = "dynamodb-on-demand-write-million"
	DynamoReadM      = "dynamodb-on-demand-read-million"
	DynamoGBMonth    = "dynamodb-storage-gb-month"
	DynamoPITRGBMo   = "dynamodb-pitr-gb-month"
	S3StandardGBMo   = "s3-standard-gb-month"
	WAFWebACLMonth   = "waf-web-acl-month"
	WAFRuleMonth     = "waf-rule-month"
	WAFRequestsM     = "waf-requests-million"

	EC2Prefix      = "ec2-linux-on-demand-hour:"
	RDSMySQLPrefix = "rds-mysql-single-az-hour:"
)

// Pages the table cites more than once.
const (
	kmsPage        = "https://aws.amazon.com/kms/pricing/"
	natPage        = "https://rajesh.medampudi.com/blog/aws-nat-gateway-hidden-tax"
	ipv4Page       = "https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/"
	albPage        = "https://cal53.calculator.city/aws-alb-cost-calculator/"
	albLCUPage     = "https://awsnegotiations.com/elastic-load-balancer-cost.html"
	logsPage       = "https://c3x.dev/blog/cloudwatch-logs-cost-optimization"
	alarmPage      = "https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm"
	dashboardPage  = "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/"
	dynamoPage     = "https://airbyte.com/data-engineering-resources/dynamodb-pricing"
	dynamoAWSPage  = "https://aws.amazon.com/dynamodb/pricing/"
	rdsStoragePage = "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/"
	s3Page         = "https://devnotes.tech/understanding-aws-s3-pricing-a-complete-cost-breakdown-with-examples"
	secretPage     = "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms"
	wafPage        = "https://c3x.dev/blog/aws-waf-cost-explained/"
	wafRegionsPage = "https://aws.amazon.com/blogs/networking-and-content-delivery/cost-effective-ways-for-securing-your-web-applications-using-aws-waf/"
	today          = TableDate
)

// MultiAZFactor is what a Multi-AZ DB instance costs against a Single-AZ
// one, instance hours and storage alike: AWS bills the standby as it bills
// the primary ("Compute costs: Billed per DB instance-hour for both the
// primary and standby instances. Storage costs: Charged per GB-month for
// the storage provisioned for both the primary and standby"), read on
// MultiAZSource on TableDate.
const MultiAZFactor = 2

// MultiAZSource is the AWS page MultiAZFactor was read on.
const MultiAZSource = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html"

// Prices is the table: region -> key -> price. A key a region lacks is not
// priced there, and Unpriced says why. Every region of config.Environments
// has an entry (a test keeps the two in step).
var Prices = map[string]map[string]Price{
	"us-east-1": {
		NatGatewayHour: {USD: 0.045, Unit: "hour", Source: natPage, Read: today, Basis: Secondary,
			Note: "the page: in us-east-1 $0.045 per NAT Gateway-hour"},
		NatGatewayGB: {USD: 0.045, Unit: "GB", Source: natPage, Read: today, Basis: Secondary,
			Note: "data processed, either direction; data transfer out is billed on top and not included"},
		PublicIPv4Hour: publicIPv4,
		ALBHour: {USD: 0.0225, Unit: "hour", Source: albPage, Read: today, Basis: Secondary,
			Note: "the page's table: US East (N. Virginia) $0.0225 per hour"},
		ALBLCUHour: {USD: 0.008, Unit: "LCU-hour", Source: albLCUPage, Read: "2026-05", Basis: Secondary,
			Note: "the page (May 2026) gives $0.008 per LCU-hour without naming a region"},
		EBSgp3GBMonth: {USD: 0.08, Unit: "GB-month", Source: "https://www.saisci.com/aws/gp3-throughput-explained/", Read: "2021-01-13", Basis: Secondary,
			Note: "the page (last updated 2021-01-13; no newer page read here gives the number): $0.08/GiB-month, N. Virginia; IOPS above 3,000 and throughput above 125 MiB/s are extra, and the templates provision neither"},
		RDSgp3GBMonth: {USD: 0.115, Unit: "GB-month", Source: rdsStoragePage, Read: "2026-06", Basis: Secondary,
			Note: "the page: all rates US East (N. Virginia), June 2026; gp3 storage $0.115 per GB-month (Single-AZ)"},
		KMSKeyMonth: kmsKey,
		SecretMonth: {USD: 0.40, Unit: "month", Source: secretPage, Read: today, Basis: Secondary,
			Note: "the page names no region; API calls ($0.05 per 10,000) are not included"},
		AlarmMonth: {USD: 0.10, Unit: "month", Source: alarmPage, Read: today, Basis: Secondary,
			Note: "standard resolution, per alarm metric; the free tier's 10 alarm metrics are per account and not subtracted"},
		DashboardMonth: {USD: 3.00, Unit: "month", Source: dashboardPage, Read: "2026-06-13", Basis: Secondary,
			Note: "the free tier's 3 dashboards are per account and not subtracted"},
		LogsIngestGB: {USD: 0.50, Unit: "GB", Source: logsPage, Read: "2026-06", Basis: Secondary,
			Note: "the page: us-east-1, June 2026, Standard log class"},
		LogsStoreGBMonth: {USD: 0.03, Unit: "GB-month", Source: logsPage, Read: "2026-06", Basis: Secondary,
			Note: "the page: us-east-1, June 2026, Standard log class"},
		DynamoWriteM: {USD: 0.625, Unit: "million requests", Source: dynamoPage, Read: "2025-07-21", Basis: Secondary,
			Note: "the page: US East, after the November 2024 reduction, per million write request units"},
		DynamoReadM: {USD: 0.125, Unit: "million requests", Source: dynamoPage, Read: "2025-07-21", Basis: Secondary,
			Note: "the page: US East, after the November 2024 reduction, per million read request units"},
		DynamoGBMonth: {USD: 0.25, Unit: "GB-month", Source: dynamoAWSPage, Read: today, Basis: AWS,
			Note: "the stored AWS page: prices start from $0.25 per GB-month; the first 25 GB a month are free (per account and region, not subtracted)"},
		S3StandardGBMo: {USD: 0.023, Unit: "GB-month", Source: s3Page, Read: today, Basis: Secondary,
			Note: "S3 Standard, first 50 TB, US East; requests are not included"},
		WAFWebACLMonth: wafWebACL,
		WAFRuleMonth:   wafRule,
		WAFRequestsM:   wafRequests,
	},
	"eu-west-1": {
		PublicIPv4Hour: publicIPv4,
		ALBHour: {USD: 0.0252, Unit: "hour", Source: albPage, Read: today, Basis: Secondary,
			Note: "the page's table: Europe (Ireland) $0.0252 per hour"},
		KMSKeyMonth:    kmsKey,
		WAFWebACLMonth: wafWebACL,
		WAFRuleMonth:   wafRule,
		WAFRequestsM:   wafRequests,
	},
	// prod's backup copy region: its copy vault and the vault's key.
	"eu-central-1": {
		KMSKeyMonth: kmsKey,
	},
}

var (
	publicIPv4 = Price{USD: 0.005, Unit: "hour", Source: ipv4Page, Read: today, Basis: Secondary,
		Note: "every public IPv4 address since 2024-02-01, in every region: Elastic IPs and the addresses of NAT gateways and load balancers"}
	// AWS WAF: the same in every region ("The pricing for AWS WAF is
	// consistent across all AWS Regions", wafRegionsPage, an AWS blog); the
	// numbers are a dated third-party page's.
	wafWebACL = Price{USD: 5.00, Unit: "month", Source: wafPage, Read: today, Basis: Secondary,
		Note: "per web ACL, whether or not it inspects a request; prorated hourly; the same in every region (" + wafRegionsPage + ")"}
	wafRule = Price{USD: 1.00, Unit: "month", Source: wafPage, Read: today, Basis: Secondary,
		Note: "per rule or AWS managed rule group of the web ACL (the free AWS managed groups it uses carry no fee of their own)"}
	wafRequests = Price{USD: 0.60, Unit: "million requests", Source: wafPage, Read: today, Basis: Secondary,
		Note: "per million requests inspected, allowed and blocked alike"}
	kmsKey = Price{USD: 1.00, Unit: "month", Source: kmsPage, Read: today, Basis: AWS,
		Note: "the AWS page: each AWS KMS key costs $1/month; each automatic rotation adds $1/month for the new backing key, not included; requests are not included"}
)

// Unpriced says, by key, why a price is not in the table: for every region,
// the prices that no page read here gives a number for. A line whose price
// is missing is reported as not priced, with this reason, never as zero.
var Unpriced = map[string]string{
	NatGatewayHour:   "no page read here gives this region's NAT gateway hourly price (AWS's pricing page renders it dynamically)",
	NatGatewayGB:     "no page read here gives this region's NAT gateway data-processing price",
	ALBHour:          "no page read here gives this region's Application Load Balancer hourly price",
	ALBLCUHour:       "no page read here gives this region's LCU price",
	EBSgp3GBMonth:    "no page read here gives an EBS gp3 price for this region (AWS's EBS pricing page renders it dynamically)",
	RDSgp3GBMonth:    "no page read here gives this region's RDS gp3 storage price",
	SecretMonth:      "no page read here gives this region's Secrets Manager price",
	AlarmMonth:       "no page read here gives this region's CloudWatch alarm price",
	DashboardMonth:   "no page read here gives this region's CloudWatch dashboard price",
	LogsIngestGB:     "no page read here gives this region's CloudWatch Logs ingestion price",
	LogsStoreGBMonth: "no page read here gives this region's CloudWatch Logs storage price",
	DynamoWriteM:     "no page read here gives this region's DynamoDB on-demand write price",
	DynamoReadM:      "no page read here gives this region's DynamoDB on-demand read price",
	DynamoGBMonth:    "no page read here gives this region's DynamoDB storage price",
	DynamoPITRGBMo:   "no page read here gives a point-in-time-recovery (continuous backup) price per GB-month",
	S3StandardGBMo:   "no page read here gives this region's S3 Standard price",
	WAFWebACLMonth:   "no page read here gives this region's AWS WAF web ACL price",
	WAFRuleMonth:     "no page read here gives this region's AWS WAF rule price",
	WAFRequestsM:     "no page read here gives this region's AWS WAF request price",
	EC2Prefix:        "no page read here gives this instance type's on-demand Linux price in this region (AWS's EC2 pricing page renders prices dynamically)",
	RDSMySQLPrefix:   "no page read here gives this DB instance class's RDS for MySQL price in this region (AWS's RDS pricing page renders prices dynamically)",
}

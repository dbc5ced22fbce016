package cost

// freeType is why a resource type has no charge of its own.
type freeType struct{ reason, source string }

const (
	vpcFree    = "no charge: the page reads that VPC creation, subnets, route tables, security groups and network ACLs have no charges"
	vpcPage    = "https://www.usage.ai/blogs/aws-network-costs/"
	config     = "no charge of its own: configuration of the resource it belongs to"
	billedWith = "no charge of its own: billed as "
	iamFree    = "no charge: the AWS page reads that IAM is an AWS service that you can use with no additional charge"
	iamPage    = "https://docs.aws.amazon.com/cost-management/latest/userguide/security-iam.html"
)

// freeTypes are the resource types priced at nothing, each with its reason
// and, where one was read, the page that says so. Every other type is
// priced by the table or listed as not priced.
var freeTypes = map[string]freeType{
	"AWS::EC2::VPC":                         {vpcFree, vpcPage},
	"AWS::EC2::Subnet":                      {vpcFree, vpcPage},
	"AWS::EC2::RouteTable":                  {vpcFree, vpcPage},
	"AWS::EC2::Route":                       {vpcFree + " (a route is part of a route table)", vpcPage},
	"AWS::EC2::SubnetRouteTableAssociation": {vpcFree + " (an association is part of a route table)", vpcPage},
	"AWS::EC2::NetworkAcl":                  {vpcFree, vpcPage},
	"AWS::EC2::NetworkAclEntry":             {vpcFree + " (an entry is part of a network ACL)", vpcPage},
	"AWS::EC2::SubnetNetworkAclAssociation": {vpcFree + " (an association is part of a network ACL)", vpcPage},
	"AWS::EC2::SecurityGroup":               {vpcFree, vpcPage},
	"AWS::EC2::SecurityGroupIngress":        {vpcFree + " (a rule is part of a security group)", vpcPage},
	"AWS::EC2::SecurityGroupEgress":         {vpcFree + " (a rule is part of a security group)", vpcPage},
	"AWS::EC2::InternetGateway":             {"no charge for the gateway itself; data transfer out to the internet is billed per GB and not estimated", vpcPage},
	"AWS::EC2::VPCGatewayAttachment":        {config, ""},
	"AWS::EC2::VPCEndpoint (Gateway)": {"no charge: the page reads that gateway endpoints for S3 and DynamoDB cost nothing, no hourly and no per-GB charge",
		vpcPage},
	"AWS::EC2::FlowLog":                        {billedWith + "the vended logs its log group receives (listed there)", ""},
	"AWS::EC2::LaunchTemplate":                 {billedWith + "the instances and volumes of the Auto Scaling group that launches it", ""},
	"AWS::ElasticLoadBalancingV2::Listener":    {billedWith + "the load balancer's hours and LCUs", ""},
	"AWS::ElasticLoadBalancingV2::TargetGroup": {billedWith + "the load balancer's hours and LCUs", ""},
	"AWS::RDS::DBParameterGroup":               {config, ""},
	"AWS::RDS::DBSubnetGroup":                  {config, ""},
	"AWS::RDS::OptionGroup":                    {config, ""},
	"RDS backup storage": {"no charge up to the provisioned storage: the AWS page reads that Amazon RDS provides backup storage up to 100% of your provisioned database storage at no additional charge; snapshots beyond it are not estimated",
		"http://docs.amazonwebservices.com/AmazonRDS/latest/UserGuide/RDSFAQ.Billing.html"},
	"AWS::SecretsManager::SecretTargetAttachment": {config, ""},
	"AWS::S3::BucketPolicy":                       {config, ""},
	"AWS::SNS::TopicPolicy":                       {config, ""},
	"AWS::SNS::Subscription":                      {billedWith + "the topic's deliveries (listed there)", ""},
	"AWS::IAM::Role":                              {iamFree, iamPage},
	"AWS::IAM::Policy":                            {iamFree, iamPage},
	"AWS::IAM::ManagedPolicy":                     {iamFree, iamPage},
	"AWS::IAM::InstanceProfile":                   {iamFree, iamPage},
	"AWS::KMS::Alias":                             {"no charge of its own: a name for a KMS key, which is priced", ""},
	"AWS::CDK::Metadata":                          {"no charge: CDK metadata, not an AWS resource", ""},
	"AWS::WAFv2::WebACLAssociation":               {billedWith + "the web ACL's requests (listed there)", ""},
	"AWS::WAFv2::LoggingConfiguration":            {billedWith + "the log group's ingestion and storage (listed there)", ""},
	"AWS::Backup::BackupPlan":                     {billedWith + "the recovery points its jobs store in the vault (listed there)", ""},
	"AWS::Backup::BackupSelection":                {billedWith + "the recovery points of what it selects (listed with the vault)", ""},
}

package replacement

// Stateful are the resource types whose replacement or deletion loses data or
// breaks what depends on their identity: the database, its subnet group and
// secret, the table, the buckets, the keys, the log groups, the network's VPC,
// subnets and Elastic IPs (the addresses partners allow-list).
var Stateful = map[string]bool{
	"AWS::RDS::DBInstance":        true,
	"AWS::RDS::DBSubnetGroup":     true,
	"AWS::SecretsManager::Secret": true,
	"AWS::DynamoDB::Table":        true,
	"AWS::S3::Bucket":             true,
	"AWS::KMS::Key":               true,
	"AWS::Logs::LogGroup":         true,
	"AWS::EC2::VPC":               true,
	"AWS::EC2::Subnet":            true,
	"AWS::EC2::EIP":               true,
}

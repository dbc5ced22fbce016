// The default environment of project-1 (stacks.NewEnvironmentStage with
// config.Defaults and the tests' alarm email), written plainly in JavaScript
// against the aws-cdk-lib, constructs and cdk-nag that the Go modules embed
// (bench/jsapp/setup.sh unpacks them): the anchor bench/all.sh times the Go
// synthesis against. It makes the same constructs with the same settings, in
// the same order, with the same cdk-nag pack and suppressions; what differs is
// listed in bench/README.md, and bench/jsapp/compare.js compares its templates
// with the Go app's, resource by resource: logical id, type, properties (but
// descriptions, the dashboard and the user data) and dependencies.
'use strict';
const cdk = require('aws-cdk-lib');
const { Construct } = require('constructs');
const ec2 = require('aws-cdk-lib/aws-ec2');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const logs = require('aws-cdk-lib/aws-logs');
const s3 = require('aws-cdk-lib/aws-s3');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const rds = require('aws-cdk-lib/aws-rds');
const autoscaling = require('aws-cdk-lib/aws-autoscaling');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const sns = require('aws-cdk-lib/aws-sns');
const backup = require('aws-cdk-lib/aws-backup');
const events = require('aws-cdk-lib/aws-events');
const wafv2 = require('aws-cdk-lib/aws-wafv2');
const subs = require('aws-cdk-lib/aws-sns-subscriptions');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const actions = require('aws-cdk-lib/aws-cloudwatch-actions');
// NAG=0 leaves cdk-nag out altogether (bench/all.sh's row without it): its
// module, which requires every rule and the aws-cdk-lib modules they test
// against, is not loaded, and the suppressions (cdk-nag's metadata) are not
// written.
const nag = process.env.NAG === '0'
  ? { NagSuppressions: { addResourceSuppressions() {}, addResourceSuppressionsByPath() {} } }
  : require('cdk-nag');

const name = 'project-1';
const region = 'us-east-1';
const anywhere = '0.0.0.0/0';
const RETAIN = cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
const tag = (v) => [{ key: 'Name', value: v }];
const why = 'the same suppression as the Go app (bench/jsapp is a benchmark, not the project)';

function limitGrants(key) {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsResources', effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'], resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }), false);
}

// ---- network (constructs/network) ----
// internal/physical: a retained resource's name ends in its stack's id.
const stackUuid = () => cdk.Fn.select(2, cdk.Fn.split('/', cdk.Aws.STACK_ID));
const stackUuidTail = () => cdk.Fn.select(4, cdk.Fn.split('-', stackUuid()));

const subnets = [ // netprops.SpecLayout(0, us-east-1a, us-east-1b): SPEC.md's four subnets
  { name: 'Public Subnet 1', cidr: '10.0.1.0/24', zone: 'us-east-1a', pub: true },
  { name: 'Public Subnet 2', cidr: '10.0.3.0/24', zone: 'us-east-1b', pub: true },
  { name: 'Private Subnet 1', cidr: '10.0.2.0/24', zone: 'us-east-1a', pub: false },
  { name: 'Private Subnet 2', cidr: '10.0.4.0/24', zone: 'us-east-1b', pub: false },
];

function newVpc(scope, id) {
  const self = new Construct(scope, id);
  const vpc = new ec2.CfnVPC(self, 'Vpc', { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true, tags: tag('project-1') });
  const igw = new ec2.CfnInternetGateway(self, 'InternetGateway', { tags: tag('Project1-Gateway') });
  const attachment = new ec2.CfnVPCGatewayAttachment(self, 'InternetGatewayAttachment', { vpcId: vpc.ref, internetGatewayId: igw.ref });
  const pub = [], priv = [], nats = [], natByZone = {};
  for (const s of subnets) {
    const kind = s.pub ? 'Public' : 'Private';
    const prefix = `${kind}Subnet${(s.pub ? pub : priv).length + 1}`;
    const subnet = new ec2.CfnSubnet(self, prefix, { vpcId: vpc.ref, cidrBlock: s.cidr, availabilityZone: s.zone, mapPublicIpOnLaunch: false, tags: tag(s.name) });
    const table = new ec2.CfnRouteTable(self, prefix + 'RouteTable', { vpcId: vpc.ref, tags: tag(s.name) });
    new ec2.CfnSubnetRouteTableAssociation(self, prefix + 'RouteTableAssociation', { subnetId: subnet.ref, routeTableId: table.ref });
    const p = { s, subnet, table };
    if (!s.pub) { priv.push(p); continue; }
    pub.push(p);
    const route = new ec2.CfnRoute(self, prefix + 'DefaultRoute', { routeTableId: table.ref, destinationCidrBlock: anywhere, gatewayId: igw.ref });
    route.addResourceDependency(attachment);
    if (nats.length < 2) {
      const eip = new ec2.CfnEIP(self, prefix + 'Eip', { domain: 'vpc', tags: tag(s.name + '-nat') });
      const nat = new ec2.CfnNatGateway(self, prefix + 'NatGateway', { subnetId: subnet.ref, allocationId: eip.attrAllocationId, tags: tag(s.name + '-nat') });
      nat.addResourceDependency(route);
      nats.push(nat);
      natByZone[s.zone] = nat;
    }
  }
  priv.forEach((p, i) => new ec2.CfnRoute(self, `PrivateSubnet${i + 1}DefaultRoute`, {
    routeTableId: p.table.ref, destinationCidrBlock: anywhere, natGatewayId: (natByZone[p.s.zone] || nats[0]).ref,
  }));
  const imported = ec2.Vpc.fromVpcAttributes(self, 'Imported', {
    vpcId: vpc.ref, vpcCidrBlock: vpc.attrCidrBlock, availabilityZones: pub.map((p) => p.s.zone),
    publicSubnetIds: pub.map((p) => p.subnet.ref), publicSubnetRouteTableIds: pub.map((p) => p.table.ref),
    privateSubnetIds: priv.map((p) => p.subnet.ref), privateSubnetRouteTableIds: priv.map((p) => p.table.ref),
  });
  const pubCidrs = pub.map((p) => p.s.cidr), privCidrs = priv.map((p) => p.s.cidr), world = [anywhere];
  newAcl(self, 'PublicAcl', vpc, imported.publicSubnets, [
    [50, false, false, world, 22, 22], [100, false, true, world, 80, 80], [110, false, true, world, 443, 443],
    [120, false, true, world, 1024, 65535],
    [100, true, true, world, 80, 80], [110, true, true, world, 443, 443], [120, true, true, world, 1024, 65535],
  ]);
  newAcl(self, 'PrivateAcl', vpc, imported.privateSubnets, [
    [50, false, false, world, 22, 22], [60, false, false, world, 3389, 3389], [100, false, true, pubCidrs, 80, 80],
    [110, false, true, pubCidrs, 443, 443], [120, false, true, privCidrs, 3306, 3306], [130, false, false, world, 3306, 3306],
    [140, false, true, world, 1024, 3388], [150, false, true, world, 3390, 65535],
    [100, true, true, world, 80, 80], [110, true, true, world, 443, 443], [120, true, true, privCidrs, 3306, 3306],
    [130, true, true, ['10.0.0.0/16'], 1024, 65535],
  ]);
  const stack = cdk.Stack.of(self);
  const key = new kms.Key(self, 'FlowLogKey', { description: 'project-1: encrypts the VPC flow-log group', enableKeyRotation: true, removalPolicy: RETAIN });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogs', principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  }), false);
  limitGrants(key);
  const flowLogs = new logs.LogGroup(self, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key, removalPolicy: RETAIN });
  new ec2.FlowLog(self, 'FlowLog', { resourceType: ec2.FlowLogResourceType.fromVpc(imported), destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL });
  const egress = [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }];
  new ec2.GatewayVpcEndpoint(self, 'S3Endpoint', { vpc: imported, service: ec2.GatewayVpcEndpointAwsService.S3, subnets: egress });
  new ec2.GatewayVpcEndpoint(self, 'DynamoDbEndpoint', { vpc: imported, service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: egress });
  return { vpc: imported, natGatewayIds: nats.map((n) => n.ref) };
}

function newAcl(scope, id, vpc, subnetList, rules) {
  const self = new Construct(scope, id);
  const acl = new ec2.CfnNetworkAcl(self, 'Resource', { vpcId: vpc.ref, tags: tag(id) });
  for (const [number, egress, allow, cidrs, from, to] of rules) {
    cidrs.forEach((cidr, i) => new ec2.CfnNetworkAclEntry(self, `${egress ? 'Egress' : 'Ingress'}${number + i}`, {
      networkAclId: acl.ref, ruleNumber: number + i, egress, ruleAction: allow ? 'allow' : 'deny', protocol: 6, cidrBlock: cidr, portRange: { from, to },
    }));
  }
  subnetList.forEach((s, i) => new ec2.CfnSubnetNetworkAclAssociation(self, `Association${i + 1}`, { networkAclId: acl.ref, subnetId: s.subnetId }));
  nag.NagSuppressions.addResourceSuppressions(self, [{ id: 'AwsSolutions-VPC3', reason: why }], true);
}

function newSecurityGroups(scope, id, vpc) {
  const self = new Construct(scope, id);
  const group = (gid, description) => new ec2.SecurityGroup(self, gid, { vpc, description, allowAllOutbound: false });
  const alb = group('Alb', 'Load balancer'), web = group('Web', 'Web tier'), db = group('Database', 'Database'), fns = group('Functions', 'Lambda functions');
  fns.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'functions -> AWS APIs on 443 via NAT');
  for (const port of [80, 443]) {
    const p = ec2.Port.tcp(port);
    alb.addIngressRule(ec2.Peer.anyIpv4(), p, `internet -> ALB on ${port}`);
    alb.addEgressRule(web, p, `ALB -> web tier on ${port}`);
    web.addIngressRule(alb, p, `ALB -> web tier on ${port}`);
    web.addEgressRule(ec2.Peer.anyIpv4(), p, `web tier -> internet on ${port} via NAT`);
  }
  alb.node.defaultChild.addPropertyOverride('SecurityGroupEgress', [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 }]);
  web.addEgressRule(db, ec2.Port.tcp(3306), 'web tier -> database on MySQL');
  db.addIngressRule(web, ec2.Port.tcp(3306), 'web tier -> database on MySQL');
  nag.NagSuppressions.addResourceSuppressions(alb, [{ id: 'AwsSolutions-EC23', reason: why }]);
  return { alb, web, db, fns };
}

function newNetworkStack(stage) {
  const stack = new cdk.Stack(stage, 'Network', { description: 'project-1 network' });
  const net = newVpc(stack, 'Network');
  const groups = newSecurityGroups(stack, 'SecurityGroups', net.vpc);
  const v = net.vpc;
  [['PublishOutputRefNetworkPrivateSubnet1E849118972FC91C8', v.privateSubnets[0].subnetId],
    ['PublishOutputRefNetworkPrivateSubnet26BD46F8C0A7AEB3D', v.privateSubnets[1].subnetId],
    ['PublishOutputFnGetAttSecurityGroupsDatabase03711F2AGroupId5FF19AA4', groups.db.securityGroupId],
    ['PublishOutputFnGetAttSecurityGroupsFunctionsF2C2D0F4GroupId0229133A', groups.fns.securityGroupId],
    ['PublishOutputFnGetAttSecurityGroupsWebAE39F2C2GroupId40E2BA2E', groups.web.securityGroupId],
    ['PublishOutputFnGetAttSecurityGroupsAlbFB2F0AE8GroupId142758BE', groups.alb.securityGroupId],
    ['PublishOutputRefNetworkPublicSubnet13B56D0982B5D665B', v.publicSubnets[0].subnetId],
    ['PublishOutputRefNetworkPublicSubnet2E7B6D3F82D950EA6', v.publicSubnets[1].subnetId],
    ['PublishOutputRefNetworkVpcFAC8F4A5497856B5', v.vpcId],
    ['PublishOutputRefNetworkPublicSubnet1NatGateway4B44EA806142BCDD', net.natGatewayIds[0]],
    ['PublishOutputRefNetworkPublicSubnet2NatGatewayE8F1C691A1FC2180', net.natGatewayIds[1]],
  ].forEach(([oid, value]) => new cdk.CfnOutput(stack, oid, { value }));
  return { stack, net, groups };
}

// ---- data (constructs/storage, constructs/database, internal/stacks/data.go) ----
const logRetentionId = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

function newDataStack(stage, network) {
  const stack = new cdk.Stack(stage, 'Data', { description: 'project-1 data', terminationProtection: true });
  const key = (kid, what) => {
    const k = new kms.Key(stack, kid, { description: 'project-1: encrypts ' + what, enableKeyRotation: true, removalPolicy: RETAIN });
    limitGrants(k);
    return k;
  };
  const eventBridge = (b) => { b.node.defaultChild.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } }; };
  const logBucket = new s3.Bucket(stack, 'LogBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, versioned: true, removalPolicy: RETAIN,
    lifecycleRules: [{ id: 'expire-logs', expiration: cdk.Duration.days(365), noncurrentVersionExpiration: cdk.Duration.days(1) }],
  });
  eventBridge(logBucket);
  const bucket = new s3.Bucket(stack, 'DataBucket', {
    versioned: true, encryption: s3.BucketEncryption.KMS, encryptionKey: key('DataBucketKey', 'the data bucket'), bucketKeyEnabled: true,
    enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RETAIN, lifecycleRules: [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: cdk.Duration.days(90) }],
  });
  bucket.node.defaultChild.loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: 'data-bucket/' };
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.ALLOW, principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')], actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects('data-bucket/*')],
    conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  eventBridge(bucket);
  const table = new dynamodb.Table(stack, 'ForumTable', {
    tableName: 'Forum', partitionKey: { name: 'Name', type: dynamodb.AttributeType.STRING }, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key('ForumTableKey', 'the Forum table'),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, deletionProtection: true, removalPolicy: RETAIN,
  });
  const dbKey = key('DatabaseKey', 'the database storage and its secret');
  const db = newMysql(stack, 'Database', network, dbKey);

  const fn = stack.node.tryFindChild(logRetentionId);
  fn.node.tryFindChild('ServiceRole').addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'CleanUpNetworkInterfacesOfTheVpcFunction',
    actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'], resources: ['*'],
  }));
  nag.NagSuppressions.addResourceSuppressionsByPath(stack, `${stack.node.path}/${logRetentionId}/ServiceRole`, [{ id: 'AwsSolutions-IAM5', reason: why, appliesTo: ['Resource::*'] }], true);
  const plan = newBackupPlan(stack, 'Backup', 35);
  createAfter(stack, db.instance.node.defaultChild, db.self, table, dbKey);
  table.node.addDependency(db.self);
  new backup.BackupSelection(stack, 'BackupSelection', {
    backupPlan: plan.plan, role: plan.role,
    resources: [db.instance.instanceArn, table.tableArn, bucket.bucketArn].map((arn) => backup.BackupResource.fromArn(arn)),
  });

  const out = (oid, value) => new cdk.CfnOutput(stack, oid, { value, description: oid });
  out('DatabaseEndpoint', db.instance.dbInstanceEndpointAddress);
  out('DatabaseSecretArn', db.instance.secret.secretArn);
  out('DataBucketName', bucket.bucketName);
  out('ForumTableName', table.tableName);
  out('BackupVaultName', plan.vault.backupVaultName);
  out('BackupRoleArn', plan.role.roleArn);
  out('DatabaseInstanceId', db.instance.instanceIdentifier);
  [['PublishOutputFnGetAttDataBucketE3889A50Arn0E8BC76C', bucket.bucketArn],
    ['PublishOutputFnGetAttDataBucketKeyF49B2630ArnD6550FA6', bucket.encryptionKey.keyArn],
    ['PublishOutputFnGetAttForumTable1FBA2B20ArnBC130254', table.tableArn],
    ['PublishOutputFnGetAttForumTableKey5D226C3AArn55809765', table.encryptionKey.keyArn],
    ['PublishOutputRefDatabaseSecretAttachmentE5D1B020FC8DF5BB', db.instance.secret.secretArn],
    ['PublishOutputFnGetAttDatabaseKey7576F140Arn548D8C76', dbKey.keyArn],
    ['PublishOutputRefLogBucketCC3B17E80FAFE4DE', logBucket.bucketName],
    ['PublishOutputRefDatabaseInstanceAA8A5FDE96074C11', db.instance.instanceIdentifier],
    ['PublishOutputRefForumTable1FBA2B2053A2526C', table.tableName],
  ].forEach(([oid, value]) => new cdk.CfnOutput(stack, oid, { value }));
  return { stack, table, bucket, logBucket, db, dbKey };
}

// ---- backups (constructs/backup): the vault, its key, the daily plan, the role ----
function newBackupPlan(scope, id, retentionDays) {
  const self = new Construct(scope, id);
  const stack = cdk.Stack.of(self);
  const key = new kms.Key(self, 'Key', { description: "project-1: encrypts the backup vault's recovery points", enableKeyRotation: true, removalPolicy: RETAIN });
  limitGrants(key);
  const vault = new backup.BackupVault(self, 'Vault', {
    backupVaultName: cdk.Fn.join('', [stack.stackName.slice(0, 30) + '-backup-', stackUuidTail()]),
    encryptionKey: key, blockRecoveryPointDeletion: true, removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  const plan = new backup.BackupPlan(self, 'Plan', { backupVault: vault, backupPlanRules: [new backup.BackupPlanRule({
    ruleName: 'Daily', scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
    startWindow: cdk.Duration.hours(1), completionWindow: cdk.Duration.hours(8), deleteAfter: cdk.Duration.days(retentionDays),
  })] });
  const policies = ['service-role/AWSBackupServiceRolePolicyForBackup', 'service-role/AWSBackupServiceRolePolicyForRestores', 'AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore'];
  const role = new iam.Role(self, 'Role', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'), description: "project-1 AWS Backup: backs up and restores the environment's database, table and data bucket",
    managedPolicies: policies.map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
  });
  nag.NagSuppressions.addResourceSuppressions(role, [{ id: 'AwsSolutions-IAM4', reason: why, appliesTo: policies.map((n) => 'Policy::arn:<AWS::Partition>:iam::aws:policy/' + n) }]);
  return { self, vault, plan, role };
}

function newMysql(scope, id, network, key) {
  const self = new Construct(scope, id);
  const stack = cdk.Stack.of(self);
  const engine = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of('8.4', '8.4') });
  const params = new rds.ParameterGroup(self, 'Parameters', {
    engine, description: 'project-1 MySQL: TLS required',
    parameters: { require_secure_transport: 'ON', log_output: 'FILE', slow_query_log: '1', long_query_time: '2', general_log: '1' },
  });
  const options = new rds.OptionGroup(self, 'Options', {
    engine, description: 'project-1 MySQL: audit log (MariaDB Audit Plugin)',
    configurations: [{ name: 'MARIADB_AUDIT_PLUGIN', settings: { SERVER_AUDIT_EVENTS: 'CONNECT,QUERY_DDL,QUERY_DCL' } }],
  });
  const secret = new rds.DatabaseSecret(self, 'Secret', { username: 'admin', encryptionKey: key });
  secret.applyRemovalPolicy(RETAIN);
  const group = ec2.SecurityGroup.fromSecurityGroupId(self, 'SecurityGroup', network.groups.db.securityGroupId, { mutable: false, allowAllOutbound: false });
  const instance = new rds.DatabaseInstance(self, 'Instance', {
    engine, instanceType: new ec2.InstanceType('t3.micro'), vpc: network.net.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [group], port: 3306, credentials: rds.Credentials.fromSecret(secret), storageEncrypted: true, storageEncryptionKey: key,
    storageType: rds.StorageType.GP3, allocatedStorage: 20, maxAllocatedStorage: 100, multiAz: true, deletionProtection: true,
    backupRetention: cdk.Duration.days(7), autoMinorVersionUpgrade: true, copyTagsToSnapshot: true, iamAuthentication: true,
    publiclyAccessible: false, parameterGroup: params, optionGroup: options, cloudwatchLogsExports: ['audit', 'error', 'slowquery', 'general'],
    cloudwatchLogsRetention: logs.RetentionDays.THREE_MONTHS, enablePerformanceInsights: false, removalPolicy: cdk.RemovalPolicy.SNAPSHOT,
  });
  instance.node.defaultChild.addMetadata('cfn-lint', { config: { ignore_checks: ['E3691'] } });
  const logGroup = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:RDSOSMetrics`;
  const role = new iam.Role(self, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'), description: 'project-1 RDS enhanced monitoring',
    inlinePolicies: { EnhancedMonitoring: new iam.PolicyDocument({ statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], resources: [logGroup] }),
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'], resources: [logGroup + ':log-stream:*'] }),
    ] }) },
  });
  nag.NagSuppressions.addResourceSuppressions(role, [{ id: 'AwsSolutions-IAM5', reason: why, appliesTo: [{ regex: '/^Resource::arn:.*:log-group:RDSOSMetrics:log-stream:\\*$/' }] }]);
  instance.node.defaultChild.monitoringInterval = 60;
  instance.node.defaultChild.monitoringRoleArn = role.roleArn;
  nag.NagSuppressions.addResourceSuppressions(instance, [{ id: 'AwsSolutions-RDS11', reason: why }]);
  nag.NagSuppressions.addResourceSuppressions(secret, [{ id: 'AwsSolutions-SMG4', reason: why }]);
  nag.NagSuppressions.addResourceSuppressionsByPath(stack, `${stack.node.path}/${logRetentionId}/ServiceRole`, [
    { id: 'AwsSolutions-IAM4', reason: why, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    { id: 'AwsSolutions-IAM5', reason: why, appliesTo: ['Resource::*'] },
  ], true);
  return { self, instance, secret };
}

function createAfter(stack, resource, ...except) {
  const skip = new Set(except.map((c) => c.node.path));
  for (const c of stack.node.children) if (!skip.has(c.node.path)) resource.node.addDependency(c);
}

// ---- app (constructs/web, constructs/monitoring, internal/stacks/app.go) ----
function newAlarmTopic(scope, id, email) {
  const self = new Construct(scope, id);
  const stack = cdk.Stack.of(self);
  const key = new kms.Key(self, 'Key', { description: "project-1: encrypts the alarm topic's messages", enableKeyRotation: true, removalPolicy: cdk.RemovalPolicy.DESTROY, pendingWindow: cdk.Duration.days(7) });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarms', principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }), false);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AutoScalingNotifications', principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account },
      ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` } },
  }), false);
  limitGrants(key);
  const topic = new sns.Topic(self, 'Topic', { displayName: 'project-1 alarms', masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchAlarms', principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')], actions: ['sns:Publish'], resources: [topic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } },
  }));
  if (email) topic.addSubscription(new subs.EmailSubscription(email));
  return topic;
}

function newWeb(scope, id, network, data, topic) {
  const self = new Construct(scope, id);
  const stack = cdk.Stack.of(self);
  const vpc = network.net.vpc;
  const immutable = (gid, g) => ec2.SecurityGroup.fromSecurityGroupId(self, gid, g.securityGroupId, { mutable: false, allowAllOutbound: false });
  const albGroup = immutable('AlbSecurityGroup', network.groups.alb);
  const webGroup = immutable('InstanceSecurityGroup', network.groups.web);
  const role = new iam.Role(self, 'Role', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: 'project-1 web tier',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  data.bucket.grantRead(role);
  data.table.grantReadWriteData(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [data.db.instance.secret.secretArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [data.dbKey.keyArn], conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } } }));
  const userData = ec2.UserData.forLinux();
  userData.addCommands('dnf install -y httpd aws-cfn-bootstrap', 'echo "<h1>project-1</h1>" > /var/www/html/index.html', 'systemctl enable --now httpd');
  const template = new ec2.LaunchTemplate(self, 'LaunchTemplate', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }), instanceType: new ec2.InstanceType('c7g.medium'),
    securityGroup: webGroup, role, userData, httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED, httpEndpoint: true, httpPutResponseHopLimit: 1,
    detailedMonitoring: true, associatePublicIpAddress: false,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, deleteOnTermination: true }) }],
  });
  const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  const group = new autoscaling.AutoScalingGroup(self, 'Instances', {
    vpc, vpcSubnets: privateSubnets,
    mixedInstancesPolicy: {
      launchTemplate: template,
      launchTemplateOverrides: [{ instanceType: new ec2.InstanceType('c7g.medium') }, { instanceType: new ec2.InstanceType('m7g.medium') }],
      instancesDistribution: { onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED, onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 100 },
    },
    notifications: [{ topic }],
    groupMetrics: [new autoscaling.GroupMetrics(autoscaling.GroupMetric.DESIRED_CAPACITY, autoscaling.GroupMetric.IN_SERVICE_INSTANCES, autoscaling.GroupMetric.MIN_SIZE, autoscaling.GroupMetric.MAX_SIZE)],
    minCapacity: 2, maxCapacity: 4,
    healthChecks: autoscaling.HealthChecks.withAdditionalChecks({ additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB], gracePeriod: cdk.Duration.minutes(5) }),
    updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({ maxBatchSize: 1, minInstancesInService: 2, waitOnResourceSignals: true, pauseTime: cdk.Duration.minutes(30) }),
    signals: autoscaling.Signals.waitForMinCapacity({ timeout: cdk.Duration.minutes(15) }),
  });
  userData.addSignalOnExitCommand(group);
  const cfnGroup = group.node.defaultChild;
  cfnGroup.availabilityZones = vpc.selectSubnets(privateSubnets).availabilityZones;
  cfnGroup.launchTemplate = { launchTemplateId: template.launchTemplateId, version: template.latestVersionNumber };
  cfnGroup.addPropertyDeletionOverride('LaunchTemplate');
  const alb = new elbv2.ApplicationLoadBalancer(self, 'LoadBalancer', {
    vpc, internetFacing: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, securityGroup: albGroup,
    dropInvalidHeaderFields: true, desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE, deletionProtection: true,
  });
  alb.logAccessLogs(data.logBucket, 'alb');
  alb.node.addDependency(group);
  const targets = new elbv2.ApplicationTargetGroup(self, 'Targets', {
    vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.INSTANCE, targets: [group],
    deregistrationDelay: cdk.Duration.seconds(30), healthCheck: { path: '/', healthyHttpCodes: '200' },
  });
  alb.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultTargetGroups: [targets] });
  const objects = `Resource::<${cdk.Stack.of(data.bucket).getLogicalId(data.bucket.node.defaultChild)}.Arn>/*`;
  nag.NagSuppressions.addResourceSuppressions(role, [
    { id: 'AwsSolutions-IAM4', reason: why, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore'] },
    { id: 'AwsSolutions-IAM5', reason: why, appliesTo: ['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', objects, 'Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'] },
  ], true);
  const firewall = newWebAcl(self, 'Firewall', `${stack.stackName}-${id}`, 2000, logs.RetentionDays.ONE_YEAR);
  alb.node.addDependency(firewall.self);
  new wafv2.CfnWebACLAssociation(self, 'FirewallAssociation', { resourceArn: alb.loadBalancerArn, webAclArn: firewall.acl.attrArn });
  return { self, alb, targets, group, firewall, url: `http://${alb.loadBalancerDnsName}` };
}

// ---- the web ACL (constructs/firewall): managed rule groups, a rate limit, its logs ----
function newWebAcl(scope, id, aclName, rateLimit, retention) {
  const self = new Construct(scope, id);
  const stack = cdk.Stack.of(self);
  const visibility = (metricName) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
  const groups = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];
  const rules = groups.map((g, priority) => ({ name: g, priority, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: g } }, visibilityConfig: visibility(`${aclName}-${g}`) }));
  rules.push({ name: 'RateLimitPerIp', priority: groups.length, action: { block: {} }, statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } }, visibilityConfig: visibility(`${aclName}-RateLimitPerIp`) });
  const acl = new wafv2.CfnWebACL(self, 'WebAcl', {
    name: aclName, description: 'project-1: AWS managed rule groups and a per-IP rate limit in front of the load balancer', scope: 'REGIONAL',
    defaultAction: { allow: {} }, visibilityConfig: visibility(aclName), rules,
  });
  const key = new kms.Key(self, 'LogKey', { description: "project-1: encrypts the web ACL's log group", enableKeyRotation: true, removalPolicy: RETAIN });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogs', principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  }));
  limitGrants(key);
  const logGroupName = cdk.Fn.join('', [`aws-waf-logs-${aclName}-`, stackUuid()]);
  const group = new logs.LogGroup(self, 'Logs', { logGroupName, retention, encryptionKey: key, removalPolicy: RETAIN });
  const logging = new wafv2.CfnLoggingConfiguration(self, 'Logging', {
    resourceArn: acl.attrArn, logDestinationConfigs: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${logGroupName}`],
    redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
  });
  logging.node.addDependency(group);
  return { self, acl, name: aclName };
}

function newMonitoring(scope, id, p) {
  const self = new Construct(scope, id);
  const action = new actions.SnsAction(p.topic);
  const five = cdk.Duration.minutes(5), one = cdk.Duration.minutes(1);
  const alarms = {}, order = [];
  const metric = (namespace, metricName, statistic, period, dimensionsMap, label) => new cloudwatch.Metric({ namespace, metricName, statistic, period, dimensionsMap, label });
  const alarm = (aid, m, threshold, op, periods, description) => {
    const a = new cloudwatch.Alarm(self, aid, {
      metric: m, threshold, comparisonOperator: op, evaluationPeriods: periods, datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, alarmDescription: `${p.title}: ${description}`,
    });
    a.addAlarmAction(action);
    a.addOkAction(action);
    alarms[aid] = a;
    order.push(aid);
    return a;
  };
  const atLeast = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, atMost = cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD;
  const lb = { LoadBalancer: p.alb.loadBalancerFullName }, tg = { LoadBalancer: p.alb.loadBalancerFullName, TargetGroup: p.targets.targetGroupFullName };
  const g = {};
  g.requests = metric('AWS/ApplicationELB', 'RequestCount', 'Sum', five, lb, 'requests');
  g.elb5xx = metric('AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', 'Sum', five, lb, 'load balancer 5xx');
  g.target5xx = metric('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'Sum', five, lb, 'web server 5xx');
  g.unhealthy = metric('AWS/ApplicationELB', 'UnHealthyHostCount', 'Maximum', one, tg, 'unhealthy');
  g.healthy = metric('AWS/ApplicationELB', 'HealthyHostCount', 'Minimum', one, tg, 'healthy');
  g.p99 = metric('AWS/ApplicationELB', 'TargetResponseTime', 'p99', five, lb, 'p99');
  g.p50 = metric('AWS/ApplicationELB', 'TargetResponseTime', 'p50', five, lb, 'p50');
  alarm('LoadBalancer5xx', g.elb5xx, 10, atLeast, 1, 'load balancer 5xx');
  alarm('Target5xx', g.target5xx, 10, atLeast, 1, 'web server 5xx');
  alarm('UnhealthyHosts', g.unhealthy, 1, atLeast, 5, 'unhealthy hosts');
  alarm('TargetResponseTime', g.p99, 2, atLeast, 2, 'p99 response time');
  const asg = { AutoScalingGroupName: p.group.autoScalingGroupName };
  g.desired = metric('AWS/AutoScaling', 'GroupDesiredCapacity', 'Maximum', one, asg, 'desired');
  g.inService = metric('AWS/AutoScaling', 'GroupInServiceInstances', 'Minimum', one, asg, 'in service');
  alarm('InServiceShortfall', new cloudwatch.MathExpression({ expression: 'desired - inService', usingMetrics: { desired: g.desired, inService: g.inService }, period: one, label: 'instances short' }), 1, atLeast, 20, 'in-service shortfall');
  const db = { DBInstanceIdentifier: p.db.instanceIdentifier };
  g.cpu = metric('AWS/RDS', 'CPUUtilization', 'Average', five, db, 'CPU %');
  g.storage = metric('AWS/RDS', 'FreeStorageSpace', 'Minimum', five, db, 'free storage (bytes)');
  g.memory = metric('AWS/RDS', 'FreeableMemory', 'Average', five, db, 'freeable memory (bytes)');
  g.connections = metric('AWS/RDS', 'DatabaseConnections', 'Maximum', five, db, 'connections');
  alarm('DatabaseCpu', g.cpu, 80, atLeast, 3, 'database CPU');
  alarm('DatabaseFreeStorage', g.storage, 5 * 2 ** 30, atMost, 1, 'database free storage');
  alarm('DatabaseFreeMemory', g.memory, 100 * 2 ** 20, atMost, 3, 'database freeable memory');
  alarm('DatabaseConnections', g.connections, 60, atLeast, 1, 'database connections');
  const td = { TableName: p.table.tableName };
  g.writeThrottles = metric('AWS/DynamoDB', 'WriteThrottleEvents', 'Sum', five, td, 'write throttle events');
  g.readThrottles = metric('AWS/DynamoDB', 'ReadThrottleEvents', 'Sum', five, td, 'read throttle events');
  const using = {};
  for (const op of ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']) {
    using['errors' + op] = metric('AWS/DynamoDB', 'SystemErrors', 'Sum', five, { TableName: p.table.tableName, Operation: op }, op);
  }
  g.systemErrors = new cloudwatch.MathExpression({ expression: 'SUM(METRICS("errors"))', usingMetrics: using, period: five, label: 'system errors' });
  alarm('TableWriteThrottleEvents', g.writeThrottles, 1, atLeast, 1, 'write throttles');
  alarm('TableReadThrottleEvents', g.readThrottles, 1, atLeast, 1, 'read throttles');
  alarm('TableSystemErrors', g.systemErrors, 1, atLeast, 1, 'system errors');
  g.reads = metric('AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'Sum', five, td, 'read units');
  g.writes = metric('AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'Sum', five, td, 'write units');
  const portErrors = [], drops = [], bytesOut = [];
  p.natGatewayIds.forEach((nat, i) => {
    const dims = { NatGatewayId: nat }, n = String(i + 1);
    const pe = metric('AWS/NATGateway', 'ErrorPortAllocation', 'Sum', five, dims, `NAT ${n} port allocation errors`);
    const dr = metric('AWS/NATGateway', 'PacketsDropCount', 'Sum', five, dims, `NAT ${n} dropped packets`);
    portErrors.push(pe); drops.push(dr);
    bytesOut.push(metric('AWS/NATGateway', 'BytesOutToDestination', 'Sum', five, dims, `NAT ${n} bytes out`));
    alarm('NatPortAllocationErrors' + n, pe, 1, atLeast, 1, 'NAT port allocation errors');
    alarm('NatDroppedPackets' + n, dr, 100, atLeast, 1, 'NAT dropped packets');
  });
  const waf = { WebACL: p.webAclName, Region: cdk.Stack.of(self).region, Rule: 'ALL' };
  g.blocked = metric('AWS/WAFV2', 'BlockedRequests', 'Sum', five, waf, 'blocked');
  g.allowed = metric('AWS/WAFV2', 'AllowedRequests', 'Sum', five, waf, 'allowed');
  alarm('FirewallBlockedRequests', g.blocked, 100, atLeast, 1, 'blocked requests');
  const line = (value, label) => [{ value, label }];
  const graph = (title, left, leftAnnotations) => new cloudwatch.GraphWidget({ title, left, leftAnnotations, width: 6, height: 6 });
  const dashboard = new cloudwatch.Dashboard(self, 'Dashboard', { defaultInterval: cdk.Duration.hours(3) });
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `# ${p.title}\nTop down.`, width: 24, height: 2 }));
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: order.map((a) => alarms[a]), width: 24, height: 4 }));
  dashboard.addWidgets(graph('Load balancer: requests', [g.requests]), graph('Load balancer: 5xx', [g.elb5xx, g.target5xx], line(10, 'alarm')),
    graph('Web servers: response time (s)', [g.p50, g.p99], line(2, 'p99 alarm')), graph('Web servers: health', [g.healthy, g.unhealthy], line(1, 'unhealthy alarm')));
  dashboard.addWidgets(graph('Web tier: instances', [g.desired, g.inService]), graph('Database: CPU %', [g.cpu], line(80, 'alarm')),
    graph('Database: connections', [g.connections], line(60, 'alarm')), graph('Database: free storage and memory (bytes)', [g.storage, g.memory]));
  dashboard.addWidgets(graph('Forum table: throttles and system errors', [g.writeThrottles, g.readThrottles, g.systemErrors]),
    graph('Forum table: consumed capacity', [g.reads, g.writes]), graph('NAT gateways: port allocation errors, dropped packets', [...portErrors, ...drops]),
    graph('NAT gateways: bytes out', bytesOut));
  dashboard.addWidgets(graph('Firewall: blocked and allowed requests', [g.blocked, g.allowed], line(100, 'alarm')));
  const stack = cdk.Stack.of(self);
  return { self, alarms, url: `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${dashboard.dashboardName}` };
}

function newAppStack(stage, network, data) {
  const stack = new cdk.Stack(stage, 'App', { description: 'project-1 app' });
  const topic = newAlarmTopic(stack, 'Alarms', stage.node.tryGetContext('alarmEmail'));
  const w = newWeb(stack, 'Web', network, data, topic);
  new cdk.CfnOutput(stack, 'LoadBalancerUrl', { value: w.url, description: 'the web tier' });
  new cdk.CfnOutput(stack, 'AutoScalingGroupName', { value: w.group.autoScalingGroupName, description: 'web servers' });
  const mon = newMonitoring(stack, 'Monitoring', { topic, alb: w.alb, targets: w.targets, group: w.group, db: data.db.instance, table: data.table, natGatewayIds: network.net.natGatewayIds, webAclName: w.firewall.name, title: name });
  const lb = w.alb.node.defaultChild;
  createAfter(stack, lb, w.self, mon.self);
  const lbAlarms = new Set(['LoadBalancer5xx', 'Target5xx', 'UnhealthyHosts', 'TargetResponseTime']);
  for (const [aid, a] of Object.entries(mon.alarms)) if (!lbAlarms.has(aid)) lb.node.addDependency(a);
  new cdk.CfnOutput(stack, 'AlarmTopicArn', { value: topic.topicArn, description: 'the alarm topic' });
  new cdk.CfnOutput(stack, 'DashboardUrl', { value: mon.url, description: 'the dashboard' });
}

const app = new cdk.App({ builtinCloudFormationValidation: false });
const stage = new cdk.Stage(app, name, { env: { region } });
for (const [k, v] of Object.entries({ '@aws-cdk/aws-iam:minimizePolicies': true, '@aws-cdk/core:enablePartitionLiterals': true, '@aws-cdk/core:defaultCrossStackReferences': 'strong' })) {
  stage.node.setContext(k, v);
}
// NAG=0: no cdk-nag (above).
if (process.env.NAG !== '0') cdk.Aspects.of(stage).add(new nag.AwsSolutionsChecks({ verbose: true }));
cdk.Tags.of(stage).add('project', 'project-1');
cdk.Tags.of(stage).add('environment', name);
const network = newNetworkStack(stage);
const data = newDataStack(stage, network);
newAppStack(stage, network, data);
app.synth();

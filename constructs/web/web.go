// Package web holds project-1's web tier: an internet-facing Application Load
// Balancer in the public subnets forwarding to an Auto Scaling group of Amazon
// Linux 2023 instances in the private subnets, and the instances' IAM role.
//
// NewWeb checks its props first and panics, as aws-cdk-lib's constructs throw,
// with one line per problem naming the construct id, the field and the value.
package web

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/project-1/project-1/constructs/firewall"
	"github.com/project-1/project-1/constructs/web/webprops"
	"github.com/project-1/project-1/internal/validate"
)

// Props configures Web. Every field is required unless its comment says otherwise.
// Imported resources work: a bucket, table, secret or key from another app
// (awss3.Bucket_FromBucketName, ...) is granted to the role by ARN; an imported
// AccessLogs bucket must already let the load balancer's log delivery write.
type Props struct {
	Vpc awsec2.IVpc
	// AlbSecurityGroup and InstanceSecurityGroup carry the chained rules.
	// NewWeb uses them immutable, whatever is passed, so the L2s here add no
	// rules of their own to groups another construct owns.
	AlbSecurityGroup      awsec2.ISecurityGroup
	InstanceSecurityGroup awsec2.ISecurityGroup
	// AccessLogs receives the load balancer's access logs under "alb/".
	AccessLogs awss3.IBucket
	// DataBucket is readable (List/Get) by the instances; Table read/write;
	// DatabaseSecret readable.
	DataBucket     awss3.IBucket
	Table          awsdynamodb.ITable
	DatabaseSecret awssecretsmanager.ISecret
	// DatabaseSecretKey is the KMS key DatabaseSecret is encrypted with.
	DatabaseSecretKey awskms.IKey

	// Notifications, optional: the topic the Auto Scaling group tells of every
	// launch, termination and failure of either. Its key, if any, must let the
	// Auto Scaling service-linked role use it. Default nil: no notifications.
	Notifications awssns.ITopic

	// Settings are the servers, their count, image and HTTPS, and the load
	// balancer's protection (webprops.Settings).
	Settings
}

// Settings are the web tier's values; see webprops.Settings, where they are
// defined with no CDK import.
type Settings = webprops.Settings

// DefaultSettings are the project's web tier (webprops.DefaultSettings).
func DefaultSettings() Settings { return webprops.DefaultSettings() }

// Validate reports every problem of the props, one line each, naming the field
// and its value. A certificate's region is checked against the stack's by NewWeb.
func (p *Props) Validate() error {
	var problems validate.Problems
	for _, required := range []struct {
		field string
		nil   bool
	}{
		{"Vpc", p.Vpc == nil},
		{"AlbSecurityGroup", p.AlbSecurityGroup == nil},
		{"InstanceSecurityGroup", p.InstanceSecurityGroup == nil},
		{"AccessLogs", p.AccessLogs == nil},
		{"DataBucket", p.DataBucket == nil},
		{"Table", p.Table == nil},
		{"DatabaseSecret", p.DatabaseSecret == nil},
		{"DatabaseSecretKey", p.DatabaseSecretKey == nil},
	} {
		if required.nil {
			problems.Add("%s is nil", required.field)
		}
	}
	if err := p.Settings.ValidateAs("", ""); err != nil {
		problems = append(problems, err)
	}
	return problems.Err()
}

// Web is the load balancer, the instances behind it, and their role.
type Web struct {
	constructs.Construct
	LoadBalancer elbv2.ApplicationLoadBalancer
	Instances    awsautoscaling.AutoScalingGroup
	// Targets is the target group the load balancer forwards to.
	Targets elbv2.ApplicationTargetGroup
	Role    awsiam.Role
	// URL is the load balancer's address, http:// or https://.
	URL string
	// Firewall is the web ACL in front of the load balancer; nil without
	// Settings.Firewall.
	Firewall *firewall.WebAcl
}

// Port the web servers listen on and the load balancer's health check uses.
const Port = 80

// ImageParameter is the public SSM parameter that holds the newest Amazon
// Linux 2023 image for instanceType's architecture; see
// webprops.ImageParameter, which needs no CDK import.
func ImageParameter(instanceType string) string { return webprops.ImageParameter(instanceType) }

// RollingUpdatePauseMinutes is how long a rolling update, and the rollback of
// a failed one, waits for each new server's signal: 30 minutes, twice the
// first create's signal timeout (CloudFormation's maximum is 60). A failed
// update takes up to this long per batch to be declared failed.
const RollingUpdatePauseMinutes = 30

// NewWeb creates the web tier.
func NewWeb(scope constructs.Construct, id string, props *Props) *Web {
	props = checkedProps(scope, id, props)
	this := constructs.NewConstruct(scope, &id)
	groups := *props
	groups.AlbSecurityGroup = immutable(this, "AlbSecurityGroup", props.AlbSecurityGroup)
	groups.InstanceSecurityGroup = immutable(this, "InstanceSecurityGroup", props.InstanceSecurityGroup)
	props = &groups
	role := newRole(this, props)
	userData := newUserData()
	template := newLaunchTemplate(this, props, role, userData)
	group := newGroup(this, props, template, userData)
	alb, targets, scheme := newLoadBalancer(this, props, group)
	suppressFindings(role, group, props)
	return &Web{
		Construct:    this,
		LoadBalancer: alb,
		Instances:    group,
		Targets:      targets,
		Role:         role,
		URL:          fmt.Sprintf("%s://%s", scheme, *alb.LoadBalancerDnsName()),
		Firewall:     newFirewall(this, id, props, alb),
	}
}

// newFirewall puts a web ACL in front of alb when the settings ask for one,
// named after the stack and the construct. The load balancer, which may be
// deletion-protected, is created after the web ACL and its logging, so that
// their failure cannot leave it behind in a rollback; the association, which
// reads both, comes last.
func newFirewall(this constructs.Construct, id string, props *Props, alb elbv2.ApplicationLoadBalancer) *firewall.WebAcl {
	if !props.Firewall.On() {
		return nil
	}
	acl := firewall.NewWebAcl(this, "Firewall", &firewall.Props{
		Name:     *awscdk.Stack_Of(this).StackName() + "-" + id,
		Settings: props.Firewall,
	})
	alb.Node().AddDependency(acl.Construct)
	acl.Protect(this, "FirewallAssociation", alb)
	return acl
}

// immutable is group as this construct uses it: rules added through it (by
// the L2s' connections) are not written, and its egress is left alone.
func immutable(this constructs.Construct, id string, group awsec2.ISecurityGroup) awsec2.ISecurityGroup {
	return awsec2.SecurityGroup_FromSecurityGroupId(this, jsii.String(id), group.SecurityGroupId(), &awsec2.SecurityGroupImportOptions{
		Mutable:          jsii.Bool(false),
		AllowAllOutbound: jsii.Bool(false),
	})
}

// checkedProps validates props (nil is no props) and panics naming every
// problem, before anything is created; a certificate's region is checked
// against the stack's when the stack has one.
func checkedProps(scope constructs.Construct, id string, props *Props) *Props {
	if props == nil {
		props = &Props{}
	}
	err := props.Validate()
	if region := awscdk.Stack_Of(scope).Region(); err == nil && props.CertificateArn != "" && !*awscdk.Token_IsUnresolved(region) {
		if err = validate.CertificateArn(props.CertificateArn, *region); err != nil {
			err = fmt.Errorf("CertificateArn %w", err)
		}
	}
	validate.Props("web.NewWeb", id, err)
	return props
}

// newRole is the servers' role: Session Manager, the data bucket's read, the
// table's read and write, and the database secret's read.
func newRole(this constructs.Construct, props *Props) awsiam.Role {
	role := awsiam.NewRole(this, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		Description: jsii.String("project-1 web tier: Session Manager, read the data bucket, read/write the Forum table, read the database secret"),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore")),
		},
	})
	props.DataBucket.GrantRead(role, nil)
	props.Table.GrantReadWriteData(role)
	// Secret.GrantRead would also add the role to the key's policy, a reference
	// from the data stack back to this one (a cycle). The key's policy trusts
	// the account's IAM policies, so this statement pair is the same grant.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
		Resources: jsii.Strings(*props.DatabaseSecret.SecretArn()),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:    jsii.Strings("kms:Decrypt"),
		Resources:  jsii.Strings(*props.DatabaseSecretKey.KeyArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": "secretsmanager." + *awscdk.Stack_Of(this).Region() + ".amazonaws.com"}},
	}))

	return role
}

// newUserData installs and starts the web server; the group adds the signal.
func newUserData() awsec2.UserData {
	userData := awsec2.UserData_ForLinux(nil)
	userData.AddCommands(
		// Through the NAT gateways: the notes' reason for having them.
		jsii.String("dnf install -y httpd aws-cfn-bootstrap"),
		jsii.String(`echo "<h1>project-1</h1><p>$(ec2-metadata --availability-zone | cut -d' ' -f2)</p>" > /var/www/html/index.html`),
		jsii.String("systemctl enable --now httpd"),
	)
	return userData
}

// newLaunchTemplate is the servers' launch template: the image of the
// instance type's architecture (or the pinned one), IMDSv2 only, no public
// address, an encrypted gp3 root volume.
func newLaunchTemplate(this constructs.Construct, props *Props, role awsiam.Role, userData awsec2.UserData) awsec2.LaunchTemplate {
	// The AMI's architecture follows the instance type's: an x86_64 image does
	// not boot on Graviton, and the launch would fail only at deploy time.
	cpu := awsec2.AmazonLinuxCpuType_X86_64
	if validate.Arm64(props.InstanceType) {
		cpu = awsec2.AmazonLinuxCpuType_ARM_64
	}
	image := awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{CpuType: cpu})
	if props.ImageId != "" {
		image = awsec2.MachineImage_GenericLinux(&map[string]*string{*awscdk.Stack_Of(this).Region(): jsii.String(props.ImageId)}, nil)
	}
	template := awsec2.NewLaunchTemplate(this, jsii.String("LaunchTemplate"), &awsec2.LaunchTemplateProps{
		MachineImage:             image,
		InstanceType:             awsec2.NewInstanceType(jsii.String(props.InstanceType)),
		SecurityGroup:            props.InstanceSecurityGroup,
		Role:                     role,
		UserData:                 userData,
		HttpTokens:               awsec2.LaunchTemplateHttpTokens_REQUIRED,
		HttpEndpoint:             jsii.Bool(true),
		HttpPutResponseHopLimit:  jsii.Number(1),
		DetailedMonitoring:       jsii.Bool(true),
		AssociatePublicIpAddress: jsii.Bool(false),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(8), &awsec2.EbsDeviceOptions{
				VolumeType:          awsec2.EbsDeviceVolumeType_GP3,
				Encrypted:           jsii.Bool(true),
				DeleteOnTermination: jsii.Bool(true),
			}),
		}},
	})
	return template
}

// privateSubnets are where the servers run.
var privateSubnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}

// newGroup is the Auto Scaling group: in the private subnets, ELB health
// checks, a rolling update that signals, notifications when a topic is given.
func newGroup(this constructs.Construct, props *Props, template awsec2.LaunchTemplate, userData awsec2.UserData) awsautoscaling.AutoScalingGroup {
	var launchTemplate awsec2.ILaunchTemplate = template
	mixed := mixedInstances(props, template)
	if mixed != nil {
		launchTemplate = nil
	}
	var notifications *[]*awsautoscaling.NotificationConfiguration
	if props.Notifications != nil {
		notifications = &[]*awsautoscaling.NotificationConfiguration{{Topic: props.Notifications}}
	}
	group := awsautoscaling.NewAutoScalingGroup(this, jsii.String("Instances"), &awsautoscaling.AutoScalingGroupProps{
		Vpc:                  props.Vpc,
		VpcSubnets:           privateSubnets,
		LaunchTemplate:       launchTemplate,
		MixedInstancesPolicy: mixed,
		Notifications:        notifications,
		// In-service and desired counts, every minute (group metrics are free),
		// for the alarm on a group short of instances.
		GroupMetrics: &[]awsautoscaling.GroupMetrics{awsautoscaling.NewGroupMetrics(
			awsautoscaling.GroupMetric_DESIRED_CAPACITY(), awsautoscaling.GroupMetric_IN_SERVICE_INSTANCES(),
			awsautoscaling.GroupMetric_MIN_SIZE(), awsautoscaling.GroupMetric_MAX_SIZE())},
		MinCapacity: jsii.Number(float64(props.Instances)),
		MaxCapacity: jsii.Number(float64(props.MaxInstances)),
		HealthChecks: awsautoscaling.HealthChecks_WithAdditionalChecks(&awsautoscaling.AdditionalHealthChecksOptions{
			AdditionalTypes: &[]awsautoscaling.AdditionalHealthCheckType{awsautoscaling.AdditionalHealthCheckType_ELB},
			GracePeriod:     awscdk.Duration_Minutes(jsii.Number(5)),
		}),
		// New servers start, install, and signal before old ones stop: a new AMI
		// never takes the tier down. A failed update's rollback launches servers
		// of the old launch template, which must signal within the same pause;
		// "a short PauseTime can cause the rollback to fail" (the UpdatePolicy
		// attribute's reference). When the cause is the environment (a package
		// mirror, the NAT gateways), the longer pause gives it time to clear
		// before the rollback gives up too: RollingUpdatePauseMinutes.
		UpdatePolicy: awsautoscaling.UpdatePolicy_RollingUpdate(&awsautoscaling.RollingUpdateOptions{
			MaxBatchSize:          jsii.Number(1),
			MinInstancesInService: jsii.Number(float64(props.Instances)),
			WaitOnResourceSignals: jsii.Bool(true),
			PauseTime:             awscdk.Duration_Minutes(jsii.Number(RollingUpdatePauseMinutes)),
		}),
		Signals: awsautoscaling.Signals_WaitForMinCapacity(&awsautoscaling.SignalsOptions{
			Timeout: awscdk.Duration_Minutes(jsii.Number(15)),
		}),
	})
	userData.AddSignalOnExitCommand(group)
	shapeGroup(group, props, template, mixed != nil)
	return group
}

// shapeGroup sets what the L2 group does not: its zones beside its subnets,
// and for a mixed-instances group the launch template cdk-nag reads.
func shapeGroup(group awsautoscaling.AutoScalingGroup, props *Props, template awsec2.LaunchTemplate, mixed bool) {
	// The group's zones, listed beside its subnets: the zones of the private
	// subnets, as the subnets' own (literal) zones.
	zones := props.Vpc.SelectSubnets(privateSubnets).AvailabilityZones
	cfnGroup := group.Node().DefaultChild().(awsautoscaling.CfnAutoScalingGroup)
	cfnGroup.SetAvailabilityZones(zones)
	if mixed {
		// cdk-nag 2.38's EBS encryption (EC26) and IMDSv2 (EC29) checks of a
		// group read its LaunchTemplate property, which a group launched from
		// a mixed-instances policy must not have (EC26 then throws). Setting
		// it on the L1 and deleting it from the template lets nag check the
		// launch template the policy uses, with no suppression.
		cfnGroup.SetLaunchTemplate(&awsautoscaling.CfnAutoScalingGroup_LaunchTemplateSpecificationProperty{
			LaunchTemplateId: template.LaunchTemplateId(),
			Version:          template.LatestVersionNumber(),
		})
		cfnGroup.AddPropertyDeletionOverride(jsii.String("LaunchTemplate"))
	}
}

// mixedInstances is the policy that falls back on AlternateInstanceType, all
// on demand; nil without one.
func mixedInstances(props *Props, template awsec2.LaunchTemplate) *awsautoscaling.MixedInstancesPolicy {
	if props.AlternateInstanceType == "" {
		return nil
	}
	return &awsautoscaling.MixedInstancesPolicy{
		LaunchTemplate: template,
		LaunchTemplateOverrides: &[]*awsautoscaling.LaunchTemplateOverrides{
			{InstanceType: awsec2.NewInstanceType(jsii.String(props.InstanceType))},
			{InstanceType: awsec2.NewInstanceType(jsii.String(props.AlternateInstanceType))},
		},
		InstancesDistribution: &awsautoscaling.InstancesDistribution{
			OnDemandAllocationStrategy:          awsautoscaling.OnDemandAllocationStrategy_PRIORITIZED,
			OnDemandBaseCapacity:                jsii.Number(0),
			OnDemandPercentageAboveBaseCapacity: jsii.Number(100),
		},
	}
}

// newLoadBalancer is the internet-facing load balancer, its access logs, the
// target group of the servers and the listeners; scheme is its URL's.
func newLoadBalancer(this constructs.Construct, props *Props, group awsautoscaling.AutoScalingGroup) (alb elbv2.ApplicationLoadBalancer, targets elbv2.ApplicationTargetGroup, scheme string) {
	alb = elbv2.NewApplicationLoadBalancer(this, jsii.String("LoadBalancer"), &elbv2.ApplicationLoadBalancerProps{
		Vpc:                     props.Vpc,
		InternetFacing:          jsii.Bool(true),
		VpcSubnets:              &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC},
		SecurityGroup:           props.AlbSecurityGroup,
		DropInvalidHeaderFields: jsii.Bool(true),
		DesyncMitigationMode:    elbv2.DesyncMitigationMode_DEFENSIVE,
		DeletionProtection:      jsii.Bool(props.DeletionProtection),
	})
	alb.LogAccessLogs(props.AccessLogs, jsii.String("alb"))
	// The load balancer is created only once the instances have signalled. If
	// they never do (a package mirror down), the first deploy rolls back before
	// a load balancer with deletion protection exists, which the rollback could
	// not delete (the stack would end in ROLLBACK_FAILED). The instances do not
	// need it to start: they register with the target group, which exists first.
	alb.Node().AddDependency(group)
	targets = elbv2.NewApplicationTargetGroup(this, jsii.String("Targets"), &elbv2.ApplicationTargetGroupProps{
		Vpc:                 props.Vpc,
		Port:                jsii.Number(Port),
		Protocol:            elbv2.ApplicationProtocol_HTTP,
		TargetType:          elbv2.TargetType_INSTANCE,
		Targets:             &[]elbv2.IApplicationLoadBalancerTarget{group},
		DeregistrationDelay: awscdk.Duration_Seconds(jsii.Number(30)),
		HealthCheck: &elbv2.HealthCheck{
			Path:             jsii.String("/"),
			HealthyHttpCodes: jsii.String("200"),
		},
	})
	return alb, targets, addListeners(alb, targets, props.CertificateArn)
}

// addListeners serves targets on HTTP 80, or with a certificate on HTTPS 443
// with 80 redirected to it, and returns the URL's scheme.
func addListeners(alb elbv2.ApplicationLoadBalancer, targets elbv2.ApplicationTargetGroup, certificateArn string) string {
	scheme := "http"
	if certificateArn == "" {
		alb.AddListener(jsii.String("Http"), &elbv2.BaseApplicationListenerProps{
			Port:                jsii.Number(80),
			Protocol:            elbv2.ApplicationProtocol_HTTP,
			Open:                jsii.Bool(false), // the ALB group already admits 80 and 443
			DefaultTargetGroups: &[]elbv2.IApplicationTargetGroup{targets},
		})
	} else {
		scheme = "https"
		alb.AddListener(jsii.String("Https"), &elbv2.BaseApplicationListenerProps{
			Port:                jsii.Number(443),
			Protocol:            elbv2.ApplicationProtocol_HTTPS,
			Open:                jsii.Bool(false),
			Certificates:        &[]elbv2.IListenerCertificate{elbv2.ListenerCertificate_FromArn(jsii.String(certificateArn))},
			SslPolicy:           elbv2.SslPolicy_RECOMMENDED_TLS,
			DefaultTargetGroups: &[]elbv2.IApplicationTargetGroup{targets},
		})
		alb.AddListener(jsii.String("Http"), &elbv2.BaseApplicationListenerProps{
			Port:     jsii.Number(80),
			Protocol: elbv2.ApplicationProtocol_HTTP,
			Open:     jsii.Bool(false),
			DefaultAction: elbv2.ListenerAction_Redirect(&elbv2.RedirectOptions{
				Protocol:  jsii.String("HTTPS"),
				Port:      jsii.String("443"),
				Permanent: jsii.Bool(true),
			}),
		})
	}

	return scheme
}

// suppressFindings gives the reasons for the role's managed policy and
// scoped wildcards, and for a group without a notification topic.
func suppressFindings(role awsiam.Role, group awsautoscaling.AutoScalingGroup, props *Props) {
	bucketObjects := objectsResource(props.DataBucket)
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM4"),
			Reason: jsii.String("AmazonSSMManagedInstanceCore is the policy AWS maintains for Session Manager, the only " +
				"way into these instances (no SSH key, no port 22); a copy would drift from the agent's needs."),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"},
		},
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("The spec's S3 read (s3:List*, s3:Get*) on the data bucket's ARN and its objects only, " +
				"and the KMS data-key actions the Forum table's encryption needs, on that table's key only. No action is granted on *."),
			AppliesTo: &[]any{
				"Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*",
				bucketObjects,
				"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			},
		},
	}, jsii.Bool(true))
	if props.Notifications == nil {
		cdknag.NagSuppressions_AddResourceSuppressions(group, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-AS3"),
			Reason: jsii.String("No notification topic was given (Props.Notifications): every scaling activity is in " +
				"the group's activity history and CloudTrail. Give the construct a topic to be told of them."),
		}}, jsii.Bool(false))
	}

}

// objectsResource is how cdk-nag names the data bucket's objects in an IAM5
// finding: "<LogicalId.Arn>/*" for a bucket of this app, the ARN itself for an
// imported one.
func objectsResource(bucket awss3.IBucket) string {
	if cfn, ok := bucket.Node().DefaultChild().(awscdk.CfnElement); ok && cfn != nil {
		return fmt.Sprintf("Resource::<%s.Arn>/*", *awscdk.Stack_Of(bucket).GetLogicalId(cfn))
	}
	return "Resource::" + *bucket.BucketArn() + "/*"
}

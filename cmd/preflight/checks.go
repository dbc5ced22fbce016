package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/codestarconnections"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/constructs/web/webprops"
	"github.com/project-1/project-1/internal/appcontext"
	configuration "github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/validate"
)

// The bootstrap version the pinned CDK CLI (aws-cdk 2.1148.1) requires of this
// app. The CLI compares the SSM parameter BootstrapParameter with each
// artifact's requiresBootstrapStackVersion in the cloud assembly, which
// aws-cdk-lib's DefaultStackSynthesizer writes: 6 to deploy the stacks and
// publish their assets (each template's CheckBootstrapVersion rule says the
// same), 8 for the lookup role that `cdk diff` assumes to read the deployed
// templates ("Bootstrap stack version '8' is required"). The CLI's own
// bootstrap template is version 33; `cdk bootstrap` upgrades to it.
const (
	BootstrapParameter  = "/cdk-bootstrap/hnb659fds/version"
	DeployBootstrap     = 6
	MinBootstrapVersion = 8
)

// Quotas the network stack draws on, per region.
var (
	elasticIPQuota = quota{"Elastic IPs", "ec2", "L-0263D0A3"} // EC2-VPC Elastic IPs
	vpcQuota       = quota{"VPCs", "vpc", "L-F678F1CE"}        // VPCs per Region
	igwQuota       = quota{"internet gateways", "vpc", "L-A4707A72"}
)

type quota struct{ what, service, code string }

// clients of one region.
type clients struct {
	region  string
	sts     *sts.Client
	ssm     *ssm.Client
	ec2     *ec2.Client
	rds     *rds.Client
	quotas  *servicequotas.Client
	dynamo  *dynamodb.Client
	cfn     *cloudformation.Client
	conns   *codeconnections.Client
	starcon *codestarconnections.Client
}

type preflight struct {
	opt     options
	out     *report
	clients map[string]*clients
	// callerAccount is the account of the credentials, once known.
	callerAccount string
}

func (p *preflight) clientsFor(ctx context.Context, region string) (*clients, error) {
	if c, ok := p.clients[region]; ok {
		return c, nil
	}
	cfg, err := p.opt.loadConfig(ctx, region)
	if err != nil {
		return nil, err
	}
	c := &clients{
		region:  region,
		sts:     sts.NewFromConfig(cfg),
		ssm:     ssm.NewFromConfig(cfg),
		ec2:     ec2.NewFromConfig(cfg),
		rds:     rds.NewFromConfig(cfg),
		quotas:  servicequotas.NewFromConfig(cfg),
		dynamo:  dynamodb.NewFromConfig(cfg),
		cfn:     cloudformation.NewFromConfig(cfg),
		conns:   codeconnections.NewFromConfig(cfg),
		starcon: codestarconnections.NewFromConfig(cfg),
	}
	p.clients[region] = c
	return c, nil
}

func (p *preflight) execute(ctx context.Context, pl plan) {
	if cfg := pl.pipeline; cfg != nil {
		p.checkPipeline(ctx, cfg)
	}
	for _, t := range pl.targets {
		p.checkEnvironment(ctx, t)
	}
}

func (p *preflight) checkPipeline(ctx context.Context, cfg *configuration.PipelineConfig) {
	r := p.out
	r.group(fmt.Sprintf("pipeline (account %s, %s)", orAny(cfg.Account), orAny(cfg.Region)))
	if err := cfg.Validate(); err != nil {
		r.fail("settings", err.Error(),
			"set the pipeline:* keys in cdk.json's context and commit them (the pipeline's own synthesis reads them there); see docs/deploy.md, \"The delivery pipeline\"")
		r.skip("the pipeline's account", "its settings are invalid")
		return
	}
	r.pass("settings", fmt.Sprintf("%s, branch %s, from connection %s", cfg.Repository, cfg.Branch, cfg.ConnectionArn))
	c, ok := p.credentials(ctx, cfg.Region, cfg.Account, "the pipeline's account (pipeline:account)")
	if !ok {
		return
	}
	p.bootstrap(ctx, c, cfg.Account, "")
	p.connection(ctx, cfg)
}

func (p *preflight) checkEnvironment(ctx context.Context, t target) {
	r := p.out
	env := t.env
	r.group(fmt.Sprintf("environment %s (account %s, %s)", env.Name, orAny(t.account), env.Region))
	alarms(r, env)
	c, ok := p.credentials(ctx, env.Region, t.account, "the environment's account")
	if !ok {
		return
	}
	account := t.account
	if account == "" {
		account = p.callerAccount
	}
	p.bootstrap(ctx, c, account, t.trust)
	p.copyRegion(ctx, env, account, t.trust)
	zones := p.zones(ctx, c, env)
	p.instanceTypes(ctx, c, env, zones)
	p.database(ctx, c, env, zones)
	p.image(ctx, c, env)
	networkLive, errNet := p.stackLive(ctx, c, env.Name+"-Network")
	dataLive, errData := p.stackLive(ctx, c, env.Name+"-Data")
	switch {
	case errNet != nil:
		r.fail("quotas", "could not read stack "+env.Name+"-Network: "+short(errNet), readFix("cloudformation:DescribeStacks"))
	case networkLive:
		r.skip("quotas", fmt.Sprintf("stack %s-Network is deployed: this is an update, and its Elastic IPs, VPC and internet gateway exist", env.Name))
	default:
		p.quota(ctx, c, elasticIPQuota, env.Network.NatGateways, "one per NAT gateway")
		p.quota(ctx, c, vpcQuota, 1, "")
		p.quota(ctx, c, igwQuota, 1, "")
	}
	if errData != nil {
		r.fail("table", "could not read stack "+env.Name+"-Data: "+short(errData), readFix("cloudformation:DescribeStacks"))
	} else {
		p.table(ctx, c, env, dataLive)
	}
}

// alarms fails when the environment's alarm topic would have no subscriber:
// its alarms and the Auto Scaling notifications would reach no one. It needs
// no AWS call.
func alarms(r *report, env configuration.Environment) {
	if env.Monitoring.AlarmEmail == "" {
		r.fail("alarms", "the alarm topic has no subscriber: every alarm and Auto Scaling notification of "+env.Name+" reaches no one",
			"pass the address to cdk deploy and to preflight as -c "+appcontext.AlarmEmailKey+"=ops@example.com (or set Monitoring.AlarmEmail), then confirm the subscription from the email AWS sends")
		return
	}
	r.pass("alarms", "the alarm topic notifies "+env.Monitoring.AlarmEmail+" (the address must confirm its subscription)")
}

// credentials checks that the credentials work in region and, when want is
// set, are for that account. It records the caller's account.
func (p *preflight) credentials(ctx context.Context, region, want, whose string) (*clients, bool) {
	r := p.out
	c, err := p.clientsFor(ctx, region)
	var out *sts.GetCallerIdentityOutput
	if err == nil {
		out, err = c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	}
	if err != nil {
		r.fail("credentials", "no usable AWS credentials: "+short(err),
			"sign in (aws sso login --profile NAME, then AWS_PROFILE=NAME), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and run again")
		r.skip("the rest", "without credentials nothing can be checked")
		return nil, false
	}
	got := aws.ToString(out.Account)
	p.callerAccount = got
	if want != "" && got != want {
		r.fail("credentials", fmt.Sprintf("the credentials are for account %s, %s is %s", got, whose, want),
			fmt.Sprintf("run preflight with credentials of account %s (AWS_PROFILE=a profile of that account)", want))
		r.skip("the rest", "checking another account than the one deployed to proves nothing")
		return nil, false
	}
	r.pass("credentials", fmt.Sprintf("account %s as %s", got, aws.ToString(out.Arn)))
	return c, true
}

// bootstrap checks the version the CDK CLI reads before it deploys.
func (p *preflight) bootstrap(ctx context.Context, c *clients, account, trust string) {
	r := p.out
	fix := fmt.Sprintf("npx cdk bootstrap aws://%s/%s", account, c.region)
	if trust != "" {
		fix += fmt.Sprintf(" --trust %s --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess", trust)
	}
	out, err := c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(BootstrapParameter)})
	if apiCode(err) == "ParameterNotFound" {
		r.fail("bootstrap", fmt.Sprintf("%s is not in account %s, %s: the environment is not bootstrapped, and cdk deploy stops there", BootstrapParameter, account, c.region), fix)
		return
	}
	if err != nil {
		r.fail("bootstrap", "could not read "+BootstrapParameter+": "+short(err), readFix("ssm:GetParameter"))
		return
	}
	value := aws.ToString(out.Parameter.Value)
	v, err := strconv.Atoi(value)
	switch {
	case err != nil:
		r.fail("bootstrap", fmt.Sprintf("%s is %q, not a version number", BootstrapParameter, value), fix+" (rewrites it)")
	case v < DeployBootstrap:
		r.fail("bootstrap", fmt.Sprintf("version %d in %s; cdk deploy needs %d or later and refuses to deploy", v, c.region, DeployBootstrap), fix+" (upgrades the bootstrap stack)")
	case v < MinBootstrapVersion:
		r.fail("bootstrap", fmt.Sprintf("version %d in %s; deploys work, but cdk diff's lookup role needs %d", v, c.region, MinBootstrapVersion), fix+" (upgrades the bootstrap stack)")
	default:
		r.pass("bootstrap", fmt.Sprintf("version %d (%s); the pinned CLI needs %d", v, BootstrapParameter, MinBootstrapVersion))
	}
}

// copyRegion checks that the backup copy's region (Backup.CopyRegion) is
// bootstrapped too: its stack (NAME-BackupCopy) deploys there, in the same
// stage, and cdk deploy stops on it otherwise.
func (p *preflight) copyRegion(ctx context.Context, env configuration.Environment, account, trust string) {
	if env.Backup.CopyRegion == "" {
		return
	}
	c, err := p.clientsFor(ctx, env.Backup.CopyRegion)
	if err != nil {
		p.out.fail("bootstrap", "no clients for the backup copy's region "+env.Backup.CopyRegion+": "+short(err), readFix("ssm:GetParameter"))
		return
	}
	p.bootstrap(ctx, c, account, trust)
}

// zones checks that every configured zone is an available availability zone
// of the account, and returns those that are.
func (p *preflight) zones(ctx context.Context, c *clients, env configuration.Environment) []string {
	r := p.out
	configured := zonesOf(env)
	out, err := c.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		r.fail("zones", "could not list the zones of "+c.region+": "+short(err), readFix("ec2:DescribeAvailabilityZones"))
		return nil
	}
	byName := map[string]ec2types.AvailabilityZone{}
	var names []string
	for _, z := range out.AvailabilityZones {
		if z.ZoneType != nil && *z.ZoneType != "availability-zone" {
			continue // Local Zones and Wavelength Zones
		}
		byName[aws.ToString(z.ZoneName)] = z
		if z.State == ec2types.AvailabilityZoneStateAvailable {
			names = append(names, aws.ToString(z.ZoneName))
		}
	}
	var ok, found, problems []string
	for _, name := range configured {
		z, exists := byName[name]
		switch {
		case !exists:
			problems = append(problems, fmt.Sprintf("%s is not an availability zone of this account in %s", name, c.region))
		case z.State != ec2types.AvailabilityZoneStateAvailable:
			problems = append(problems, fmt.Sprintf("%s is %s", name, z.State))
			found = append(found, name)
		default:
			ok = append(ok, fmt.Sprintf("%s (%s)", name, aws.ToString(z.ZoneId)))
			found = append(found, name)
		}
	}
	if len(problems) > 0 {
		r.fail("zones", strings.Join(problems, "; "),
			fmt.Sprintf("give environment %s zones the account has in %s (%s): Network.Subnets in internal/config/environments.go (network.SpecLayout(N, zoneA, zoneB))",
				env.Name, c.region, strings.Join(names, ", ")))
		return found
	}
	r.pass("zones", strings.Join(ok, ", ")+" available (zone names map to different physical zones, the ids in brackets, in each account)")
	return found
}

// instanceTypes checks that every zone offers the web tier's instance type or
// its alternate: the Auto Scaling group spans the private subnets of every
// zone, and its mixed-instances policy launches whichever of the two a zone has.
func (p *preflight) instanceTypes(ctx context.Context, c *clients, env configuration.Environment, zones []string) {
	r := p.out
	types := []string{env.Web.InstanceType}
	fields := "Web.InstanceType"
	if alt := env.Web.AlternateInstanceType; alt != "" {
		types = append(types, alt)
		fields += " and Web.AlternateInstanceType"
	}
	if len(zones) == 0 {
		r.skip("instance type", "no configured zone exists")
		return
	}
	offered := map[string]map[string]bool{} // type -> zone
	pages := ec2.NewDescribeInstanceTypeOfferingsPaginator(c.ec2, &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: ec2types.LocationTypeAvailabilityZone,
		Filters: []ec2types.Filter{
			{Name: aws.String("instance-type"), Values: types},
			{Name: aws.String("location"), Values: zones},
		},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			r.fail("instance type", "could not list instance type offerings: "+short(err), readFix("ec2:DescribeInstanceTypeOfferings"))
			return
		}
		for _, o := range page.InstanceTypeOfferings {
			t := string(o.InstanceType)
			if offered[t] == nil {
				offered[t] = map[string]bool{}
			}
			offered[t][aws.ToString(o.Location)] = true
		}
	}
	var missing, where []string
	for _, z := range zones {
		if !slices.ContainsFunc(types, func(t string) bool { return offered[t][z] }) {
			missing = append(missing, z)
		}
	}
	for _, t := range types {
		var in []string
		for _, z := range zones {
			if offered[t][z] {
				in = append(in, z)
			}
		}
		if len(in) == 0 {
			in = []string{"no zone"}
		}
		where = append(where, t+" offered in "+strings.Join(in, ", "))
	}
	if len(missing) > 0 {
		r.fail("instance type", fmt.Sprintf("%s (%s) not offered in %s; the web tier's Auto Scaling group launches in every zone", strings.Join(types, " or "), fields, strings.Join(missing, ", ")),
			fmt.Sprintf("choose a %s offered in every zone of environment %s, or zones that offer %s (internal/config/environments.go); list them with: aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=instance-type,Values=%s --region %s",
				fields, env.Name, strings.Join(types, " or "), strings.Join(types, ","), c.region))
		return
	}
	r.pass("instance type", strings.Join(where, "; "))
}

// database checks that RDS offers the MySQL version NewMysql asks for on the
// environment's instance class, with gp3 storage, Multi-AZ when configured,
// in the configured zones.
func (p *preflight) database(ctx context.Context, c *clients, env configuration.Environment, zones []string) {
	r := p.out
	d := env.Database
	class := "db." + d.InstanceType
	version := dbprops.EngineVersion
	in := &rds.DescribeOrderableDBInstanceOptionsInput{Engine: aws.String("mysql"), DBInstanceClass: aws.String(class), Vpc: aws.Bool(true)}
	if strings.Count(version, ".") >= 2 {
		in.EngineVersion = aws.String(version)
	}
	type offer struct {
		versions, storage map[string]bool
		multiAz           bool
		zones             map[string]bool
	}
	all := offer{versions: map[string]bool{}, storage: map[string]bool{}, zones: map[string]bool{}}
	gp3 := offer{versions: map[string]bool{}, zones: map[string]bool{}}
	pages := rds.NewDescribeOrderableDBInstanceOptionsPaginator(c.rds, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			r.fail("database", "could not list RDS's orderable options: "+short(err), readFix("rds:DescribeOrderableDBInstanceOptions"))
			return
		}
		for _, o := range page.OrderableDBInstanceOptions {
			v := aws.ToString(o.EngineVersion)
			if !matchesVersion(v, version) {
				continue
			}
			all.versions[v] = true
			all.storage[aws.ToString(o.StorageType)] = true
			if aws.ToString(o.StorageType) != "gp3" {
				continue
			}
			gp3.versions[v] = true
			gp3.multiAz = gp3.multiAz || aws.ToBool(o.MultiAZCapable)
			for _, z := range o.AvailabilityZones {
				gp3.zones[aws.ToString(z.Name)] = true
			}
		}
	}
	what := fmt.Sprintf("MySQL %s on %s", version, class)
	list := fmt.Sprintf("aws rds describe-orderable-db-instance-options --engine mysql --db-instance-class %s --query 'OrderableDBInstanceOptions[].[EngineVersion,StorageType,MultiAZCapable]' --output text --region %s", class, c.region)
	switch {
	case len(all.versions) == 0:
		r.fail("database", what+" is not offered in "+c.region+" (RDS retires minor versions about a year after release)",
			fmt.Sprintf("take a version RDS offers for %s (dbprops.EngineVersion in constructs/database), or another Database.InstanceType for environment %s; list them with: %s", class, env.Name, list))
		return
	case len(gp3.versions) == 0:
		r.fail("database", fmt.Sprintf("%s is offered only with storage %s, not gp3", what, strings.Join(sorted(all.storage), ", ")),
			fmt.Sprintf("choose another Database.InstanceType for environment %s; list what takes gp3 with: %s", env.Name, list))
		return
	case d.MultiAz && !gp3.multiAz:
		r.fail("database", what+" is not offered Multi-AZ (Database.MultiAz)",
			fmt.Sprintf("choose a Database.InstanceType offered Multi-AZ for environment %s; list them with: %s", env.Name, list))
		return
	}
	var inZones []string
	for _, z := range zones {
		if gp3.zones[z] || len(gp3.zones) == 0 { // no zone list: offered region-wide
			inZones = append(inZones, z)
		}
	}
	need := 1
	if d.MultiAz {
		need = 2
	}
	if len(zones) > 0 && len(inZones) < need {
		r.fail("database", fmt.Sprintf("%s is offered in %s only, of the environment's zones %s; the instance needs %d", what, strings.Join(sorted(gp3.zones), ", "), strings.Join(zones, ", "), need),
			fmt.Sprintf("choose zones (Network.Subnets) or a Database.InstanceType that RDS offers there for environment %s; list them with: %s", env.Name, list))
		return
	}
	detail := what + ", gp3"
	if d.MultiAz {
		detail += ", Multi-AZ"
	}
	if strings.Count(version, ".") < 2 { // a major version: which minors RDS offers
		detail += " (" + strings.Join(sorted(gp3.versions), ", ") + ")"
	}
	r.pass("database", detail+" offered in "+strings.Join(inZones, ", "))
}

// matchesVersion: an exact version matches itself; a major version ("8.4")
// matches each of its minors, one of which RDS creates.
func matchesVersion(offered, configured string) bool {
	return offered == configured || strings.HasPrefix(offered, configured+".")
}

// quota checks that the region has room for need more of q.
func (p *preflight) quota(ctx context.Context, c *clients, q quota, need int, why string) {
	r := p.out
	check := "quota " + q.what
	limit, source, err := p.quotaValue(ctx, c, q)
	if err != nil {
		r.fail(check, "could not read the quota: "+short(err), readFix("servicequotas:GetServiceQuota"))
		return
	}
	used, err := p.usage(ctx, c, q)
	if err != nil {
		r.fail(check, "could not count what is in use: "+short(err), readFix("ec2:Describe*"))
		return
	}
	needs := fmt.Sprintf("the environment needs %d", need)
	if why != "" {
		needs += " (" + why + ")"
	}
	if used+need > limit {
		r.fail(check, fmt.Sprintf("%d of %d in use in %s, %s", used, limit, c.region, needs),
			fmt.Sprintf("release unused %s, or ask for more: aws service-quotas request-service-quota-increase --service-code %s --quota-code %s --desired-value %d --region %s",
				q.what, q.service, q.code, used+need, c.region))
		return
	}
	r.pass(check, fmt.Sprintf("%d of %d in use (%s), %s", used, limit, source, needs))
}

// quotaValue is the account's applied quota, else AWS's default; for Elastic
// IPs, else the EC2 account attribute vpc-max-elastic-ips.
func (p *preflight) quotaValue(ctx context.Context, c *clients, q quota) (int, string, error) {
	out, err := c.quotas.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(q.service), QuotaCode: aws.String(q.code)})
	if err == nil && out.Quota != nil && out.Quota.Value != nil {
		return int(*out.Quota.Value), "quota " + q.code, nil
	}
	def, errDef := c.quotas.GetAWSDefaultServiceQuota(ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String(q.service), QuotaCode: aws.String(q.code)})
	if errDef == nil && def.Quota != nil && def.Quota.Value != nil {
		return int(*def.Quota.Value), "default quota " + q.code, nil
	}
	if q == elasticIPQuota {
		attr, errAttr := c.ec2.DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{
			AttributeNames: []ec2types.AccountAttributeName{"vpc-max-elastic-ips"},
		})
		if errAttr == nil {
			for _, a := range attr.AccountAttributes {
				for _, v := range a.AttributeValues {
					if n, err := strconv.Atoi(aws.ToString(v.AttributeValue)); err == nil && aws.ToString(a.AttributeName) == "vpc-max-elastic-ips" {
						return n, "account attribute vpc-max-elastic-ips", nil
					}
				}
			}
		}
	}
	if err == nil {
		err = errDef
	}
	if err == nil {
		err = fmt.Errorf("Service Quotas returned no value for %s %s", q.service, q.code)
	}
	return 0, "", err
}

func (p *preflight) usage(ctx context.Context, c *clients, q quota) (int, error) {
	switch q {
	case elasticIPQuota:
		out, err := c.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{
			Filters: []ec2types.Filter{{Name: aws.String("domain"), Values: []string{"vpc"}}},
		})
		if err != nil {
			return 0, err
		}
		return len(out.Addresses), nil
	case vpcQuota:
		n := 0
		pages := ec2.NewDescribeVpcsPaginator(c.ec2, &ec2.DescribeVpcsInput{})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return 0, err
			}
			n += len(page.Vpcs)
		}
		return n, nil
	case igwQuota:
		n := 0
		pages := ec2.NewDescribeInternetGatewaysPaginator(c.ec2, &ec2.DescribeInternetGatewaysInput{})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return 0, err
			}
			n += len(page.InternetGateways)
		}
		return n, nil
	}
	return 0, fmt.Errorf("no usage count for %s", q.what)
}

// stackLive reports whether a stack of that name is deployed: it exists and
// is not the remains of a failed first create (ROLLBACK_COMPLETE, which cdk
// deploy deletes and creates again) or a change set never executed.
func (p *preflight) stackLive(ctx context.Context, c *clients, name string) (bool, error) {
	out, err := c.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if apiCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, s := range out.Stacks {
		switch s.StackStatus {
		case "ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS", "DELETE_COMPLETE":
		default:
			return true, nil
		}
	}
	return false, nil
}

// table checks that the Forum table's fixed name is free, unless the data
// stack that owns it is deployed (an update).
func (p *preflight) table(ctx context.Context, c *clients, env configuration.Environment, dataLive bool) {
	r := p.out
	name := env.Storage.TableName
	out, err := c.dynamo.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if apiCode(err) == "ResourceNotFoundException" {
		r.pass("table", fmt.Sprintf("no table %s in %s yet (Storage.TableName)", name, c.region))
		return
	}
	if err != nil {
		r.fail("table", "could not look for table "+name+": "+short(err), readFix("dynamodb:DescribeTable"))
		return
	}
	if dataLive {
		r.pass("table", fmt.Sprintf("table %s exists and stack %s-Data is deployed: an update, not a first deploy", name, env.Name))
		return
	}
	r.fail("table", fmt.Sprintf("table %s already exists in %s (%s) and no stack %s-Data is deployed: creating the data stack would fail with \"already exists\"",
		name, c.region, out.Table.TableStatus, env.Name),
		fmt.Sprintf("if it is this environment's table, retained by an earlier deploy, bring it into the stack with npx cdk import -c env=%s '%s/Data' before deploying, or back it up and delete it (turn its deletion protection off first); otherwise give environment %s another Storage.TableName in internal/config/environments.go",
			env.Name, env.Name, env.Name))
}

// image checks the image the web servers boot: pinned (Web.ImageId, which
// cmd/image writes), an available image of the instance type's architecture
// in the region, and says when a newer Amazon Linux 2023 image exists. An
// environment without a pin FAILs: each of its deploys would boot the newest
// image and replace every web server whenever AWS had published one.
func (p *preflight) image(ctx context.Context, c *clients, env configuration.Environment) {
	r := p.out
	refresh := fmt.Sprintf("go run ./cmd/image -c env=%s -write (it pins the newest image in internal/config/images.go); review and commit it", env.Name)
	parameter := webprops.ImageParameter(env.Web.InstanceType)
	arch := "x86_64"
	if validate.Arm64(env.Web.InstanceType) {
		arch = "arm64"
	}
	if env.Web.ImageId == "" {
		r.fail("image", "Web.ImageId is empty: every deploy boots the newest Amazon Linux 2023 image ("+parameter+"), and replaces every web server whenever AWS has published a new one", refresh)
		return
	}
	out, err := c.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{env.Web.ImageId}})
	switch {
	case apiCode(err) == "InvalidAMIID.NotFound" || apiCode(err) == "InvalidAMIID.Unavailable" || err == nil && len(out.Images) == 0:
		r.fail("image", fmt.Sprintf("image %s (Web.ImageId) does not exist in %s, or the account may not launch it", env.Web.ImageId, c.region), refresh)
		return
	case err != nil:
		r.fail("image", "could not describe image "+env.Web.ImageId+": "+short(err), readFix("ec2:DescribeImages"))
		return
	}
	img := out.Images[0]
	if got := string(img.Architecture); got != arch {
		r.fail("image", fmt.Sprintf("image %s (Web.ImageId) is %s; %s needs %s", env.Web.ImageId, got, env.Web.InstanceType, arch), refresh)
		return
	}
	if img.State != ec2types.ImageStateAvailable {
		r.fail("image", fmt.Sprintf("image %s (Web.ImageId) is %s, not available", env.Web.ImageId, img.State), refresh)
		return
	}
	newest := ""
	if po, err := c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(parameter)}); err == nil {
		newest = aws.ToString(po.Parameter.Value)
	}
	detail := fmt.Sprintf("%s (%s, %s) is available in %s", env.Web.ImageId, aws.ToString(img.Name), arch, c.region)
	switch newest {
	case env.Web.ImageId:
		detail += ", the newest Amazon Linux 2023 image"
	case "":
		detail += " (the newest could not be read from " + parameter + ")"
	default:
		detail += fmt.Sprintf("; AWS has published %s since: %s, and its deploy replaces every web server", newest, refresh)
	}
	r.pass("image", detail)
}

// connection checks that the pipeline's source connection exists and has
// completed its handshake.
func (p *preflight) connection(ctx context.Context, cfg *configuration.PipelineConfig) {
	r := p.out
	arn := cfg.ConnectionArn
	region := strings.Split(arn, ":")[3]
	c, err := p.clientsFor(ctx, region)
	if err != nil {
		r.fail("connection", short(err), "check the AWS configuration")
		return
	}
	var status, name string
	if strings.Split(arn, ":")[2] == "codeconnections" {
		var out *codeconnections.GetConnectionOutput
		if out, err = c.conns.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: aws.String(arn)}); err == nil && out.Connection != nil {
			status, name = string(out.Connection.ConnectionStatus), aws.ToString(out.Connection.ConnectionName)
		}
	} else {
		var out *codestarconnections.GetConnectionOutput
		if out, err = c.starcon.GetConnection(ctx, &codestarconnections.GetConnectionInput{ConnectionArn: aws.String(arn)}); err == nil && out.Connection != nil {
			status, name = string(out.Connection.ConnectionStatus), aws.ToString(out.Connection.ConnectionName)
		}
	}
	create := "create a connection to the repository host in the console (Developer Tools > Settings > Connections), complete its handshake, and set its ARN as pipeline:connectionArn in cdk.json"
	switch {
	case apiCode(err) == "ResourceNotFoundException":
		r.fail("connection", arn+" does not exist", create)
	case err != nil:
		r.fail("connection", "could not read "+arn+": "+short(err), readFix("codeconnections:GetConnection (codestar-connections:GetConnection for a codestar-connections ARN)"))
	case status == "AVAILABLE":
		r.pass("connection", fmt.Sprintf("%s (%s) is AVAILABLE", name, arn))
	case status == "PENDING":
		r.fail("connection", fmt.Sprintf("%s (%s) is PENDING: its handshake with the repository host was never completed, and the pipeline's source stage fails", name, arn),
			"in the console (Developer Tools > Settings > Connections), choose the connection, then Update pending connection, and authorize it at the repository host")
	default:
		r.fail("connection", fmt.Sprintf("%s (%s) is %s", name, arn, orAny(status)),
			"update the connection in the console (Developer Tools > Settings > Connections) or "+create)
	}
}

// zonesOf is the environment's zones, in the order of its subnets.
func zonesOf(env configuration.Environment) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range env.Network.Subnets {
		if !seen[s.AvailabilityZone] {
			seen[s.AvailabilityZone] = true
			out = append(out, s.AvailabilityZone)
		}
	}
	return out
}

func readFix(action string) string {
	return "use credentials allowed " + action + " (the ReadOnlyAccess managed policy has it) and run again"
}

func orAny(s string) string {
	if s == "" {
		return "(any)"
	}
	return s
}

// apiCode is the error code AWS returned, "" for none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// short is AWS's code and message without the SDK's request details.
func short(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

package cost

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/project-1/project-1/netcheck"
)

// Assumptions are the usage the usage-based figures are computed at, per
// month. DefaultAssumptions gives the defaults; cmd/cost's flags set them.
type Assumptions struct {
	NatGB     float64 // GB processed by all the NAT gateways of a stage. Default 100.
	LCU       float64 // average LCUs per load balancer per hour. Default 1.
	LogGB     float64 // GB ingested into each log group, and kept. Default 1.
	RequestsM float64 // million writes and million reads per DynamoDB table. Default 1.
	StorageGB float64 // GB stored in each bucket and each table. Default 10.
	// WebRequestsM is the million requests a month each web ACL inspects.
	// Default 1.
	WebRequestsM float64
}

// DefaultAssumptions are the assumptions of a small environment that
// nobody uses much.
func DefaultAssumptions() Assumptions {
	return Assumptions{NatGB: 100, LCU: 1, LogGB: 1, RequestsM: 1, StorageGB: 10, WebRequestsM: 1}
}

// Line is one billed item of a resource: a fixed charge, or a usage-based one
// at the stated assumption.
type Line struct {
	Stack     string  `json:"stack"`
	LogicalID string  `json:"logicalId"`
	Type      string  `json:"type"`
	Kind      string  `json:"kind"`     // what is billed, singular: "NAT gateway", "EC2 instance c7g.medium"
	Count     float64 `json:"count"`    // how many of Kind
	Per       string  `json:"per"`      // what Count is multiplied by: "730 h", "month", "GB"
	UnitUSD   float64 `json:"unitUsd"`  // the table's price, per Per
	Monthly   float64 `json:"monthly"`  // Count × UnitUSD × hours (or units), rounded to cents
	PriceKey  string  `json:"priceKey"` // the table's key
	Basis     string  `json:"basis"`    // AWS or Secondary
	// Assumption is, for a usage-based line, the assumed usage it is
	// computed at ("100 GB a month through the stage's NAT gateways").
	Assumption string `json:"assumption,omitempty"`
	Note       string `json:"note,omitempty"`
}

// NotPriced is a billed item the table has no price for.
type NotPriced struct {
	Stack     string  `json:"stack"`
	LogicalID string  `json:"logicalId"`
	Type      string  `json:"type"`
	Kind      string  `json:"kind"`
	Count     float64 `json:"count"`
	Usage     bool    `json:"usage"` // a usage-based charge rather than a fixed one
	Reason    string  `json:"reason"`
}

// Free is a resource type with no charge of its own, and why.
type Free struct {
	Type   string `json:"type"`
	Count  int    `json:"count"`
	Reason string `json:"reason"`
	Source string `json:"source,omitempty"`
}

// Stage is the monthly cost of one stage of a cloud assembly.
type Stage struct {
	Name       string      `json:"name"`   // "" for the top level
	Region     string      `json:"region"` // its stacks' regions, ", "-separated when several
	Stacks     []string    `json:"stacks"`
	Fixed      []Line      `json:"fixed"`
	Usage      []Line      `json:"usage"`
	NotPriced  []NotPriced `json:"notPriced"`
	Free       []Free      `json:"free"`
	FixedTotal float64     `json:"fixedTotal"` // of Fixed
	UsageTotal float64     `json:"usageTotal"` // of Usage, at the assumptions
}

// Table is a price table: region -> key -> price (Prices is the project's).
type Table map[string]map[string]Price

// Estimate prices every stage of stacks (as netcheck.ReadAssembly returns
// them) with table at a. A stack's region is the manifest's, else the one
// its stage's availability zones name. It is an error when a stack's region
// cannot be told, or is not in table.
func Estimate(stacks []netcheck.StackArtifact, table Table, a Assumptions) ([]Stage, error) {
	byStage := map[string][]netcheck.StackArtifact{}
	for _, s := range stacks {
		byStage[s.Stage] = append(byStage[s.Stage], s)
	}
	var out []Stage
	for _, name := range slices.Sorted(maps.Keys(byStage)) {
		st, err := EstimateStage(name, byStage[name], table, a)
		if err != nil {
			return nil, err
		}
		out = append(out, *st)
	}
	return out, nil
}

// EstimateStage prices the stacks of one stage, as Estimate does. Each
// stack is priced in its own region: a stage may span several (the
// pipeline's top level holds a support stack in each deployed region).
func EstimateStage(name string, stacks []netcheck.StackArtifact, table Table, a Assumptions) (*Stage, error) {
	regions, err := stackRegions(name, stacks)
	if err != nil {
		return nil, err
	}
	e := &estimator{stage: &Stage{Name: name, Fixed: []Line{}, Usage: []Line{}, NotPriced: []NotPriced{}, Free: []Free{}},
		a: a, free: map[string]*Free{}, nats: map[string][]string{}, natAt: map[string]string{}}
	var names []string
	for _, r := range slices.Sorted(maps.Keys(regionSet(regions))) {
		if _, ok := table[r]; !ok {
			return nil, fmt.Errorf("stage %s: region %q is not in the price table (it has %s): add its prices to internal/cost/prices.go",
				stageName(name), r, strings.Join(slices.Sorted(maps.Keys(table)), ", "))
		}
		names = append(names, r)
	}
	e.stage.Region = strings.Join(names, ", ")
	sorted := slices.Clone(stacks)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, s := range sorted {
		e.stage.Stacks = append(e.stage.Stacks, s.Name)
		e.prices, e.region = table[regions[s.Name]], regions[s.Name]
		e.stack(s.Name, s.Template)
	}
	for _, r := range names {
		e.prices = table[r]
		e.natUsage(r)
	}
	for _, t := range slices.Sorted(maps.Keys(e.free)) {
		e.stage.Free = append(e.stage.Free, *e.free[t])
	}
	for _, l := range e.stage.Fixed {
		e.stage.FixedTotal += l.Monthly
	}
	for _, l := range e.stage.Usage {
		e.stage.UsageTotal += l.Monthly
	}
	e.stage.FixedTotal, e.stage.UsageTotal = cents(e.stage.FixedTotal), cents(e.stage.UsageTotal)
	return e.stage, nil
}

func regionSet(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, r := range m {
		out[r] = true
	}
	return out
}

func stageName(name string) string {
	if name == "" {
		return "(the top level)"
	}
	return fmt.Sprintf("%q", name)
}

var zonePattern = regexp.MustCompile(`^([a-z]{2}(?:-gov)?-[a-z]+-\d)[a-z]$`)

// stackRegions is each stack's region: the manifest's, else the one that
// the availability zones of the stage's templates name, when they name one.
func stackRegions(name string, stacks []netcheck.StackArtifact) (map[string]string, error) {
	zoned := map[string]bool{}
	for _, s := range stacks {
		zones(s.Template, false, zoned)
	}
	out := map[string]string{}
	for _, s := range stacks {
		switch {
		case s.Region != "":
			out[s.Name] = s.Region
		case len(zoned) == 1:
			for r := range zoned {
				out[s.Name] = r
			}
		case len(zoned) == 0:
			return nil, fmt.Errorf("stage %s: cannot tell the region of stack %q: the manifest gives none and no template of the stage names an availability zone",
				stageName(name), s.Name)
		default:
			return nil, fmt.Errorf("stage %s: cannot tell the region of stack %q: the manifest gives none and the stage's availability zones are in several regions (%s)",
				stageName(name), s.Name, strings.Join(slices.Sorted(maps.Keys(zoned)), ", "))
		}
	}
	return out, nil
}

// zones adds to regions the region of every literal availability zone under
// an AvailabilityZone(s) key of v.
func zones(v any, under bool, regions map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			zones(e, k == "AvailabilityZone" || k == "AvailabilityZones", regions)
		}
	case []any:
		for _, e := range v {
			zones(e, under, regions)
		}
	case string:
		if m := zonePattern.FindStringSubmatch(v); under && m != nil {
			regions[m[1]] = true
		}
	}
}

type estimator struct {
	stage  *Stage
	prices map[string]Price
	a      Assumptions
	free   map[string]*Free
	nats   map[string][]string // region -> stack/logical id of its NAT gateways, for the usage line
	natAt  map[string]string   // region -> the first NAT gateway's stack
	region string              // of the stack being priced
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }

// fixed adds a fixed line of count × the price of key for the month: hourly
// prices × HoursPerMonth, monthly ones once. A price the table lacks makes
// it a NotPriced line.
func (e *estimator) fixed(stack, id, typ, kind string, count float64, key, note string) {
	e.fixedTimes(stack, id, typ, kind, count, 1, key, note)
}

// fixedTimes is fixed at factor times the table's price (a Multi-AZ
// database's).
func (e *estimator) fixedTimes(stack, id, typ, kind string, count, factor float64, key, note string) {
	p, ok := e.prices[key]
	if !ok {
		e.notPriced(stack, id, typ, kind, count, false, unpricedReason(key))
		return
	}
	per, mult := "month", 1.0
	switch p.Unit {
	case "hour":
		per, mult = fmt.Sprintf("%d h", HoursPerMonth), HoursPerMonth
	case "GB-month":
		per = "GB-month"
	}
	e.stage.Fixed = append(e.stage.Fixed, Line{Stack: stack, LogicalID: id, Type: typ, Kind: kind, Count: count, Per: per,
		UnitUSD: p.USD * factor, Monthly: cents(count * p.USD * factor * mult), PriceKey: key, Basis: p.Basis, Note: note})
}

// usage adds a usage-based line: quantity units of key's price at the
// assumption stated.
func (e *estimator) usage(stack, id, typ, kind string, quantity float64, key, assumption string) {
	p, ok := e.prices[key]
	if !ok {
		e.notPriced(stack, id, typ, kind, quantity, true, unpricedReason(key))
		return
	}
	e.stage.Usage = append(e.stage.Usage, Line{Stack: stack, LogicalID: id, Type: typ, Kind: kind, Count: quantity, Per: p.Unit,
		UnitUSD: p.USD, Monthly: cents(quantity * p.USD), PriceKey: key, Basis: p.Basis, Assumption: assumption})
}

func (e *estimator) notPriced(stack, id, typ, kind string, count float64, usage bool, reason string) {
	e.stage.NotPriced = append(e.stage.NotPriced, NotPriced{Stack: stack, LogicalID: id, Type: typ, Kind: kind, Count: count, Usage: usage, Reason: reason})
}

func (e *estimator) freeOf(typ string) {
	r := freeTypes[typ]
	f := e.free[typ]
	if f == nil {
		f = &Free{Type: typ, Reason: r.reason, Source: r.source}
		e.free[typ] = f
	}
	f.Count++
}

func unpricedReason(key string) string {
	if r, ok := Unpriced[key]; ok {
		return r
	}
	for _, prefix := range []string{EC2Prefix, RDSMySQLPrefix} {
		if strings.HasPrefix(key, prefix) {
			return strings.TrimSuffix(prefix, ":") + " " + strings.TrimPrefix(key, prefix) + ": " + Unpriced[prefix]
		}
	}
	return "the price table has no " + key
}

// vendedLogs is why a log group's vended logs are not priced.
const vendedLogs = "delivered to CloudWatch Logs at tiered vended-log prices that the table does not hold"

func (e *estimator) stack(name string, t map[string]any) {
	res, _ := t["Resources"].(map[string]any)
	flowLogGroups := map[string]bool{}
	for _, r := range res {
		if r, ok := r.(map[string]any); ok && r["Type"] == "AWS::EC2::FlowLog" {
			if ref, ok := refOf(props(r)["LogGroupName"]); ok {
				flowLogGroups[ref] = true
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(res)) {
		r, _ := res[id].(map[string]any)
		typ, _ := r["Type"].(string)
		p := props(r)
		switch typ {
		case "AWS::EC2::NatGateway":
			e.fixed(name, id, typ, "NAT gateway", 1, NatGatewayHour, "")
			e.nats[e.region] = append(e.nats[e.region], name+"/"+id)
			if e.natAt[e.region] == "" {
				e.natAt[e.region] = name
			}
		case "AWS::EC2::EIP":
			e.fixed(name, id, typ, "public IPv4 address", 1, PublicIPv4Hour, "Elastic IP")
		case "AWS::ElasticLoadBalancingV2::LoadBalancer":
			e.loadBalancer(name, id, typ, p)
		case "AWS::AutoScaling::AutoScalingGroup":
			e.autoScalingGroup(name, id, typ, p, res)
		case "AWS::RDS::DBInstance":
			e.database(name, id, typ, p)
		case "AWS::KMS::Key":
			e.fixed(name, id, typ, "KMS key", 1, KMSKeyMonth, "")
			if p["EnableKeyRotation"] == true {
				period, ok := number(p["RotationPeriodInDays"])
				if !ok {
					period = 365 // KMS's default period
				}
				e.notPriced(name, id, typ, "KMS key rotation", 1, false, fmt.Sprintf(
					"nothing in the key's first %g days; from its first rotation, each new backing key is billed as a key ($1/month, %s), "+
						"and how many AWS bills since it reduced rotation charges on 2024-04-12 (%s) is not modelled", period, kmsPage, kmsRotationPage))
			}
		case "AWS::SecretsManager::Secret":
			e.fixed(name, id, typ, "Secrets Manager secret", 1, SecretMonth, "")
		case "AWS::CloudWatch::Alarm":
			e.alarm(name, id, typ, p)
		case "AWS::CloudWatch::Dashboard":
			e.fixed(name, id, typ, "CloudWatch dashboard", 1, DashboardMonth, "")
		case "AWS::Logs::LogGroup", "Custom::LogRetention":
			what := "log group"
			if typ == "Custom::LogRetention" {
				what = "log group " + logGroupName(p) + " (its retention set by this resource)"
			}
			switch {
			case flowLogGroups[id]:
				e.notPriced(name, id, typ, "CloudWatch Logs ingestion (VPC flow logs)", e.a.LogGB, true,
					"VPC flow logs are vended logs, "+vendedLogs)
			case typ == "AWS::Logs::LogGroup" && strings.HasPrefix(literalPrefix(p["LogGroupName"]), "aws-waf-logs-"):
				// AWS WAF sends a web ACL's logs only to a log group so named.
				e.notPriced(name, id, typ, "CloudWatch Logs ingestion (AWS WAF logs)", e.a.LogGB, true,
					"AWS WAF logs are vended logs ("+wafLogsPage+"), "+vendedLogs)
			default:
				e.usage(name, id, typ, "CloudWatch Logs ingestion, "+what, e.a.LogGB, LogsIngestGB, fmt.Sprintf("%g GB a month", e.a.LogGB))
			}
			e.usage(name, id, typ, "CloudWatch Logs storage, "+what, e.a.LogGB, LogsStoreGBMonth, fmt.Sprintf("%g GB kept", e.a.LogGB))
		case "AWS::DynamoDB::Table":
			e.table(name, id, typ, p)
		case "AWS::S3::Bucket":
			e.usage(name, id, typ, "S3 Standard storage", e.a.StorageGB, S3StandardGBMo,
				fmt.Sprintf("%g GB stored, noncurrent versions included", e.a.StorageGB))
		case "AWS::EC2::VPCEndpoint":
			if p["VpcEndpointType"] == "Gateway" {
				e.freeOf("AWS::EC2::VPCEndpoint (Gateway)")
			} else {
				e.notPriced(name, id, typ, "interface VPC endpoint", 1, false, "the table has no interface endpoint prices")
			}
		case "AWS::Lambda::Function":
			e.notPriced(name, id, typ, "Lambda requests and duration", 0, true,
				"the table has no Lambda prices; this project's functions are custom resources that run at deploy time")
		case "AWS::CodeBuild::Project":
			e.notPriced(name, id, typ, "CodeBuild build minutes", 0, true, "the table has no CodeBuild prices")
		case "AWS::SNS::Topic":
			e.notPriced(name, id, typ, "SNS publishes and deliveries", 0, true, "the table has no SNS prices")
		case "AWS::EC2::FlowLog":
			e.freeOf(typ)
		case "AWS::WAFv2::WebACL":
			e.fixed(name, id, typ, "WAF web ACL", 1, WAFWebACLMonth, "")
			e.fixed(name, id, typ, "WAF rule (a managed rule group counts as one)", float64(len(list(p["Rules"]))), WAFRuleMonth, "")
			e.usage(name, id, typ, "WAF requests inspected", e.a.WebRequestsM, WAFRequestsM, fmt.Sprintf("%g million requests a month", e.a.WebRequestsM))
		case "AWS::Backup::BackupVault":
			e.notPriced(name, id, typ, "AWS Backup storage of the recovery points in the vault", e.a.StorageGB, true,
				"AWS Backup bills each resource type's recovery points at its own per-GB-month price (and cross-region copies as data transfer), which no page read here gives")
		default:
			if _, ok := freeTypes[typ]; ok {
				e.freeOf(typ)
			} else {
				e.notPriced(name, id, typ, typ, 1, false, "the price table has no entry for "+typ)
			}
		}
	}
}

func (e *estimator) natUsage(region string) {
	if len(e.nats[region]) == 0 {
		return
	}
	e.usage(e.natAt[region], "(all NAT gateways)", "AWS::EC2::NatGateway", "NAT gateway data processed", e.a.NatGB, NatGatewayGB,
		fmt.Sprintf("%g GB a month through the stage's %d NAT gateway(s) in %s", e.a.NatGB, len(e.nats[region]), region))
}

func (e *estimator) loadBalancer(stack, id, typ string, p map[string]any) {
	lbType, _ := p["Type"].(string)
	if lbType != "" && lbType != "application" {
		e.notPriced(stack, id, typ, lbType+" load balancer", 1, false, "the table prices Application Load Balancers only")
		return
	}
	e.fixed(stack, id, typ, "Application Load Balancer", 1, ALBHour, "")
	if p["Scheme"] != "internal" {
		zones := len(list(p["Subnets"]))
		if n := len(list(p["SubnetMappings"])); n > zones {
			zones = n
		}
		e.fixed(stack, id, typ, "public IPv4 address", float64(zones), PublicIPv4Hour,
			"the load balancer's, one per zone (AWS may add addresses as it scales)")
	}
	e.usage(stack, id, typ, "LCU-hours", e.a.LCU*HoursPerMonth, ALBLCUHour, fmt.Sprintf("%g LCU on average, every hour", e.a.LCU))
}

func (e *estimator) autoScalingGroup(stack, id, typ string, p map[string]any, res map[string]any) {
	n, ok := number(p["DesiredCapacity"])
	basis := "DesiredCapacity"
	if !ok {
		n, ok = number(p["MinSize"])
		basis = "MinSize, as no DesiredCapacity is set"
	}
	if !ok {
		e.notPriced(stack, id, typ, "EC2 instances", 0, false, "the group's DesiredCapacity and MinSize are not literal numbers")
		return
	}
	var spec map[string]any
	instanceType := ""
	if mip, ok := p["MixedInstancesPolicy"].(map[string]any); ok {
		lt, _ := mip["LaunchTemplate"].(map[string]any)
		spec, _ = lt["LaunchTemplateSpecification"].(map[string]any)
		if overrides := list(lt["Overrides"]); len(overrides) > 0 {
			o, _ := overrides[0].(map[string]any)
			instanceType, _ = o["InstanceType"].(string)
			if len(overrides) > 1 {
				basis += fmt.Sprintf("; the first of %d types, which the prioritized on-demand strategy launches while it has capacity", len(overrides))
			}
		}
	} else {
		spec, _ = p["LaunchTemplate"].(map[string]any)
	}
	var data map[string]any
	if ref, ok := refOf(spec["LaunchTemplateId"]); ok {
		lt, _ := res[ref].(map[string]any)
		data, _ = props(lt)["LaunchTemplateData"].(map[string]any)
	}
	if instanceType == "" {
		instanceType, _ = data["InstanceType"].(string)
	}
	if instanceType == "" {
		e.notPriced(stack, id, typ, "EC2 instances", n, false, "cannot read the group's instance type")
		return
	}
	e.fixed(stack, id, typ, "EC2 instance "+instanceType, n, EC2Prefix+instanceType, "count from "+basis)
	for _, bd := range list(data["BlockDeviceMappings"]) {
		ebs, _ := bd.(map[string]any)["Ebs"].(map[string]any)
		size, ok := number(ebs["VolumeSize"])
		volType, _ := ebs["VolumeType"].(string)
		switch {
		case ebs == nil:
		case !ok:
			e.notPriced(stack, id, typ, "EBS volume", n, false, "the launch template's volume has no literal VolumeSize")
		case volType == "gp3":
			e.fixed(stack, id, typ, "EBS gp3 GB", n*size, EBSgp3GBMonth, fmt.Sprintf("%g GB on each of %g instances", size, n))
		default:
			e.notPriced(stack, id, typ, "EBS "+volType+" GB", n*size, false, "the table prices gp3 volumes only")
		}
	}
	if m, _ := data["Monitoring"].(map[string]any); m["Enabled"] == true {
		e.notPriced(stack, id, typ, "EC2 detailed monitoring", n, false,
			"a fixed charge, billed while the instances run whatever their traffic: detailed monitoring's metrics are billed as CloudWatch metrics, which the table does not price")
	}
}

func (e *estimator) database(stack, id, typ string, p map[string]any) {
	class, _ := p["DBInstanceClass"].(string)
	engine, _ := p["Engine"].(string)
	multi := p["MultiAZ"] == true || p["MultiAZ"] == "true"
	az, factor := "Single-AZ", 1.0
	if multi {
		az, factor = "Multi-AZ", MultiAZFactor
	}
	if engine != "mysql" {
		e.notPriced(stack, id, typ, "RDS "+engine+" "+class+" instance ("+az+")", 1, false, "the table prices RDS for MySQL only")
		return
	}
	note := ""
	if multi {
		note = fmt.Sprintf("Multi-AZ: the standby is billed as the primary, so the unit price is %d × the Single-AZ one (%s)", MultiAZFactor, MultiAZSource)
	}
	e.fixedTimes(stack, id, typ, "RDS "+class+" instance ("+az+")", 1, factor, RDSMySQLPrefix+class, note)
	size, ok := number(p["AllocatedStorage"])
	storage, _ := p["StorageType"].(string)
	switch {
	case !ok:
		e.notPriced(stack, id, typ, "RDS storage", 0, false, "AllocatedStorage is not a literal number")
	case storage == "gp3":
		e.fixedTimes(stack, id, typ, "RDS gp3 GB ("+az+")", size, factor, RDSgp3GBMonth,
			fmt.Sprintf("%g GB allocated%s; storage autoscaling may grow it", size, map[bool]string{true: ", on the primary and the standby"}[multi]))
	default:
		e.notPriced(stack, id, typ, "RDS "+storage+" GB ("+az+")", size, false, "the table prices gp3 RDS storage only")
	}
	e.freeOf("RDS backup storage")
	if n, ok := number(p["MonitoringInterval"]); ok && n > 0 {
		e.notPriced(stack, id, typ, "RDS Enhanced Monitoring", 1, false, fmt.Sprintf(
			"a fixed charge, billed while the instance runs whatever its load: Enhanced Monitoring's metrics are CloudWatch Logs ingestion into RDSOSMetrics every %g s; its volume is not estimated", n))
	}
}

func (e *estimator) alarm(stack, id, typ string, p map[string]any) {
	if period, ok := number(p["Period"]); ok && period < 60 {
		e.notPriced(stack, id, typ, "high-resolution CloudWatch alarm", 1, false, "the table prices standard-resolution alarms only")
		return
	}
	metrics := 1.0
	if ms := list(p["Metrics"]); len(ms) > 0 {
		metrics = 0
		for _, m := range ms {
			if _, ok := m.(map[string]any)["MetricStat"]; ok {
				metrics++
			}
		}
	}
	e.fixed(stack, id, typ, "CloudWatch alarm metric", metrics, AlarmMonth, "")
}

func (e *estimator) table(stack, id, typ string, p map[string]any) {
	if p["BillingMode"] != "PAY_PER_REQUEST" {
		e.notPriced(stack, id, typ, "DynamoDB provisioned capacity", 1, false, "the table prices on-demand (PAY_PER_REQUEST) tables only")
	} else {
		e.usage(stack, id, typ, "DynamoDB write request units (million)", e.a.RequestsM, DynamoWriteM, fmt.Sprintf("%g million writes a month", e.a.RequestsM))
		e.usage(stack, id, typ, "DynamoDB read request units (million)", e.a.RequestsM, DynamoReadM, fmt.Sprintf("%g million reads a month", e.a.RequestsM))
	}
	e.usage(stack, id, typ, "DynamoDB storage", e.a.StorageGB, DynamoGBMonth, fmt.Sprintf("%g GB stored", e.a.StorageGB))
	if pitr, _ := p["PointInTimeRecoverySpecification"].(map[string]any); pitr["PointInTimeRecoveryEnabled"] == true {
		e.usage(stack, id, typ, "DynamoDB point-in-time recovery", e.a.StorageGB, DynamoPITRGBMo, fmt.Sprintf("%g GB of table size", e.a.StorageGB))
	}
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func refOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	r, ok := m["Ref"].(string)
	return r, ok
}

// number reads a literal number, as a JSON number or a string.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

// joinParts is the parts of an Fn::Join and its separator, ok false when v
// is no Fn::Join.
func joinParts(v any) (parts []any, sep any, ok bool) {
	j, ok := v.(map[string]any)["Fn::Join"].([]any)
	if !ok || len(j) != 2 {
		return nil, nil, false
	}
	return list(j[1]), j[0], true
}

// literalPrefix is the literal start of a name: the string itself, or the
// first part of an Fn::Join on "" when that part is a string.
func literalPrefix(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if parts, sep, ok := joinParts(v); ok && sep == "" && len(parts) > 0 {
		s, _ := parts[0].(string)
		return s
	}
	return ""
}

func logGroupName(p map[string]any) string {
	if parts, _, ok := joinParts(p["LogGroupName"]); ok && len(parts) > 0 {
		if s, ok := parts[len(parts)-1].(string); ok {
			return strings.TrimPrefix(s, "/")
		}
	}
	return ""
}

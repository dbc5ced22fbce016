package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/config"
)

// one returns the properties of the only resource of type typ in s.
func (s *stackOutput) one(t *testing.T, typ string) map[string]any {
	t.Helper()
	rs := s.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%s has %d %s, want 1", s.name, len(rs), typ)
	}
	for _, body := range rs {
		return props(body)
	}
	return nil
}

// num reads a number CloudFormation takes as a number or a string.
func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(x)
		return n
	}
	return -1
}

// terminationProtected reads the stack's termination protection from the
// stage's cloud assembly manifest, where the CLI takes it from.
func terminationProtected(t *testing.T, e *envOutput, stack string) bool {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.dir, "manifest.json"))
	must(t, "read the stage manifest", err)
	var m struct {
		Artifacts map[string]struct {
			Properties struct {
				StackName             string `json:"stackName"`
				TerminationProtection bool   `json:"terminationProtection"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	must(t, "parse the stage manifest", json.Unmarshal(raw, &m))
	for _, a := range m.Artifacts {
		if a.Properties.StackName == stack {
			return a.Properties.TerminationProtection
		}
	}
	t.Fatalf("%s is not in %s's manifest", stack, e.env.Name)
	return false
}

// deployed is what an environment's templates and manifest say, in the terms
// of its configuration.
type deployed struct {
	multiAz, dbDeletionProtection, tableDeletionProtection, pitr, terminationProtection, lbDeletionProtection bool
	natGateways, zones, backupDays, flowLogDays, dbLogDays, noncurrentDays, accessLogDays                     int
	dbClass, webType, tableName                                                                               string
	storage, maxStorage, minInstances, maxInstances                                                           int
}

func read(t *testing.T, e *envOutput) deployed {
	t.Helper()
	net, data, app := e.stacks["Network"], e.stacks["Data"], e.stacks["App"]
	var d deployed
	db := data.one(t, "AWS::RDS::DBInstance")
	d.multiAz, _ = db["MultiAZ"].(bool)
	d.dbDeletionProtection, _ = db["DeletionProtection"].(bool)
	d.backupDays, d.storage, d.maxStorage = num(db["BackupRetentionPeriod"]), num(db["AllocatedStorage"]), num(db["MaxAllocatedStorage"])
	d.dbClass, _ = db["DBInstanceClass"].(string)
	table := data.one(t, "AWS::DynamoDB::Table")
	d.tableDeletionProtection, _ = table["DeletionProtectionEnabled"].(bool)
	d.pitr, _ = table["PointInTimeRecoverySpecification"].(map[string]any)["PointInTimeRecoveryEnabled"].(bool)
	d.tableName, _ = table["TableName"].(string)
	d.terminationProtection = terminationProtected(t, e, data.name)
	d.natGateways = len(net.resources("AWS::EC2::NatGateway"))
	zones := map[any]bool{}
	for _, s := range net.resources("AWS::EC2::Subnet") {
		zones[props(s)["AvailabilityZone"]] = true
	}
	d.zones = len(zones)
	d.flowLogDays = num(net.one(t, "AWS::Logs::LogGroup")["RetentionInDays"])
	d.dbLogDays = -1
	for _, r := range data.resources("Custom::LogRetention") {
		if days := num(props(r)["RetentionInDays"]); d.dbLogDays == -1 || days < d.dbLogDays {
			d.dbLogDays = days
		}
	}
	for _, b := range data.resources("AWS::S3::Bucket") {
		rules, _ := props(b)["LifecycleConfiguration"].(map[string]any)["Rules"].([]any)
		for _, r := range rules {
			rule := r.(map[string]any)
			switch rule["Id"] {
			case "expire-logs":
				d.accessLogDays = num(rule["ExpirationInDays"])
			case "expire-noncurrent-versions":
				d.noncurrentDays = num(rule["NoncurrentVersionExpiration"].(map[string]any)["NoncurrentDays"])
			}
		}
	}
	asg := app.one(t, "AWS::AutoScaling::AutoScalingGroup")
	d.minInstances, d.maxInstances = num(asg["MinSize"]), num(asg["MaxSize"])
	lt := app.one(t, "AWS::EC2::LaunchTemplate")
	d.webType, _ = lt["LaunchTemplateData"].(map[string]any)["InstanceType"].(string)
	for _, a := range app.one(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")["LoadBalancerAttributes"].([]any) {
		if attr := a.(map[string]any); attr["Key"] == "deletion_protection.enabled" {
			d.lbDeletionProtection = attr["Value"] == "true"
		}
	}
	return d
}

// TestProductionKeepsItsPolicy checks config.ProductionPolicy on the
// synthesized templates of every production environment, not on its
// configuration: whatever builds them, prod keeps its protections.
func TestProductionKeepsItsPolicy(t *testing.T) {
	p := config.ProductionPolicy
	checked := 0
	for name, e := range synthAll().all {
		if !e.env.Production {
			continue
		}
		checked++
		d := read(t, e)
		for _, c := range []struct {
			what string
			ok   bool
		}{
			{"a Multi-AZ database", !p.MultiAzDatabase || d.multiAz},
			{"database deletion protection", !p.DatabaseDeletionProtection || d.dbDeletionProtection},
			{fmt.Sprintf("one NAT gateway per zone (%d for %d zones)", d.natGateways, d.zones), !p.NatGatewayPerZone || d.natGateways == d.zones},
			{"table deletion protection", !p.TableDeletionProtection || d.tableDeletionProtection},
			{"point-in-time recovery", d.pitr},
			{"the data stack's termination protection", !p.TerminationProtection || d.terminationProtection},
			{"a copy of every recovery point in a second region", !p.BackupCopy || copiesToAnotherRegion(e)},
			{fmt.Sprintf("backups of %d days, at least %d", d.backupDays, p.MinBackupDays), d.backupDays >= p.MinBackupDays},
			{fmt.Sprintf("flow logs kept %d days, at least %d", d.flowLogDays, p.MinFlowLogRetentionDays), d.flowLogDays >= p.MinFlowLogRetentionDays},
			{fmt.Sprintf("database logs kept %d days, at least %d", d.dbLogDays, p.MinDatabaseLogRetentionDays), d.dbLogDays >= p.MinDatabaseLogRetentionDays},
			{fmt.Sprintf("old object versions kept %d days, at least %d", d.noncurrentDays, p.MinNoncurrentVersionDays), d.noncurrentDays >= p.MinNoncurrentVersionDays},
			{fmt.Sprintf("access logs kept %d days, at least %d", d.accessLogDays, p.MinAccessLogDays), d.accessLogDays >= p.MinAccessLogDays},
		} {
			if !c.ok {
				t.Errorf("%s: production must keep %s", name, c.what)
			}
		}
	}
	if checked == 0 {
		t.Error("no production environment")
	}
}

// copiesToAnotherRegion: e's backup plan copies each recovery point to the
// vault of a stack of its stage in another region than its data stack's.
func copiesToAnotherRegion(e *envOutput) bool {
	copyStack := e.stage.BackupCopy
	if copyStack == nil || *copyStack.Region() == *e.stage.Data.Region() {
		return false
	}
	vaults := e.stacks["BackupCopy"].resources("AWS::Backup::BackupVault")
	for _, plan := range e.stacks["Data"].resources("AWS::Backup::BackupPlan") {
		raw, _ := json.Marshal(props(plan))
		for _, v := range vaults {
			if strings.Contains(string(raw), ":backup:"+*copyStack.Region()+":") && strings.Contains(string(raw), fmt.Sprint(":backup-vault:", props(v)["BackupVaultName"])) {
				return true
			}
		}
	}
	return false
}

// TestSettingsReachTemplates: every environment's Network, Web and Data
// settings are what its templates say, in every environment.
func TestSettingsReachTemplates(t *testing.T) {
	for name, e := range synthAll().all {
		c, d := e.env, read(t, e)
		for _, s := range []struct {
			field     string
			want, got any
		}{
			{"Network.NatGateways", c.Network.NatGateways, d.natGateways},
			{"Network.FlowLogRetentionDays", c.Network.FlowLogRetentionDays, d.flowLogDays},
			{"Web.InstanceType", c.Web.InstanceType, d.webType},
			{"Web.Instances", c.Web.Instances, d.minInstances},
			{"Web.MaxInstances", c.Web.MaxInstances, d.maxInstances},
			{"Web.DeletionProtection", c.Web.DeletionProtection, d.lbDeletionProtection},
			{"TerminationProtection", c.TerminationProtection, d.terminationProtection},
			{"Database.InstanceType", "db." + c.Database.InstanceType, d.dbClass},
			{"Database.StorageGiB", c.Database.StorageGiB, d.storage},
			{"Database.MaxStorageGiB", c.Database.MaxStorageGiB, d.maxStorage},
			{"Database.MultiAz", c.Database.MultiAz, d.multiAz},
			{"Database.DeletionProtection", c.Database.DeletionProtection, d.dbDeletionProtection},
			{"Database.BackupDays", c.Database.BackupDays, d.backupDays},
			{"Database.LogRetentionDays", c.Database.LogRetentionDays, d.dbLogDays},
			{"Storage.TableName", c.Storage.TableName, d.tableName},
			{"Storage.TableDeletionProtection", c.Storage.TableDeletionProtection, d.tableDeletionProtection},
			{"Storage.NoncurrentVersionDays", c.Storage.NoncurrentVersionDays, d.noncurrentDays},
			{"Storage.AccessLogDays", c.Storage.AccessLogDays, d.accessLogDays},
		} {
			if s.want != s.got {
				t.Errorf("%s: %s is %v, but the templates say %v", name, s.field, s.want, s.got)
			}
		}
		if !d.pitr {
			t.Errorf("%s: the table has no point-in-time recovery", name)
		}
	}
}

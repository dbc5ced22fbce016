package test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/constructs/firewall"
	"github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/stacks"
)

const recoveryPage = "docs/recovery.md"

// drillCommands are the AWS CLI operations the restore drill may use, each
// with what the templates must hold for it to work. An operation the page
// uses that is not here fails the test: add it with its check.
var drillCommands = map[string]func(d *drill) string{
	"cloudformation describe-stacks": func(d *drill) string { return "" },
	"rds describe-db-instances":      func(d *drill) string { return "" },
	"rds wait":                       func(d *drill) string { return "" },
	"rds restore-db-instance-to-point-in-time": func(d *drill) string {
		db := d.one("AWS::RDS::DBInstance")
		if db == nil || num(props(db)["BackupRetentionPeriod"]) < 1 || props(db)["DBSubnetGroupName"] == nil || props(db)["VPCSecurityGroups"] == nil ||
			props(db)["DBParameterGroupName"] == nil || props(db)["OptionGroupName"] == nil {
			return "a point-in-time restore needs automated backups and the instance's subnet group, security group, parameter and option groups"
		}
		return ""
	},
	"dynamodb restore-table-to-point-in-time": func(d *drill) string {
		table := d.one("AWS::DynamoDB::Table")
		spec, _ := props(table)["PointInTimeRecoverySpecification"].(map[string]any)
		if spec["PointInTimeRecoveryEnabled"] != true {
			return "the table has no point-in-time recovery"
		}
		if sse, _ := props(table)["SSESpecification"].(map[string]any); sse["SSEType"] != "KMS" {
			return "the page restores with the table's own KMS key, and the table has none"
		}
		return ""
	},
	"dynamodb wait":                               func(d *drill) string { return "" },
	"s3api list-object-versions":                  func(d *drill) string { return d.versionedBucket() },
	"s3api copy-object":                           func(d *drill) string { return d.versionedBucket() },
	"backup list-recovery-points-by-backup-vault": func(d *drill) string { return d.vaultAndSelection() },
	"backup get-recovery-point-restore-metadata":  func(d *drill) string { return d.vaultAndSelection() },
	"backup start-restore-job":                    func(d *drill) string { return d.vaultAndSelection() },
	"backup describe-restore-job":                 func(d *drill) string { return "" },
	"backup update-region-settings":               func(d *drill) string { return "" },
	"backup list-copy-jobs": func(d *drill) string {
		if d.copyVault == "" {
			return "prod has no copy vault"
		}
		return ""
	},
}

// drill is what the restore drill is checked against: the default
// environment's data stack, and prod's copy.
type drill struct {
	data      *stackOutput
	copyVault string // the name of prod's copy vault, as its template has it
	copyDest  string // the copy action's destination, as prod's plan has it
}

func (d *drill) one(typ string) map[string]any {
	for _, r := range d.data.resources(typ) {
		return r
	}
	return nil
}

// versionedBucket: the data bucket (the one logging under data-bucket/) is
// versioned.
func (d *drill) versionedBucket() string {
	for _, b := range d.data.resources("AWS::S3::Bucket") {
		if v, _ := props(b)["VersioningConfiguration"].(map[string]any); v["Status"] == "Enabled" && strings.Contains(fmt.Sprint(props(b)["LoggingConfiguration"]), "data-bucket/") {
			return ""
		}
	}
	return "the data bucket is not versioned"
}

// vaultAndSelection: the vault exists, and the selection holds the
// database, the table and the bucket, with the role the output names.
func (d *drill) vaultAndSelection() string {
	if d.one("AWS::Backup::BackupVault") == nil {
		return "no backup vault"
	}
	sel := props(d.one("AWS::Backup::BackupSelection"))["BackupSelection"].(map[string]any)
	got, _ := json.Marshal(sel["Resources"])
	for _, typ := range []string{"AWS::RDS::DBInstance", "AWS::DynamoDB::Table", "AWS::S3::Bucket"} {
		found := false
		for id := range d.data.resources(typ) {
			found = found || strings.Contains(string(got), `"`+id+`"`)
		}
		if !found {
			return "the backup selection leaves out the " + typ
		}
	}
	return ""
}

// drillProblems lists what of the page does not match the templates.
func drillProblems(page string, d *drill, outputs map[string]any, env, prod config.Environment) []string {
	var problems []string
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(page, -1)
	code := ""
	for _, b := range blocks {
		code += strings.ReplaceAll(b[1], "\\\n", " ") + "\n"
	}
	used := 0
	for _, m := range regexp.MustCompile(`\baws ([a-z0-9]+) ([a-z0-9-]+)`).FindAllStringSubmatch(code, -1) {
		used++
		check, ok := drillCommands[m[1]+" "+m[2]]
		if !ok {
			problems = append(problems, fmt.Sprintf("aws %s %s: not an operation the drill test knows; add it to drillCommands with what it needs", m[1], m[2]))
			continue
		}
		if p := check(d); p != "" {
			problems = append(problems, fmt.Sprintf("aws %s %s: %s", m[1], m[2], p))
		}
	}
	if used == 0 {
		problems = append(problems, "no aws command in the page's sh blocks")
	}
	for _, m := range regexp.MustCompile(`--stack-name ([A-Za-z0-9-]+)`).FindAllStringSubmatch(code, -1) {
		if m[1] != d.data.name {
			problems = append(problems, fmt.Sprintf("--stack-name %s: the default environment's data stack is %s", m[1], d.data.name))
		}
	}
	for _, m := range regexp.MustCompile(`OutputKey=='([A-Za-z0-9]+)'`).FindAllStringSubmatch(code, -1) {
		if _, ok := outputs[m[1]]; !ok {
			problems = append(problems, fmt.Sprintf("output %s: %s has no such output", m[1], d.data.name))
		}
	}
	for _, m := range regexp.MustCompile(`--source-table-name ([A-Za-z0-9_.-]+)`).FindAllStringSubmatch(code, -1) {
		if m[1] != env.Storage.TableName {
			problems = append(problems, fmt.Sprintf("--source-table-name %s: the table is %s", m[1], env.Storage.TableName))
		}
	}
	for _, m := range regexp.MustCompile(`arn:aws:backup:([a-z0-9-]+):`).FindAllStringSubmatch(code, -1) {
		if m[1] != env.Region && m[1] != prod.Backup.CopyRegion {
			problems = append(problems, fmt.Sprintf("a backup ARN in %s: the vaults are in %s and %s", m[1], env.Region, prod.Backup.CopyRegion))
		}
	}
	vault, _ := json.Marshal(props(d.one("AWS::Backup::BackupVault"))["BackupVaultName"])
	prefix := regexp.MustCompile("vault is named `([^`]+)`").FindStringSubmatch(page)
	if prefix == nil || !strings.Contains(string(vault), `"`+prefix[1]+`"`) {
		problems = append(problems, fmt.Sprintf("the page's vault name %q is not how %s names its vault (%s)", prefix, d.data.name, vault))
	}
	if !strings.Contains(page, "`"+d.copyVault+"` in "+prod.Backup.CopyRegion) || !strings.Contains(code, ":backup-vault:"+d.copyVault) ||
		!strings.HasSuffix(d.copyDest, ":backup-vault:"+d.copyVault) {
		problems = append(problems, fmt.Sprintf("the copy vault: the page, prod's plan (%s) and prod's copy stack (%s) disagree", d.copyDest, d.copyVault))
	}
	// The table of what is kept states the configuration's values.
	for _, want := range []string{
		fmt.Sprintf("`Database.BackupDays` (%s %d, prod %d)", env.Name, env.Database.BackupDays, prod.Database.BackupDays),
		fmt.Sprintf("`Backup.CopyRetentionDays` (%d)", prod.Backup.CopyRetentionDays),
		fmt.Sprintf("`Storage.NoncurrentVersionDays` (%s %d, prod %d)", env.Name, env.Storage.NoncurrentVersionDays, prod.Storage.NoncurrentVersionDays),
	} {
		if !strings.Contains(page, want) {
			problems = append(problems, "the table of what is kept lacks "+want)
		}
	}
	return problems
}

// newDrill reads the default environment's data stack and prod's copy.
func newDrill(t *testing.T) (*drill, map[string]any, config.Environment, config.Environment) {
	t.Helper()
	def, prod := synthAll().all[config.DefaultEnvironment], synthAll().all["prod"]
	if def == nil || prod == nil {
		t.Fatal("the drill needs the default environment and prod")
	}
	d := &drill{data: def.stacks["Data"]}
	if c := prod.stacks["BackupCopy"]; c != nil {
		for _, v := range c.resources("AWS::Backup::BackupVault") {
			d.copyVault, _ = props(v)["BackupVaultName"].(string)
		}
	}
	for _, plan := range prod.stacks["Data"].resources("AWS::Backup::BackupPlan") {
		raw, _ := json.Marshal(props(plan)["BackupPlan"])
		if m := regexp.MustCompile(`"DestinationBackupVaultArn":\{"Fn::Join":\["",\[(.*?)\]\]\}`).FindStringSubmatch(string(raw)); m != nil {
			d.copyDest = strings.NewReplacer(`"`, "", `{Ref:AWS::AccountId}`, "ACCOUNT", ",", "").Replace(m[1])
		}
	}
	outputs, _ := d.data.json["Outputs"].(map[string]any)
	return d, outputs, def.env, prod.env
}

// TestRecoveryDrill: every command of docs/recovery.md works on what the
// templates deploy: the resources it restores hold what it needs, the stack
// outputs it reads exist, and the names and regions it uses are the
// templates'.
func TestRecoveryDrill(t *testing.T) {
	d, outputs, env, prod := newDrill(t)
	for _, p := range drillProblems(docPage(t, recoveryPage), d, outputs, env, prod) {
		t.Error(p)
	}
}

// TestRecoveryDrillDrifts plants the drifts the check is for: an output the
// page reads that is gone, a renamed copy vault, a command nobody checked.
func TestRecoveryDrillDrifts(t *testing.T) {
	d, outputs, env, prod := newDrill(t)
	page := docPage(t, recoveryPage)
	for _, tc := range []struct {
		name, want string
		page       string
		outputs    map[string]any
		d          drill
	}{
		{"an output gone", "output BackupRoleArn", page, without(outputs, "BackupRoleArn"), *d},
		{"the copy vault renamed", "the copy vault", page, outputs, drill{data: d.data, copyVault: "prod-copy", copyDest: d.copyDest}},
		{"an unknown command", "aws rds delete-db-instance", page + "\n```sh\naws rds delete-db-instance --db-instance-identifier x\n```\n", outputs, *d},
		{"another table", "--source-table-name Forum", page, outputs, *d},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := env
			if tc.name == "another table" {
				e.Storage.TableName = "Threads"
			}
			problems := drillProblems(tc.page, &tc.d, tc.outputs, e, prod)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("planted %s: problems %q, want one naming %q", tc.name, problems, tc.want)
			}
		})
	}
}

func without(m map[string]any, key string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// TestBackups: every environment's data stack holds an encrypted, retained
// vault whose recovery points nobody may delete, a daily plan keeping each
// Backup.RetentionDays, and a selection of the database, the table and the
// bucket by resource; prod copies each to its locked vault in its copy
// region, and only prod.
func TestBackups(t *testing.T) {
	for name, e := range synthAll().all {
		data := e.stacks["Data"]
		vault := data.resources("AWS::Backup::BackupVault")[onlyID(t, data, "AWS::Backup::BackupVault")]
		policy, _ := json.Marshal(props(vault)["AccessPolicy"])
		if vault["DeletionPolicy"] != "Retain" || props(vault)["EncryptionKeyArn"] == nil ||
			!strings.Contains(string(policy), `"Effect":"Deny"`) || !strings.Contains(string(policy), "backup:DeleteRecoveryPoint") {
			t.Errorf("%s: vault retained %v, key %v, access policy %s", name, vault["DeletionPolicy"], props(vault)["EncryptionKeyArn"], policy)
		}
		rules := data.one(t, "AWS::Backup::BackupPlan")["BackupPlan"].(map[string]any)["BackupPlanRule"].([]any)
		if len(rules) != 1 {
			t.Fatalf("%s: %d plan rules, want 1", name, len(rules))
		}
		rule := rules[0].(map[string]any)
		if rule["ScheduleExpression"] != "cron(0 3 * * ? *)" || num(rule["Lifecycle"].(map[string]any)["DeleteAfterDays"]) != e.env.Backup.RetentionDays {
			t.Errorf("%s: rule %v, want daily at 03:00 UTC, kept %d days", name, rule, e.env.Backup.RetentionDays)
		}
		copies, _ := rule["CopyActions"].([]any)
		copyStack := e.stacks["BackupCopy"]
		switch {
		case e.env.Backup.CopyRegion == "" && (len(copies) != 0 || copyStack != nil):
			t.Errorf("%s: no copy region, yet %d copy actions (copy stack %v)", name, len(copies), copyStack != nil)
		case e.env.Backup.CopyRegion != "":
			if len(copies) != 1 || copyStack == nil {
				t.Fatalf("%s: %d copy actions, copy stack %v; want one, and the stack", name, len(copies), copyStack != nil)
			}
			dest, _ := json.Marshal(copies[0].(map[string]any)["DestinationBackupVaultArn"])
			wantName := stacks.CopyVaultName(e.env.Name)
			if !strings.Contains(string(dest), "arn:aws:backup:"+e.env.Backup.CopyRegion+":") || !strings.Contains(string(dest), ":backup-vault:"+wantName) ||
				num(copies[0].(map[string]any)["Lifecycle"].(map[string]any)["DeleteAfterDays"]) != e.env.Backup.CopyRetentionDays {
				t.Errorf("%s: copy action %v, want %s in %s kept %d days", name, copies[0], wantName, e.env.Backup.CopyRegion, e.env.Backup.CopyRetentionDays)
			}
			copyVault := copyStack.resources("AWS::Backup::BackupVault")[onlyID(t, copyStack, "AWS::Backup::BackupVault")]
			lock, _ := props(copyVault)["LockConfiguration"].(map[string]any)
			if props(copyVault)["BackupVaultName"] != wantName || copyVault["DeletionPolicy"] != "Retain" ||
				num(lock["MinRetentionDays"]) != e.env.Backup.CopyRetentionDays || num(lock["ChangeableForDays"]) < 3 {
				t.Errorf("%s: copy vault %v, lock %v", name, props(copyVault)["BackupVaultName"], lock)
			}
			if !waitsFor(e, copyStack.name) {
				t.Errorf("%s: the data stack does not wait for the copy vault's stack", name)
			}
		}
	}
}

// waitsFor reports whether e's data stack depends on the stack named.
func waitsFor(e *envOutput, name string) bool {
	for _, dep := range *e.stage.Data.Stack.Dependencies() {
		if *dep.StackName() == name {
			return true
		}
	}
	return false
}

// TestFirewall: project-1 and prod have a regional web ACL with the three
// AWS managed rule groups and the configured per-IP rate rule, associated
// with the load balancer, logged to an encrypted aws-waf-logs- group with
// the configured retention (the Authorization header and cookies redacted)
// and alarmed; dev has none. The load balancer waits for the web ACL.
func TestFirewall(t *testing.T) {
	for name, e := range synthAll().all {
		app := e.stacks["App"]
		acls := app.resources("AWS::WAFv2::WebACL")
		if !e.env.Web.Firewall.On() {
			if len(acls) != 0 || len(app.resources("AWS::WAFv2::WebACLAssociation")) != 0 {
				t.Errorf("%s: no firewall configured, yet %d web ACLs", name, len(acls))
			}
			continue
		}
		aclID := onlyID(t, app, "AWS::WAFv2::WebACL")
		acl := props(acls[aclID])
		var groups []string
		limit := 0
		for _, r := range acl["Rules"].([]any) {
			st := r.(map[string]any)["Statement"].(map[string]any)
			if g, ok := st["ManagedRuleGroupStatement"].(map[string]any); ok && g["VendorName"] == "AWS" {
				groups = append(groups, g["Name"].(string))
			}
			if rate, ok := st["RateBasedStatement"].(map[string]any); ok && rate["AggregateKeyType"] == "IP" &&
				r.(map[string]any)["Action"].(map[string]any)["Block"] != nil {
				limit = num(rate["Limit"])
			}
		}
		if acl["Scope"] != "REGIONAL" || !slices.Equal(groups, firewall.ManagedRuleGroups) || limit != e.env.Web.Firewall.RateLimit {
			t.Errorf("%s: web ACL scope %v, managed groups %q, rate limit %d; want REGIONAL, %q, %d", name, acl["Scope"], groups, limit, firewall.ManagedRuleGroups, e.env.Web.Firewall.RateLimit)
		}
		lbID := onlyID(t, app, "AWS::ElasticLoadBalancingV2::LoadBalancer")
		assoc := app.one(t, "AWS::WAFv2::WebACLAssociation")
		if ref(assoc["ResourceArn"]) != lbID || !strings.Contains(fmt.Sprint(assoc["WebACLArn"]), aclID) {
			t.Errorf("%s: association %v, want %s with %s", name, assoc, lbID, aclID)
		}
		if lbDeps := fmt.Sprint(app.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")[lbID]["DependsOn"]); !strings.Contains(lbDeps, aclID) {
			t.Errorf("%s: the load balancer does not wait for the web ACL: DependsOn %s", name, lbDeps)
		}
		logging := app.one(t, "AWS::WAFv2::LoggingConfiguration")
		dest, _ := json.Marshal(logging["LogDestinationConfigs"])
		redacted, _ := json.Marshal(logging["RedactedFields"])
		if !strings.Contains(string(dest), ":log-group:"+firewall.LogGroupPrefix) || strings.Contains(string(dest), ":*") ||
			!strings.Contains(string(redacted), "authorization") || !strings.Contains(string(redacted), "cookie") {
			t.Errorf("%s: logging to %s, redacting %s", name, dest, redacted)
		}
		for id, g := range app.resources("AWS::Logs::LogGroup") {
			if n, _ := json.Marshal(props(g)["LogGroupName"]); strings.Contains(string(n), firewall.LogGroupPrefix) &&
				(props(g)["KmsKeyId"] == nil || num(props(g)["RetentionInDays"]) != e.env.Web.Firewall.LogRetentionDays) {
				t.Errorf("%s: %s: key %v, retention %v days, want %d", name, id, props(g)["KmsKeyId"], props(g)["RetentionInDays"], e.env.Web.Firewall.LogRetentionDays)
			}
		}
	}
}

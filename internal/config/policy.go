package config

import "github.com/project-1/project-1/internal/validate"

// Policy is what an environment must keep, whatever its configuration says:
// the protections and redundancy that a change must not take away unnoticed.
// Validate applies BaselinePolicy to every environment and ProductionPolicy
// to every Production one, and the tests check the same on the synthesized
// templates. AWS's own limits are not here: the constructs' settings check
// them (ValidateAs).
type Policy struct {
	// Scope names whom the policy binds, in its messages ("production").
	Scope                      string
	MultiAzDatabase            bool // a standby in a second zone
	DatabaseDeletionProtection bool
	DatabaseMonitoring         bool // enhanced monitoring on (Database.MonitoringSeconds not 0)
	NatGatewayPerZone          bool // a zone's failure takes only its own outbound traffic
	TableDeletionProtection    bool // point-in-time recovery is on in every environment
	TerminationProtection      bool // of the data stack
	BackupCopy                 bool // a copy of every recovery point in a second region (Backup.CopyRegion)
	MinBackupDays              int  // the database's automated backups
	MinVaultRetentionDays      int  // AWS Backup's recovery points (Backup.RetentionDays)
	// Retention floors, in days: what prod keeps today.
	MinFlowLogRetentionDays     int
	MinDatabaseLogRetentionDays int
	MinNoncurrentVersionDays    int
	MinAccessLogDays            int
	// MaxWebInstances caps Web.Instances and, one above it, Web.MaxInstances.
	MaxWebInstances int
}

// BaselinePolicy is what every environment keeps: the organisation's limits
// inside what AWS allows.
var BaselinePolicy = Policy{
	Scope:                 "every environment",
	DatabaseMonitoring:    true,
	MinBackupDays:         7,
	MinVaultRetentionDays: 7,
	MaxWebInstances:       20,
}

// ProductionPolicy is what every Production environment keeps.
var ProductionPolicy = Policy{
	Scope:                       "production",
	MultiAzDatabase:             true,
	DatabaseDeletionProtection:  true,
	NatGatewayPerZone:           true,
	TableDeletionProtection:     true,
	TerminationProtection:       true,
	BackupCopy:                  true,
	MinBackupDays:               14,
	MinVaultRetentionDays:       35,
	MinFlowLogRetentionDays:     731,
	MinDatabaseLogRetentionDays: 365,
	MinNoncurrentVersionDays:    365,
	MinAccessLogDays:            731,
}

// Check reports, one line each, the fields of e's configuration that break p,
// or nil.
func (p Policy) Check(e *Environment) error {
	var problems validate.Problems
	d, s := e.Database, e.Storage
	if p.MultiAzDatabase && !d.MultiAz {
		problems.Add("Database.MultiAz false: a %s database keeps a standby in a second zone", p.Scope)
	}
	if p.DatabaseDeletionProtection && !d.DeletionProtection {
		problems.Add("Database.DeletionProtection false: a %s database keeps deletion protection", p.Scope)
	}
	if p.DatabaseMonitoring && d.MonitoringSeconds == 0 {
		problems.Add("Database.MonitoringSeconds 0: %s keeps enhanced monitoring of the database (one of 1, 5, 10, 15, 30, 60)", p.Scope)
	}
	zones := map[string]bool{}
	for _, s := range e.Network.Subnets {
		zones[s.AvailabilityZone] = true
	}
	if p.NatGatewayPerZone && e.Network.NatGateways < len(zones) {
		problems.Add("Network.NatGateways %d: %s keeps one NAT gateway per zone (%d)", e.Network.NatGateways, p.Scope, len(zones))
	}
	if p.TableDeletionProtection && !s.TableDeletionProtection {
		problems.Add("Storage.TableDeletionProtection false: a %s table keeps deletion protection", p.Scope)
	}
	if p.TerminationProtection && !e.TerminationProtection {
		problems.Add("TerminationProtection false: a %s data stack keeps termination protection", p.Scope)
	}
	if p.BackupCopy && e.Backup.CopyRegion == "" {
		problems.Add("Backup.CopyRegion empty: %s keeps a copy of every recovery point in a second region", p.Scope)
	}
	for _, floor := range []struct {
		field      string
		value, min int
	}{
		{"Database.BackupDays", d.BackupDays, p.MinBackupDays},
		{"Backup.RetentionDays", e.Backup.RetentionDays, p.MinVaultRetentionDays},
		{"Network.FlowLogRetentionDays", e.Network.FlowLogRetentionDays, p.MinFlowLogRetentionDays},
		{"Database.LogRetentionDays", d.LogRetentionDays, p.MinDatabaseLogRetentionDays},
		{"Storage.NoncurrentVersionDays", s.NoncurrentVersionDays, p.MinNoncurrentVersionDays},
		{"Storage.AccessLogDays", s.AccessLogDays, p.MinAccessLogDays},
	} {
		if floor.value < floor.min {
			problems.Add("%s %d: %s keeps at least %d", floor.field, floor.value, p.Scope, floor.min)
		}
	}
	if p.MaxWebInstances > 0 && e.Web.Instances > p.MaxWebInstances {
		problems.Add("Web.Instances %d: %s runs at most %d web servers", e.Web.Instances, p.Scope, p.MaxWebInstances)
	}
	if p.MaxWebInstances > 0 && e.Web.MaxInstances > p.MaxWebInstances+1 {
		problems.Add("Web.MaxInstances %d: %s caps the group at %d (one above the most web servers, for a rolling update)", e.Web.MaxInstances, p.Scope, p.MaxWebInstances+1)
	}
	return problems.Err()
}

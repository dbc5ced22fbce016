package config

import "fmt"

// Policy is what an environment must keep, whatever its configuration says:
// the protections and redundancy that a change must not take away unnoticed.
// Validate applies ProductionPolicy to every Production environment, and the
// tests check the same on its synthesized templates.
type Policy struct {
	// Scope names whom the policy binds, in its messages ("production").
	Scope                      string
	MultiAzDatabase            bool // a standby in a second zone
	DatabaseDeletionProtection bool
	NatGatewayPerZone          bool // a zone's failure takes only its own outbound traffic
	TableDeletionProtection    bool // point-in-time recovery is on in every environment
	TerminationProtection      bool // of the data stack
	MinBackupDays              int
	// Retention floors, in days: what prod keeps today.
	MinFlowLogRetentionDays     int
	MinDatabaseLogRetentionDays int
	MinNoncurrentVersionDays    int
	MinAccessLogDays            int
	// MaxWebInstances caps Web.Instances and, one above it, Web.MaxInstances.
	MaxWebInstances int
}

// BaselinePolicy is what every environment keeps: the organisation's limits
// inside what AWS allows (the constructs check AWS's own).
var BaselinePolicy = Policy{
	Scope:           "every environment",
	MinBackupDays:   7,
	MaxWebInstances: 20,
}

// ProductionPolicy is what every Production environment keeps.
var ProductionPolicy = Policy{
	Scope:                       "production",
	MultiAzDatabase:             true,
	DatabaseDeletionProtection:  true,
	NatGatewayPerZone:           true,
	TableDeletionProtection:     true,
	TerminationProtection:       true,
	MinBackupDays:               14,
	MinFlowLogRetentionDays:     731,
	MinDatabaseLogRetentionDays: 365,
	MinNoncurrentVersionDays:    365,
	MinAccessLogDays:            731,
}

// Violations lists, one line each, the fields of e's configuration that break p.
func (p Policy) Violations(e *Environment) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	d := e.Data
	if p.MultiAzDatabase && !d.DatabaseMultiAz {
		bad("Data.DatabaseMultiAz false: a production database keeps a standby in a second zone")
	}
	if p.DatabaseDeletionProtection && !d.DatabaseDeletionProtection {
		bad("Data.DatabaseDeletionProtection false: a production database keeps deletion protection")
	}
	zones := map[string]bool{}
	for _, s := range e.Network.Subnets {
		zones[s.AvailabilityZone] = true
	}
	if p.NatGatewayPerZone && e.Network.NatGateways < len(zones) {
		bad("Network.NatGateways %d: production keeps one NAT gateway per zone (%d)", e.Network.NatGateways, len(zones))
	}
	if p.TableDeletionProtection && !d.TableDeletionProtection {
		bad("Data.TableDeletionProtection false: a production table keeps deletion protection")
	}
	if p.TerminationProtection && !d.TerminationProtection {
		bad("Data.TerminationProtection false: a production data stack keeps termination protection")
	}
	for _, floor := range []struct {
		field      string
		value, min int
	}{
		{"Data.DatabaseBackupDays", d.DatabaseBackupDays, p.MinBackupDays},
		{"Network.FlowLogRetentionDays", e.Network.FlowLogRetentionDays, p.MinFlowLogRetentionDays},
		{"Data.DatabaseLogRetentionDays", d.DatabaseLogRetentionDays, p.MinDatabaseLogRetentionDays},
		{"Data.NoncurrentVersionDays", d.NoncurrentVersionDays, p.MinNoncurrentVersionDays},
		{"Data.AccessLogDays", d.AccessLogDays, p.MinAccessLogDays},
	} {
		if floor.value < floor.min {
			bad("%s %d: %s keeps at least %d", floor.field, floor.value, p.Scope, floor.min)
		}
	}
	if p.MaxWebInstances > 0 && e.Web.Instances > p.MaxWebInstances {
		bad("Web.Instances %d: %s runs at most %d web servers", e.Web.Instances, p.Scope, p.MaxWebInstances)
	}
	if p.MaxWebInstances > 0 && e.Web.MaxInstances > p.MaxWebInstances+1 {
		bad("Web.MaxInstances %d: %s caps the group at %d (one above the most web servers, for a rolling update)", e.Web.MaxInstances, p.Scope, p.MaxWebInstances+1)
	}
	return out
}

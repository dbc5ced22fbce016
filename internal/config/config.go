// Package config holds the environments of project-1 as typed Go and
// validates them, with no CDK import: cmd/preflight and cmd/image read it
// without jsii, and internal/stacks composes the constructs from it.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/constructs/monitoring/alarmprops"
	"github.com/project-1/project-1/constructs/network/netprops"
	"github.com/project-1/project-1/constructs/web/webprops"
	"github.com/project-1/project-1/internal/validate"
)

// Environment is everything that differs between deployments of project-1.
// Every field is required unless its comment says otherwise.
type Environment struct {
	// Name is the stage id: stacks are named "<Name>-Network" and so on.
	Name string
	// Account is the 12-digit AWS account to deploy to. Optional: when empty
	// the templates are account-agnostic (the CLI's CDK_DEFAULT_ACCOUNT is not
	// read) and deploy into whichever account the credentials name.
	Account string
	// Production environments must keep what ProductionPolicy lists; Validate
	// refuses a production environment that does not. Default false.
	Production bool
	// Region is the AWS region, e.g. "us-east-1". The subnets' availability
	// zones must be in it; they are pinned there, so synthesis looks nothing up.
	Region string
	// Network is the VPC: CIDRs, subnets, NAT gateways, flow-log retention.
	Network netprops.VpcProps
	// Web is the load balancer and the web tier (webprops.Settings, the web
	// construct's own). Every environment also names an AlternateInstanceType.
	Web webprops.Settings
	// Data is the database, the Forum table, the data bucket and the log bucket.
	Data DataConfig
	// Monitoring is the alarm topic's subscriber and the alarms' thresholds.
	Monitoring alarmprops.Settings
}

// DataConfig sizes and protects the stateful resources.
type DataConfig struct {
	// TerminationProtection of the data stack; turn off only for throw-away environments.
	TerminationProtection bool
	// DatabaseInstanceType, e.g. "t3.micro".
	DatabaseInstanceType string
	// DatabaseStorageGiB is the allocated storage (20 to 65536); storage grows
	// automatically up to DatabaseMaxStorageGiB.
	DatabaseStorageGiB int
	// DatabaseMaxStorageGiB is what the storage may grow to on its own, from
	// DatabaseStorageGiB to 65536.
	DatabaseMaxStorageGiB int
	// DatabaseMultiAz runs a standby in a second zone.
	DatabaseMultiAz bool
	// DatabaseDeletionProtection stops the instance being deleted by anyone.
	DatabaseDeletionProtection bool
	// DatabaseBackupDays is the automated backup retention: at least 7
	// (BaselinePolicy; production 14), at most dbprops.MaxBackupDays (35).
	DatabaseBackupDays int
	// DatabaseLogRetentionDays for the exported logs (audit, error, slow-query, general).
	DatabaseLogRetentionDays int
	// DatabaseMonitoringSeconds is the enhanced monitoring interval: 1, 5, 10,
	// 15, 30 or 60. Shorter costs more CloudWatch Logs ingestion.
	DatabaseMonitoringSeconds int
	// DatabaseGeneralLog writes every statement to the general log and exports
	// it. Off, neither; the audit log still records connections, DDL and DCL.
	DatabaseGeneralLog bool
	// DatabaseSlowQuerySeconds: statements slower than this go to the
	// slow-query log (long_query_time), 1 to 3600.
	DatabaseSlowQuerySeconds int
	// TableName of the forum table; "Forum" in the spec.
	TableName string
	// TableDeletionProtection stops the table being deleted by anyone.
	TableDeletionProtection bool
	// NoncurrentVersionDays: old versions of data-bucket objects expire after this.
	NoncurrentVersionDays int
	// AccessLogDays: load balancer and S3 access logs expire after this.
	AccessLogDays int
}

// Lookup returns the environment called name, or an error that lists the known ones.
func Lookup(name string) (Environment, error) { return LookupIn(Environments(), name) }

// LookupIn returns the environment of envs called name, or an error that
// lists the known ones.
func LookupIn(envs []Environment, name string) (Environment, error) {
	var known []string
	for _, e := range envs {
		if e.Name == name {
			return e, nil
		}
		known = append(known, e.Name)
	}
	return Environment{}, fmt.Errorf("unknown environment %q; known environments: %s (or %q for every one)", name, strings.Join(known, ", "), AllEnvironments)
}

var (
	namePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,63}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
)

// Validate reports every problem of the environment, one per line, each naming
// the environment, the field and the value. Run it before building any construct.
func (e *Environment) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("environment %q: %s", e.Name, fmt.Sprintf(format, args...)))
	}
	if !namePattern.MatchString(e.Name) {
		bad("Name %q must start with a letter and hold only letters, digits and '-' (at most 64)", e.Name)
	}
	if e.Account != "" && !accountPattern.MatchString(e.Account) {
		bad("Account %q is not a 12-digit AWS account ID", e.Account)
	}
	if !regionPattern.MatchString(e.Region) {
		bad("Region %q is not an AWS region name like us-east-1", e.Region)
	} else {
		for i, s := range e.Network.Subnets {
			if err := validate.Zone(s.AvailabilityZone, e.Region); s.AvailabilityZone != "" && err != nil {
				bad("Network.Subnets[%d].AvailabilityZone %v, the environment's Region %q", i, err, e.Region)
			}
		}
	}
	e.validateWeb(bad)
	e.validateData(bad)
	if err := e.Monitoring.ValidateAs("Monitoring."); err != nil {
		for line := range strings.SplitSeq(err.Error(), "\n") {
			bad("%s", line)
		}
	}
	for _, problem := range BaselinePolicy.Violations(e) {
		bad("%s", problem)
	}
	if e.Production {
		for _, problem := range ProductionPolicy.Violations(e) {
			bad("%s", problem)
		}
	}
	if err := e.Network.ValidateAs("Network."); err != nil {
		for line := range strings.SplitSeq(err.Error(), "\n") {
			bad("%s", line)
		}
	}
	return errors.Join(errs...)
}

func (e *Environment) validateWeb(bad func(string, ...any)) {
	w := e.Web
	if err := w.ValidateAs("Web.", e.Region); err != nil {
		for line := range strings.SplitSeq(err.Error(), "\n") {
			bad("%s", line)
		}
	}
	// The construct takes one type; every environment names a second, for a
	// zone short of capacity for the first.
	if w.AlternateInstanceType == "" {
		if err := validate.Interchangeable(w.AlternateInstanceType, w.InstanceType); err != nil {
			bad("Web.AlternateInstanceType %v", err)
		}
	}
}

func (e *Environment) validateData(bad func(string, ...any)) {
	d := e.Data
	if err := validate.InstanceType(d.DatabaseInstanceType); err != nil {
		bad("Data.DatabaseInstanceType %v", err)
	}
	if d.DatabaseStorageGiB < dbprops.MinStorageGiB || d.DatabaseStorageGiB > dbprops.MaxStorageGiB {
		bad("Data.DatabaseStorageGiB %d: RDS MySQL on gp3 takes %d to %d", d.DatabaseStorageGiB, dbprops.MinStorageGiB, dbprops.MaxStorageGiB)
	}
	if d.DatabaseMaxStorageGiB < d.DatabaseStorageGiB || d.DatabaseMaxStorageGiB > dbprops.MaxStorageGiB {
		bad("Data.DatabaseMaxStorageGiB %d: must be from Data.DatabaseStorageGiB (%d) to %d", d.DatabaseMaxStorageGiB, d.DatabaseStorageGiB, dbprops.MaxStorageGiB)
	}
	if d.DatabaseBackupDays < 1 || d.DatabaseBackupDays > dbprops.MaxBackupDays {
		bad("Data.DatabaseBackupDays %d: RDS keeps 1 to %d days of backups", d.DatabaseBackupDays, dbprops.MaxBackupDays)
	}
	if err := validate.Retention(d.DatabaseLogRetentionDays); err != nil {
		bad("Data.DatabaseLogRetentionDays: %v", err)
	}
	if !slices.Contains(dbprops.MonitoringIntervals, d.DatabaseMonitoringSeconds) {
		bad("Data.DatabaseMonitoringSeconds %d: must be one of %v", d.DatabaseMonitoringSeconds, dbprops.MonitoringIntervals)
	}
	if d.DatabaseSlowQuerySeconds < 1 || d.DatabaseSlowQuerySeconds > dbprops.MaxSlowQuerySeconds {
		bad("Data.DatabaseSlowQuerySeconds %d: must be from 1 to %d", d.DatabaseSlowQuerySeconds, dbprops.MaxSlowQuerySeconds)
	}
	if err := validate.TableName(d.TableName); err != nil {
		bad("Data.TableName %v", err)
	}
	if d.NoncurrentVersionDays < 1 {
		bad("Data.NoncurrentVersionDays %d: must be 1 or more", d.NoncurrentVersionDays)
	}
	if d.AccessLogDays < 1 {
		bad("Data.AccessLogDays %d: must be 1 or more", d.AccessLogDays)
	}
}

// ValidateAll validates every environment, and what no single one can check
// alone: unique names, VPC CIDRs that overlap no other environment's (so the
// VPCs can be peered), and no two forum tables with one name in one region of
// one account (an empty account counts as the same as any).
func ValidateAll(envs []Environment) error {
	var errs []error
	for i := range envs {
		if err := envs[i].Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	for i, a := range envs {
		for _, b := range envs[:i] {
			bad := func(format string, args ...any) {
				errs = append(errs, fmt.Errorf("environment %q: %s", a.Name, fmt.Sprintf(format, args...)))
			}
			if a.Name == b.Name {
				bad("Name %q is used by another environment too", a.Name)
			}
			pa, errA := netip.ParsePrefix(a.Network.Cidr)
			pb, errB := netip.ParsePrefix(b.Network.Cidr)
			if errA == nil && errB == nil && pa.Overlaps(pb) {
				bad("Network.Cidr %q overlaps environment %q's Network.Cidr %q; give each environment its own block so the VPCs can be peered",
					a.Network.Cidr, b.Name, b.Network.Cidr)
			}
			sameAccount := a.Account == "" || b.Account == "" || a.Account == b.Account
			if sameAccount && a.Region == b.Region && a.Data.TableName == b.Data.TableName {
				bad("Data.TableName %q is also environment %q's, in the same region %s (and possibly account)", a.Data.TableName, b.Name, a.Region)
			}
		}
	}
	return errors.Join(errs...)
}

// Package config holds the environments of project-1 as typed Go and
// validates them, with no CDK import: cmd/preflight and cmd/image read it
// without jsii, and internal/stacks composes the constructs from it.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/project-1/project-1/constructs/backup/backupprops"
	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/constructs/monitoring/alarmprops"
	"github.com/project-1/project-1/constructs/network/netprops"
	"github.com/project-1/project-1/constructs/storage/storeprops"
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
	// TerminationProtection of the data stack, which holds the database, the
	// table and the buckets; turn it off only for throw-away environments.
	TerminationProtection bool
	// Database is the MySQL instance (dbprops.Settings, the database
	// construct's own).
	Database dbprops.Settings
	// Storage is the Forum table, the data bucket and the log bucket
	// (storeprops.Settings, the storage constructs' own).
	Storage storeprops.Settings
	// Backup is AWS Backup's daily plan over the database, the table and the
	// data bucket, and its copy to a second region (backupprops.Settings, the
	// backup constructs' own).
	Backup backupprops.Settings
	// Monitoring is the alarm topic's subscriber and the alarms' thresholds.
	Monitoring alarmprops.Settings
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
)

// Validate reports every problem of the environment, one per line, each naming
// the environment, the field's path (Network.Subnets[2].Cidr) and the value.
// Run it before building any construct. AWS's limits are the constructs'
// settings' own (ValidateAs); the organisation's stricter ones are
// BaselinePolicy's, and ProductionPolicy's for a Production environment.
func (e *Environment) Validate() error {
	var problems validate.Problems
	if !namePattern.MatchString(e.Name) {
		problems.Add("Name %q must start with a letter and hold only letters, digits and '-' (at most 64)", e.Name)
	}
	if e.Account != "" && !accountPattern.MatchString(e.Account) {
		problems.Add("Account %q is not a 12-digit AWS account ID", e.Account)
	}
	if err := validate.Region(e.Region); err != nil {
		problems.Add("Region %v", err)
	} else {
		for i, s := range e.Network.Subnets {
			if err := validate.Zone(s.AvailabilityZone, e.Region); s.AvailabilityZone != "" && err != nil {
				problems.Add("Network.Subnets[%d].AvailabilityZone %v, the environment's Region %q", i, err, e.Region)
			}
		}
	}
	problems.AddAll(e.Web.ValidateAs("Web.", e.Region))
	// The construct takes one type; every environment names a second, for a
	// zone short of capacity for the first.
	if e.Web.AlternateInstanceType == "" {
		if err := validate.Interchangeable(e.Web.AlternateInstanceType, e.Web.InstanceType); err != nil {
			problems.Add("Web.AlternateInstanceType %v", err)
		}
	}
	problems.AddAll(e.Database.ValidateAs("Database."))
	problems.AddAll(e.Storage.ValidateAs("Storage."))
	problems.AddAll(e.Backup.ValidateAs("Backup.", e.Region))
	problems.AddAll(e.Monitoring.ValidateAs("Monitoring."))
	problems.AddAll(BaselinePolicy.Check(e))
	if e.Production {
		problems.AddAll(ProductionPolicy.Check(e))
	}
	problems.AddAll(e.Network.ValidateAs("Network."))
	return problems.Prefixed(fmt.Sprintf("environment %q: ", e.Name))
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
		var problems validate.Problems
		for _, b := range envs[:i] {
			if a.Name == b.Name {
				problems.Add("Name %q is used by another environment too", a.Name)
			}
			pa, errA := netip.ParsePrefix(a.Network.Cidr)
			pb, errB := netip.ParsePrefix(b.Network.Cidr)
			if errA == nil && errB == nil && pa.Overlaps(pb) {
				problems.Add("Network.Cidr %q overlaps environment %q's Network.Cidr %q; give each environment its own block so the VPCs can be peered",
					a.Network.Cidr, b.Name, b.Network.Cidr)
			}
			sameAccount := a.Account == "" || b.Account == "" || a.Account == b.Account
			if sameAccount && a.Region == b.Region && a.Storage.TableName == b.Storage.TableName {
				problems.Add("Storage.TableName %q is also environment %q's, in the same region %s (and possibly account)", a.Storage.TableName, b.Name, a.Region)
			}
		}
		if err := problems.Prefixed(fmt.Sprintf("environment %q: ", a.Name)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

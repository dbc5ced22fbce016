package config

import (
	"errors"
	"fmt"
	"slices"

	"github.com/project-1/project-1/constructs/backup/backupprops"
	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/constructs/monitoring/alarmprops"
	"github.com/project-1/project-1/constructs/network/netprops"
	"github.com/project-1/project-1/constructs/storage/storeprops"
	"github.com/project-1/project-1/constructs/web/webprops"
	"github.com/project-1/project-1/internal/appcontext"
)

// DefaultEnvironment is the environment `cdk synth` builds when no -c env=NAME is given.
const DefaultEnvironment = "project-1"

// AllEnvironments, given as -c env=all, builds every environment, each as its own stage.
const AllEnvironments = "all"

// Defaults is the spec's reference environment, project-1: the constructs'
// defaults (each package's DefaultSettings), which are every value as SPEC.md
// gives it and the project's choice for the rest. The other environments are
// written as what they change of it.
func Defaults() Environment {
	return Environment{
		Name:                  DefaultEnvironment,
		Region:                "us-east-1",
		TerminationProtection: true,
		Network:               netprops.DefaultVpcProps(),
		Web:                   webprops.DefaultSettings(),
		Database:              dbprops.DefaultSettings(),
		Storage:               storeprops.DefaultSettings(),
		Backup:                backupprops.DefaultSettings(),
		Monitoring:            alarmprops.DefaultSettings(),
	}
}

// Environments returns every environment, freshly built so callers may change
// them: project-1 (Defaults), and dev and prod as what they change of it. To
// add one, append it here: a name, a region, a VPC CIDR that overlaps no
// other environment's, and its sizes (docs/configuration.md, Add an
// environment).
func Environments() []Environment {
	// Development: the same layout for less money. One shared NAT gateway,
	// one web server, a single-AZ database, short retention, and no deletion
	// or termination protection, so it can be torn down (the database still
	// leaves a snapshot; the retained resources stay).
	dev := Defaults()
	dev.Name = "dev"
	dev.TerminationProtection = false
	dev.Network.Name, dev.Network.Cidr, dev.Network.InternetGatewayName = "project-1-dev", "10.1.0.0/16", "project-1-dev-gateway"
	dev.Network.Subnets = netprops.SpecLayout(1, "us-east-1a", "us-east-1b")
	dev.Network.NatGateways, dev.Network.FlowLogRetentionDays = 1, 30
	// Burstable and the cheapest; CT.AUTOSCALING.PR.11 fails here
	// (controls-allowed.txt).
	dev.Web = webprops.Settings{InstanceType: "t3.micro", AlternateInstanceType: "t3a.micro", Instances: 1, MaxInstances: 2}
	d := &dev.Database
	d.MultiAz, d.DeletionProtection = false, false
	d.MaxStorageGiB, d.LogRetentionDays, d.SlowQuerySeconds = 50, 14, 1
	dev.Storage = storeprops.Settings{TableName: "Forum-dev", NoncurrentVersionDays: 30, AccessLogDays: 90}
	dev.Backup.RetentionDays = 7

	// Production, in another region: one NAT gateway per zone, a Multi-AZ
	// database, every protection on, longer retention.
	prod := Defaults()
	prod.Name, prod.Region, prod.Production = "prod", "eu-west-1", true
	prod.Network.Name, prod.Network.Cidr, prod.Network.InternetGatewayName = "project-1-prod", "10.2.0.0/16", "project-1-prod-gateway"
	prod.Network.Subnets = netprops.SpecLayout(2, "eu-west-1a", "eu-west-1b")
	prod.Network.FlowLogRetentionDays = 731
	prod.Web.InstanceType, prod.Web.AlternateInstanceType, prod.Web.MaxInstances = "c7g.large", "m7g.large", 6
	p := &prod.Database
	p.InstanceType, p.StorageGiB, p.MaxStorageGiB = "t3.small", 50, 200
	p.BackupDays, p.LogRetentionDays, p.MonitoringSeconds, p.SlowQuerySeconds = 14, 365, 15, 1
	// Every statement of production traffic would cost more in CloudWatch
	// Logs than it tells; the audit log keeps connections and schema and
	// privilege changes.
	p.GeneralLog = false
	prod.Storage.NoncurrentVersionDays, prod.Storage.AccessLogDays = 365, 731
	// A copy of every recovery point in a second region, in a locked vault.
	prod.Backup.CopyRegion, prod.Backup.CopyRetentionDays = "eu-central-1", 35
	m := &prod.Monitoring
	m.DatabaseFreeStorageGiB, m.DatabaseFreeMemoryMiB, m.DatabaseConnections = 10, 200, 120

	return withPinnedImages([]Environment{Defaults(), dev, prod})
}

// withPinnedImages sets each environment's Web.ImageId from pinnedImages
// (internal/config/images.go, written by go run ./cmd/image -write) where it names
// none of its own.
func withPinnedImages(envs []Environment) []Environment {
	for i := range envs {
		if envs[i].Web.ImageId == "" {
			envs[i].Web.ImageId = pinnedImages[envs[i].Name]
		}
	}
	return envs
}

// Unpinned lists, one line each, the environments of envs whose web servers
// boot the newest Amazon Linux 2023 image of each deploy (Web.ImageId empty):
// any deploy after AWS publishes a new image replaces every server.
func Unpinned(envs []Environment) []string {
	var out []string
	for _, e := range envs {
		if e.Web.ImageId == "" {
			out = append(out, fmt.Sprintf("environment %q: Web.ImageId is empty, so every deploy boots the newest Amazon Linux 2023 image and, "+
				"when AWS has published a new one, replaces every web server; pin it with go run ./cmd/image -c env=%s -write", e.Name, e.Name))
		}
	}
	return out
}

// WithAlarmEmail returns envs with email (the context key alarmEmail) as the
// Monitoring.AlarmEmail of every environment that names none of its own. An
// empty email changes nothing.
func WithAlarmEmail(envs []Environment, email string) []Environment {
	out := slices.Clone(envs)
	for i := range out {
		if out[i].Monitoring.AlarmEmail == "" {
			out[i].Monitoring.AlarmEmail = email
		}
	}
	return out
}

// Select returns the environments a synthesis of name builds: the one called
// name, or every one for AllEnvironments. It refuses, naming what is wrong,
// when envs as a whole is invalid (ValidateAll), when name is unknown, or when
// a Production environment among those selected has no alarm subscriber
// (RequireSubscribers). stacks.BuildApp builds nothing before Select agrees.
func Select(envs []Environment, name string) ([]Environment, error) {
	if err := ValidateAll(envs); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	selected := envs
	if name != AllEnvironments {
		env, err := LookupIn(envs, name)
		if err != nil {
			return nil, err
		}
		selected = []Environment{env}
	}
	if err := RequireSubscribers(selected); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return selected, nil
}

// RequireSubscribers refuses, one line each, every Production environment of
// envs (those about to be built) whose alarm topic has no subscriber. It is
// not part of Validate: an address given as context is needed only by a
// synthesis that builds a Production environment.
func RequireSubscribers(envs []Environment) error {
	var errs []error
	for _, e := range envs {
		if e.Production && e.Monitoring.AlarmEmail == "" {
			errs = append(errs, fmt.Errorf("environment %q: Monitoring.AlarmEmail is empty: a Production environment's alarms must reach someone; "+
				"pass the address as context (cdk synth -c %s=ops@example.com) or set Monitoring.AlarmEmail", e.Name, appcontext.AlarmEmailKey))
		}
	}
	return errors.Join(errs...)
}

// Unsubscribed lists, one line each, the environments of envs whose alarm
// topic has no subscriber: their alarms reach no one. Validate refuses a
// Production one; the app reports the others.
func Unsubscribed(envs []Environment) []string {
	var out []string
	for _, e := range envs {
		if e.Monitoring.AlarmEmail == "" {
			out = append(out, fmt.Sprintf("environment %q: no subscriber to the alarm topic, so its alarms reach no one; "+
				"pass -c %s=ADDRESS or set Monitoring.AlarmEmail", e.Name, appcontext.AlarmEmailKey))
		}
	}
	return out
}

// Package alarmprops is the alarm thresholds of one environment, Settings,
// and their validation, with no CDK import, so that configuration and the
// commands that read it (cmd/preflight) need no jsii. package monitoring
// re-exports Settings.
package alarmprops

import (
	"net/mail"

	"github.com/project-1/project-1/constructs/database/dbprops"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the alarm thresholds of one environment, and who is told.
// Every threshold is required (1 or more) unless its comment says otherwise;
// each alarm's metric, statistic and period are in docs/operations.md.
type Settings struct {
	// AlarmEmail, optional, is subscribed to the alarm topic (the address must
	// confirm the subscription). Default empty: no subscription; subscribe
	// later to the topic whose ARN the app stack outputs.
	AlarmEmail string
	// LoadBalancer5xx: 5xx responses the load balancer itself returns (no
	// healthy target, a target that does not answer) in 5 minutes.
	LoadBalancer5xx int
	// Target5xx: 5xx responses the web servers return, in 5 minutes.
	Target5xx int
	// UnhealthyHosts: targets failing their health check, 5 minutes running.
	UnhealthyHosts int
	// TargetResponseMillis: the web servers' p99 response time, in
	// milliseconds, over 5 minutes, two periods running.
	TargetResponseMillis int
	// InServiceShortfallMinutes: how long the Auto Scaling group may have
	// fewer instances in service than it wants before the alarm, in minutes,
	// 1 to 60. A new instance takes some minutes to boot, install and signal.
	InServiceShortfallMinutes int
	// DatabaseCpuPercent: average CPU over 5 minutes, three periods running, 1 to 100.
	DatabaseCpuPercent int
	// DatabaseFreeStorageGiB: free storage below this.
	DatabaseFreeStorageGiB int
	// DatabaseFreeMemoryMiB: freeable memory below this, three periods running.
	DatabaseFreeMemoryMiB int
	// DatabaseConnections: open connections at or above this.
	DatabaseConnections int
	// TableWriteThrottleEvents: write requests to the table (or its indexes)
	// throttled in 5 minutes. Each throttled request of a batch counts, which
	// DynamoDB's ThrottledRequests does not: it counts a BatchWriteItem only
	// when every request in it is throttled.
	TableWriteThrottleEvents int
	// TableReadThrottleEvents: read requests to the table (or its indexes)
	// throttled in 5 minutes, each request of a batch counted.
	TableReadThrottleEvents int
	// TableSystemErrors: requests that failed with an HTTP 500 of DynamoDB in 5 minutes.
	TableSystemErrors int
	// NatPortAllocationErrors: connections a NAT gateway could not open, for
	// want of a source port, in 5 minutes (per gateway).
	NatPortAllocationErrors int
	// NatDroppedPackets: packets a NAT gateway dropped in 5 minutes (per gateway).
	NatDroppedPackets int
	// FirewallBlockedRequests: requests the web ACL blocked in 5 minutes (any
	// of its rules). Read only where there is a web ACL (Props.WebAclName).
	FirewallBlockedRequests int
}

// DefaultSettings are the project's thresholds, with no subscriber.
func DefaultSettings() Settings {
	return Settings{
		LoadBalancer5xx:           10,
		Target5xx:                 10,
		UnhealthyHosts:            1,
		TargetResponseMillis:      2000,
		InServiceShortfallMinutes: 20,
		DatabaseCpuPercent:        80,
		DatabaseFreeStorageGiB:    5,
		DatabaseFreeMemoryMiB:     100,
		DatabaseConnections:       60,
		TableWriteThrottleEvents:  1,
		TableReadThrottleEvents:   1,
		TableSystemErrors:         1,
		NatPortAllocationErrors:   1,
		NatDroppedPackets:         100,
		FirewallBlockedRequests:   100,
	}
}

// Validate reports every problem of the settings, one line each, naming the
// field and its value.
func (s *Settings) Validate() error { return s.ValidateAs("") }

// ValidateAs is Validate with every field name prefixed by prefix, for
// settings that are part of a larger configuration (e.g. "Monitoring.").
func (s *Settings) ValidateAs(prefix string) error {
	var problems validate.Problems
	if s.AlarmEmail != "" {
		if !IsEmail(s.AlarmEmail) {
			problems.Add("%sAlarmEmail %q is not an email address like ops@example.com", prefix, s.AlarmEmail)
		}
	}
	for _, t := range []struct {
		field    string
		value    int
		min, max int
	}{
		{"LoadBalancer5xx", s.LoadBalancer5xx, 1, 1 << 30},
		{"Target5xx", s.Target5xx, 1, 1 << 30},
		{"UnhealthyHosts", s.UnhealthyHosts, 1, 1000},
		{"TargetResponseMillis", s.TargetResponseMillis, 1, 3_600_000},
		{"InServiceShortfallMinutes", s.InServiceShortfallMinutes, 1, 60},
		{"DatabaseCpuPercent", s.DatabaseCpuPercent, 1, 100},
		{"DatabaseFreeStorageGiB", s.DatabaseFreeStorageGiB, 1, dbprops.MaxStorageGiB},
		{"DatabaseFreeMemoryMiB", s.DatabaseFreeMemoryMiB, 1, 4 << 20},
		{"DatabaseConnections", s.DatabaseConnections, 1, 100_000},
		{"TableWriteThrottleEvents", s.TableWriteThrottleEvents, 1, 1 << 30},
		{"TableReadThrottleEvents", s.TableReadThrottleEvents, 1, 1 << 30},
		{"TableSystemErrors", s.TableSystemErrors, 1, 1 << 30},
		{"NatPortAllocationErrors", s.NatPortAllocationErrors, 1, 1 << 30},
		{"NatDroppedPackets", s.NatDroppedPackets, 1, 1 << 30},
		{"FirewallBlockedRequests", s.FirewallBlockedRequests, 1, 1 << 30},
	} {
		if t.value < t.min || t.value > t.max {
			problems.Add("%s%s %d: must be from %d to %d", prefix, t.field, t.value, t.min, t.max)
		}
	}
	return problems.Err()
}

// IsEmail accepts a bare address, ops@example.com: no display name, no brackets.
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

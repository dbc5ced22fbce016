// Package storeprops holds the values of the storage constructs (the Forum
// table, the data bucket, the log bucket) with no CDK import, so that
// configuration and cmd/preflight can check them. package storage re-exports
// them.
package storeprops

import "github.com/project-1/project-1/internal/validate"

// Settings are the storage's values: the table's name and protection, and how
// long the buckets keep old versions and logs. Every field is required unless
// its comment gives a default; DefaultSettings gives the project's choice of
// each.
type Settings struct {
	// TableName is the Forum table's physical name, "Forum" in the spec: 3 to
	// 255 letters, digits, '_', '-' and '.'.
	TableName string
	// TableDeletionProtection stops anyone deleting the table. Zero value false.
	TableDeletionProtection bool
	// NoncurrentVersionDays: a replaced or deleted data-bucket object's old
	// version expires after this many days, 1 or more.
	NoncurrentVersionDays int
	// AccessLogDays: load balancer and S3 access logs expire after this many
	// days, 1 or more.
	AccessLogDays int
}

// DefaultSettings are the project's storage: the spec's Forum table with
// deletion protection, old object versions kept 90 days, access logs a year.
func DefaultSettings() Settings {
	return Settings{TableName: "Forum", TableDeletionProtection: true, NoncurrentVersionDays: 90, AccessLogDays: 365}
}

// ValidateAs reports every problem of the settings, one line each, every
// field named with prefix before it (e.g. "Storage.").
func (s *Settings) ValidateAs(prefix string) error {
	var problems validate.Problems
	if err := validate.TableName(s.TableName); err != nil {
		problems.Add("%sTableName %v", prefix, err)
	}
	if err := validate.Days(s.NoncurrentVersionDays); err != nil {
		problems.Add("%sNoncurrentVersionDays %v", prefix, err)
	}
	if err := validate.Days(s.AccessLogDays); err != nil {
		problems.Add("%sAccessLogDays %v", prefix, err)
	}
	return problems.Err()
}

// Package backupprops holds the values of the backup constructs with no CDK
// import, so that configuration and cmd/preflight can check them. package
// backup re-exports them.
package backupprops

import "github.com/project-1/project-1/internal/validate"

// MaxRetentionDays is the longest the settings keep a recovery point: 100
// years, AWS Backup's upper bound for a lifecycle's DeleteAfterDays.
const MaxRetentionDays = 36500

// Settings are the backups' values: how long a daily recovery point is kept,
// and where and how long its copy is. Every field is required unless its
// comment gives a default; DefaultSettings gives the project's choice.
type Settings struct {
	// RetentionDays a daily recovery point is kept in the environment's
	// vault, 1 to MaxRetentionDays.
	RetentionDays int
	// CopyRegion, optional: a second region that each recovery point is
	// copied to, into a vault of its own there with a vault lock (NewCopyVault,
	// in a stack of that region). Default empty: no copy.
	CopyRegion string
	// CopyRetentionDays a copy is kept, 1 to MaxRetentionDays; the copy
	// vault's lock refuses a shorter one. Required with CopyRegion.
	CopyRetentionDays int
}

// DefaultSettings keep each daily recovery point 35 days, with no copy.
func DefaultSettings() Settings { return Settings{RetentionDays: 35} }

// ValidateAs reports every problem of the settings, one line each, every
// field named with prefix before it (e.g. "Backup."). region is the
// environment's own, which the copy must leave.
func (s *Settings) ValidateAs(prefix, region string) error {
	var problems validate.Problems
	if s.RetentionDays < 1 || s.RetentionDays > MaxRetentionDays {
		problems.Add("%sRetentionDays %d: must be from 1 to %d", prefix, s.RetentionDays, MaxRetentionDays)
	}
	if s.CopyRegion == "" {
		if s.CopyRetentionDays != 0 {
			problems.Add("%sCopyRetentionDays %d: there is no copy without %sCopyRegion", prefix, s.CopyRetentionDays, prefix)
		}
		return problems.Err()
	}
	if err := validate.Region(s.CopyRegion); err != nil {
		problems.Add("%sCopyRegion %v", prefix, err)
	} else if s.CopyRegion == region {
		problems.Add("%sCopyRegion %q is the environment's own region: a copy survives the loss of a region only in another", prefix, s.CopyRegion)
	}
	if s.CopyRetentionDays < 1 || s.CopyRetentionDays > MaxRetentionDays {
		problems.Add("%sCopyRetentionDays %d: must be from 1 to %d", prefix, s.CopyRetentionDays, MaxRetentionDays)
	}
	return problems.Err()
}

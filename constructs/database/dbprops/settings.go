package dbprops

import (
	"slices"

	"github.com/project-1/project-1/internal/validate"
)

// Settings are the database's values: its size, redundancy, protection,
// backups and logs. database.MysqlProps embeds them; an environment's
// Database is this type. Every field is required unless its comment gives a
// default; DefaultSettings gives the project's choice of each.
type Settings struct {
	// InstanceType without "db.", e.g. "t3.micro".
	InstanceType string
	// StorageGiB is the allocated gp3 storage, MinStorageGiB (20) to
	// MaxStorageGiB (65536); it grows on its own up to MaxStorageGiB (the
	// field), which must be from StorageGiB to 65536.
	StorageGiB    int
	MaxStorageGiB int
	// MultiAz runs a standby in a second zone. Zero value false.
	MultiAz bool
	// DeletionProtection stops anyone deleting the instance. Zero value false.
	DeletionProtection bool
	// BackupDays of automated backups, 1 to MaxBackupDays (35).
	BackupDays int
	// LogRetentionDays of the exported logs (audit, error, slow-query,
	// general): a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90,
	// ... 3653).
	LogRetentionDays int
	// MonitoringSeconds is the enhanced monitoring interval, one of
	// MonitoringIntervals (1, 5, 10, 15, 30 or 60 seconds): OS metrics into
	// CloudWatch Logs (RDSOSMetrics) with a role of the instance's own.
	// Shorter costs more CloudWatch Logs ingestion. Zero value 0: none.
	MonitoringSeconds int
	// GeneralLog writes every statement to the general log and exports it.
	// Zero value false: no general log, and none exported. The error,
	// slow-query and audit logs are always written and exported; the audit log
	// records connections, DDL and DCL.
	GeneralLog bool
	// SlowQuerySeconds: statements that take longer go to the slow-query log
	// (long_query_time), 1 to MaxSlowQuerySeconds (3600). Zero value 0:
	// MySQL's own 10 seconds.
	SlowQuerySeconds int
}

// DefaultSettings are the project's database: the smallest burstable class,
// 20 GiB growing to 100, a standby in a second zone, deletion protection, a
// week of backups, 90 days of logs, enhanced monitoring every minute, the
// general log on and statements slower than 2 seconds logged.
func DefaultSettings() Settings {
	return Settings{
		InstanceType:       "t3.micro",
		StorageGiB:         20,
		MaxStorageGiB:      100,
		MultiAz:            true,
		DeletionProtection: true,
		BackupDays:         7,
		LogRetentionDays:   90,
		MonitoringSeconds:  60,
		GeneralLog:         true,
		SlowQuerySeconds:   2,
	}
}

// ValidateAs reports every problem of the settings against what RDS takes,
// one line each, every field named with prefix before it (e.g. "Database.").
func (s *Settings) ValidateAs(prefix string) error {
	var problems validate.Problems
	if err := validate.InstanceType(s.InstanceType); err != nil {
		problems.Add("%sInstanceType %v", prefix, err)
	}
	if s.StorageGiB < MinStorageGiB || s.StorageGiB > MaxStorageGiB {
		problems.Add("%sStorageGiB %d: RDS MySQL on gp3 takes %d to %d", prefix, s.StorageGiB, MinStorageGiB, MaxStorageGiB)
	}
	if s.MaxStorageGiB < s.StorageGiB || s.MaxStorageGiB > MaxStorageGiB {
		problems.Add("%sMaxStorageGiB %d: must be from %sStorageGiB (%d) to %d", prefix, s.MaxStorageGiB, prefix, s.StorageGiB, MaxStorageGiB)
	}
	if s.BackupDays < 1 || s.BackupDays > MaxBackupDays {
		problems.Add("%sBackupDays %d: RDS keeps 1 to %d days of backups", prefix, s.BackupDays, MaxBackupDays)
	}
	if err := validate.Retention(s.LogRetentionDays); err != nil {
		problems.Add("%sLogRetentionDays: %v", prefix, err)
	}
	if s.MonitoringSeconds != 0 && !slices.Contains(MonitoringIntervals, s.MonitoringSeconds) {
		problems.Add("%sMonitoringSeconds %d: must be 0 (off) or one of %v", prefix, s.MonitoringSeconds, MonitoringIntervals)
	}
	if s.SlowQuerySeconds < 0 || s.SlowQuerySeconds > MaxSlowQuerySeconds {
		problems.Add("%sSlowQuerySeconds %d: must be from 1 to %d, or 0 for MySQL's 10", prefix, s.SlowQuerySeconds, MaxSlowQuerySeconds)
	}
	return problems.Err()
}

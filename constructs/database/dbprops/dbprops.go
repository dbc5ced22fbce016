// Package dbprops holds the database's values that configuration and
// cmd/preflight check, with no CDK import: the engine version RDS is asked
// for, the backup retention it keeps, the monitoring intervals it accepts.
// package database re-exports them.
package dbprops

// EngineVersion is the MySQL version database.NewMysql asks for, the major
// version only (RDS creates its current default minor of it), and
// EngineMajorVersion the parameter group family's.
const (
	EngineVersion      = "8.4"
	EngineMajorVersion = "8.4"
)

// MaxBackupDays is the longest automated backup retention RDS keeps.
const MaxBackupDays = 35

// MinStorageGiB and MaxStorageGiB bound RDS MySQL's gp3 storage.
const (
	MinStorageGiB = 20
	MaxStorageGiB = 65536
)

// MaxSlowQuerySeconds is the longest long_query_time the slow-query log takes here.
const MaxSlowQuerySeconds = 3600

// MonitoringIntervals are the enhanced monitoring intervals RDS accepts, in seconds.
var MonitoringIntervals = []int{1, 5, 10, 15, 30, 60}

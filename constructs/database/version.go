package database

import "github.com/project-1/project-1/constructs/database/dbprops"

// EngineVersion is the MySQL version NewMysql asks for, the major version
// only (RDS creates its current default minor of it), and EngineMajorVersion
// the parameter group family's: dbprops's, plain strings, so that a program
// that checks an account before deploying (cmd/preflight) can ask RDS
// whether it still offers this version without building any construct.
const (
	EngineVersion      = dbprops.EngineVersion
	EngineMajorVersion = dbprops.EngineMajorVersion
)

// MaxBackupDays is the longest automated backup retention RDS keeps.
const MaxBackupDays = dbprops.MaxBackupDays

// MonitoringIntervals are the enhanced monitoring intervals RDS accepts, in seconds.
var MonitoringIntervals = dbprops.MonitoringIntervals

package database

// EngineVersion is the MySQL version NewMysql asks for, the major version
// only (RDS creates its current default minor of it), and EngineMajorVersion
// the parameter group family's. Plain strings, so that a
// program that checks an account before deploying (cmd/preflight) can ask RDS
// whether it still offers this version without building any construct.
const (
	EngineVersion      = "8.4"
	EngineMajorVersion = "8.4"
)

// Package cli gives the repository's commands one shape: the exit codes, a
// flag set that prints its usage to stderr, exits 0 on -h and 2 on a flag it
// does not know, and messages that start with the command's name.
//
// The context flags (-c KEY=VALUE) and cdk.json are appcontext's: every
// command that takes them reads them as the app does (appcontext.Read).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// The exit codes of every command: OK, a Finding that needs someone's
// decision (a check failed, a review asks, a flow disagrees), or BadInput
// (usage, configuration, a file that cannot be read).
const (
	OK       = 0
	Finding  = 1
	BadInput = 2
)

// NewFlagSet is a flag set for the command name whose usage prints
// "usage: NAME SYNOPSIS" and the flags' defaults to stderr. Set fs.Usage
// afterwards for a longer text.
func NewFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args into fs. When it returns done, the command is over and
// exits with code: OK after -h (the usage is printed), BadInput on a flag
// error (the flag package has printed it and the usage).
func Parse(fs *flag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return OK, false
	case errors.Is(err, flag.ErrHelp):
		return OK, true
	default:
		return BadInput, true
	}
}

// Fail prints "NAME: message" to stderr and returns BadInput.
func Fail(stderr io.Writer, name, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", name, fmt.Sprintf(format, args...))
	return BadInput
}

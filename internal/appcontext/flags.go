package appcontext

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

// Flags are the -c KEY=VALUE (or --context KEY=VALUE) a command was given,
// the last value of a key winning, as the cdk CLI takes them.
type Flags map[string]string

// String is empty: the flag has no default.
func (f Flags) String() string { return "" }

// Set records one KEY=VALUE.
func (f Flags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: give KEY=VALUE, e.g. env=dev", s)
	}
	f[k] = v
	return nil
}

// Register adds -c and --context to fs and returns the Flags they fill.
func Register(fs *flag.FlagSet) Flags {
	given := Flags{}
	fs.Var(given, "c", "context KEY=VALUE, as cdk takes it")
	fs.Var(given, "context", "context KEY=VALUE, as cdk takes it")
	return given
}

// ReadFile is the "context" object of a cdk.json, every value as -c would
// give it (the string true, not a boolean). A missing file is no context.
func ReadFile(path string) (map[string]string, error) {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var file struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for k, v := range file.Context {
		switch v := v.(type) {
		case string:
			out[k] = v
		case bool, float64:
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}

// Read is the context a command runs with, parsed as the app parses it:
// cdk.json's (ReadFile), with the given flags over it. A misspelt key of the
// app's or a value it refuses is an error naming the key, as cdk synth
// reports it.
func Read(cdkJSON string, given Flags) (Context, error) {
	file, err := ReadFile(cdkJSON)
	if err != nil {
		return Context{}, err
	}
	all := map[string]any{}
	for k, v := range file {
		all[k] = v
	}
	for k, v := range given {
		all[k] = v
	}
	return Parse(all)
}

// Package appcontext reads the CDK context keys project-1's app takes (from
// `-c key=value` and cdk.json) and refuses values it does not accept, and
// misspelt keys of its own, instead of ignoring them.
package appcontext

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Keys the app reads, and what each accepts.
const (
	EnvKey      = "env"      // an environment's name, or "all"
	PipelineKey = "pipeline" // "true" or "false" (a boolean in cdk.json)
	// PipelinePrefix starts the pipeline's settings.
	PipelinePrefix = "pipeline:"
	// AlarmEmailKey is an address subscribed to the alarm topic of every
	// environment that names none of its own (Monitoring.AlarmEmail). A
	// Production environment needs one; given here, no address is committed.
	AlarmEmailKey = "alarmEmail"
)

// PipelineSettings are the keys under PipelinePrefix.
var PipelineSettings = []string{"account", "branch", "connectionArn", "region", "repository"}

// Context is what the app was asked to build.
type Context struct {
	Env      string // "" when not given
	Pipeline bool
	// Settings holds each pipeline setting given, by its name without the prefix.
	Settings   map[string]string
	AlarmEmail string // "" when not given
}

// Parse reads the app's keys out of the whole context. A value of the wrong
// type or outside what a key accepts, and a key with the project's "pipeline:"
// prefix that the app does not know, are errors naming the key, the value and
// what is accepted. Other keys (feature flags, the CLI's own) pass.
func Parse(context map[string]any) (Context, error) {
	c := Context{Settings: map[string]string{}}
	var errs []error
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		value := context[key]
		switch {
		case key == EnvKey:
			s, ok := value.(string)
			if !ok || s == "" {
				errs = append(errs, fmt.Errorf("context %s=%v: give an environment's name, or \"all\"", key, value))
			}
			c.Env = s
		case key == PipelineKey:
			switch value {
			case true, "true":
				c.Pipeline = true
			case false, "false":
			default:
				errs = append(errs, fmt.Errorf("context %s=%v: accepted values are true and false", key, value))
			}
		case key == AlarmEmailKey:
			s, ok := value.(string)
			if !ok || s == "" {
				errs = append(errs, fmt.Errorf("context %s=%v: give the address that the alarm topics notify, like -c %s=ops@example.com", key, value, key))
			}
			c.AlarmEmail = s
		case strings.HasPrefix(key, PipelinePrefix):
			name := strings.TrimPrefix(key, PipelinePrefix)
			if !known(name) {
				errs = append(errs, fmt.Errorf("context %s: not a pipeline setting; the settings are %s%s",
					key, PipelinePrefix, strings.Join(PipelineSettings, ", "+PipelinePrefix)))
				continue
			}
			s, ok := value.(string)
			if !ok {
				errs = append(errs, fmt.Errorf("context %s=%v: must be a string", key, value))
			}
			c.Settings[name] = s
		}
	}
	return c, errors.Join(errs...)
}

func known(setting string) bool {
	for _, s := range PipelineSettings {
		if s == setting {
			return true
		}
	}
	return false
}

package config_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/config"
)

// TestSelect: the environments a synthesis of each name builds, and the
// refusals, without a construct (stacks.BuildApp builds what Select returns).
func TestSelect(t *testing.T) {
	envs := config.WithAlarmEmail(config.Environments(), "alarms@example.com")
	var all []string
	for _, e := range envs {
		all = append(all, e.Name)
	}
	if len(all) < 2 {
		t.Fatalf("environments %q: the test needs two at least", all)
	}
	last := all[len(all)-1]
	invalid := slices.Clone(envs)
	invalid[1].Network.Cidr = envs[0].Network.Cidr
	for _, tc := range []struct {
		what string
		envs []config.Environment
		name string
		want []string
		err  string
	}{
		{"the default", envs, config.DefaultEnvironment, []string{config.DefaultEnvironment}, ""},
		{"the last", envs, last, []string{last}, ""},
		{"all", envs, config.AllEnvironments, all, ""},
		{"an unknown name", envs, "no_such_environment", nil,
			fmt.Sprintf(`unknown environment "no_such_environment"; known environments: %s (or "all" for every one)`, strings.Join(all, ", "))},
		{"a set invalid as a whole, for a name it does not select", invalid, config.DefaultEnvironment, nil, "invalid configuration:\n"},
		{"all, without the Production environments' subscriber", config.Environments(), config.AllEnvironments, nil,
			"Monitoring.AlarmEmail is empty: a Production environment's alarms must reach someone"},
	} {
		got, err := config.Select(tc.envs, tc.name)
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || got != nil {
				t.Errorf("%s: Select(%q) = %q, %v; want no environment and an error with %q", tc.what, tc.name, names, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(names, tc.want) {
			t.Errorf("%s: Select(%q) = %q, %v; want %q", tc.what, tc.name, names, err, tc.want)
		}
	}
}

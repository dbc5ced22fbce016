package appcontext

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		context map[string]any
		want    Context
		err     []string // substrings of the error; none when nil
	}{
		{"nothing", map[string]any{}, Context{}, nil},
		{"flags and the CLI's keys pass", map[string]any{"@aws-cdk/core:enablePartitionLiterals": true, "aws:cdk:enable-path-metadata": true}, Context{}, nil},
		{"an environment", map[string]any{"env": "dev"}, Context{Env: "dev"}, nil},
		{"the pipeline from -c", map[string]any{"pipeline": "true", "pipeline:branch": "main"}, Context{Pipeline: true, Settings: map[string]string{"branch": "main"}}, nil},
		{"the pipeline off in cdk.json", map[string]any{"pipeline": false}, Context{}, nil},
		{"pipeline=yes", map[string]any{"pipeline": "yes"}, Context{}, []string{"context pipeline=yes", "true and false"}},
		{"a misspelt setting", map[string]any{"pipeline:acount": "111111111111"}, Context{}, []string{"context pipeline:acount", "pipeline:account"}},
		{"a setting that is not a string", map[string]any{"pipeline:account": 111111111111.0}, Context{}, []string{"pipeline:account", "must be a string"}},
		{"an empty environment", map[string]any{"env": ""}, Context{}, []string{"context env="}},
		{"an alarm address", map[string]any{"alarmEmail": "ops@example.com"}, Context{AlarmEmail: "ops@example.com"}, nil},
		{"an empty alarm address", map[string]any{"alarmEmail": ""}, Context{}, []string{"context alarmEmail=", "-c alarmEmail=ops@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.context)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if got.Env != tc.want.Env || got.Pipeline != tc.want.Pipeline || got.AlarmEmail != tc.want.AlarmEmail || len(got.Settings) != len(tc.want.Settings) {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				for k, v := range tc.want.Settings {
					if got.Settings[k] != v {
						t.Errorf("setting %s = %q, want %q", k, got.Settings[k], v)
					}
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.err {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

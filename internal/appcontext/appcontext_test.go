package appcontext

import (
	"os"
	"path/filepath"
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

func TestRead(t *testing.T) {
	dir := t.TempDir()
	cdkJSON := filepath.Join(dir, "cdk.json")
	if err := os.WriteFile(cdkJSON, []byte(`{"app": "go run .", "context": {"pipeline": false, "pipeline:branch": "main", "@aws-cdk/core:flag": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := ReadFile(cdkJSON)
	if err != nil || file["pipeline"] != "false" || file["pipeline:branch"] != "main" || file["@aws-cdk/core:flag"] != "true" {
		t.Errorf("ReadFile: %v, %v", file, err)
	}
	if none, err := ReadFile(filepath.Join(dir, "missing.json")); err != nil || len(none) != 0 {
		t.Errorf("a missing cdk.json: %v, %v; want no context", none, err)
	}
	given := Flags{}
	for _, kv := range []string{"pipeline=true", "env=dev", "env=prod"} {
		if err := given.Set(kv); err != nil {
			t.Fatal(err)
		}
	}
	if err := given.Set("=x"); err == nil {
		t.Error("Set(\"=x\") took a key-less value")
	}
	c, err := Read(cdkJSON, given)
	if err != nil || !c.Pipeline || c.Env != "prod" || c.Settings["branch"] != "main" {
		t.Errorf("Read: %+v, %v; want the flags over cdk.json, the last env winning", c, err)
	}
	given["pipeline:acount"] = "111111111111"
	if _, err := Read(cdkJSON, given); err == nil || !strings.Contains(err.Error(), "pipeline:acount") {
		t.Errorf("a misspelt pipeline key: %v", err)
	}
	if err := os.WriteFile(cdkJSON, []byte(`{`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(cdkJSON, Flags{}); err == nil || !strings.Contains(err.Error(), cdkJSON) {
		t.Errorf("a malformed cdk.json: %v", err)
	}
}

package netcheck

import "testing"

func TestResources(t *testing.T) {
	got := Resources(map[string]any{"Resources": map[string]any{
		"Vpc":    map[string]any{"Type": "AWS::EC2::VPC"},
		"Broken": "not an object",
	}})
	if len(got) != 1 || got["Vpc"]["Type"] != "AWS::EC2::VPC" {
		t.Errorf("Resources = %v, want only Vpc", got)
	}
	if n := len(Resources(map[string]any{})); n != 0 {
		t.Errorf("a template without Resources has %d", n)
	}
	// A plain map is a Templates: callers that built one keep compiling.
	clone := CloneTemplates(map[string]map[string]any{"a": {"Resources": map[string]any{}}})
	if _, ok := clone["a"]; !ok || len(clone) != 1 {
		t.Errorf("CloneTemplates kept %v", clone)
	}
}

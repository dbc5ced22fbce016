package test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeIsShort: the README is the first five minutes: at most 250
// lines, its first code block within the first 40.
func TestReadmeIsShort(t *testing.T) {
	lines := strings.Split(docPage(t, "README.md"), "\n")
	if n := len(lines) - 1; n > 250 {
		t.Errorf("README.md has %d lines; at most 250, the rest goes into docs/", n)
	}
	for i, line := range lines {
		if strings.HasPrefix(line, "```") {
			if i >= 40 {
				t.Errorf("README.md's first code block is on line %d; it must be within the first 40", i+1)
			}
			return
		}
	}
	t.Error("README.md has no code block")
}

// TestReadmeGoExample: the README's Go example is, byte for byte, the marked
// region of readme_example_test.go, which this package compiles and
// ExampleNewTeamStack runs.
func TestReadmeGoExample(t *testing.T) {
	const begin, end = "// README example: begin\n", "// README example: end\n"
	raw, err := os.ReadFile("readme_example_test.go")
	must(t, "read readme_example_test.go", err)
	src := string(raw)
	b, e := strings.Index(src, begin), strings.Index(src, end)
	if b < 0 || e < b {
		t.Fatalf("readme_example_test.go lacks the markers %q ... %q", begin, end)
	}
	want := strings.TrimRight(src[b+len(begin):e], "\n") + "\n"
	section := docSection(t, "README.md", "Use the constructs in your own app")
	m := regexp.MustCompile("(?s)```go\n(.*?)```\n").FindStringSubmatch(section)
	if m == nil {
		t.Fatal(`README.md's "Use the constructs in your own app" has no Go example`)
	}
	if m[1] != want {
		t.Errorf("README.md's Go example differs from the region of test/readme_example_test.go that compiles; copy it:\n%s", want)
	}
}

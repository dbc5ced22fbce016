package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// userPages are the pages a user of project-1 reads: they say what is, and
// carry no change history (CHANGELOG.md does).
func userPages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("../docs/*.md")
	must(t, "list docs/", err)
	pages := []string{"README.md"}
	for _, d := range docs {
		pages = append(pages, "docs/"+filepath.Base(d))
	}
	return pages
}

// linkedPages are every page whose links TestDocLinks follows.
func linkedPages(t *testing.T) []string {
	return append(userPages(t), "CONTRIBUTING.md", "bench/README.md")
}

// docPage returns a page of the documentation, by its path from the
// repository's root ("README.md", "docs/compliance.md"). Every test that
// reads a page's tables reads it through here.
func docPage(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(path)))
	must(t, "read "+path, err)
	return string(raw)
}

// docSection returns the section of a page that the heading (its text,
// without the #s) opens, up to the next heading of the same or a higher
// level. A page without that heading fails the test.
func docSection(t *testing.T, path, heading string) string {
	t.Helper()
	page := docPage(t, path)
	lines := strings.SplitAfter(page, "\n")
	start, level := -1, 0
	fenced := false
	var b strings.Builder
	for i, line := range lines {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		l, text := headingOf(line)
		if !fenced && l > 0 {
			if start < 0 && text == heading {
				start, level = i, l
			} else if start >= 0 && l <= level {
				break
			}
		}
		if start >= 0 {
			b.WriteString(line)
		}
	}
	if start < 0 {
		t.Fatalf("%s has no heading %q", path, heading)
	}
	return b.String()
}

var headingLine = regexp.MustCompile(`^(#{1,6}) +(.*?) *#* *\n?$`)

// headingOf returns the level and text of a Markdown ATX heading, or 0.
func headingOf(line string) (int, string) {
	m := headingLine.FindStringSubmatch(line)
	if m == nil {
		return 0, ""
	}
	return len(m[1]), m[2]
}

// anchorOf is the anchor GitHub gives a heading: lower case, spaces to
// hyphens, every other character that is not a letter, digit, '-' or '_'
// dropped.
func anchorOf(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors are the heading anchors of a page, with GitHub's -1, -2 suffixes
// for repeated headings. Headings inside fenced code are not headings.
func anchors(page string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if l, text := headingOf(line); l > 0 && !fenced {
			a := anchorOf(text)
			if n := seen[a]; n > 0 {
				out[a+"-"+strconv.Itoa(n)] = true
			} else {
				out[a] = true
			}
			seen[a]++
		}
	}
	return out
}

// prose is a page without its fenced code blocks and inline code spans,
// where a link or a history word would be only an example.
func prose(page string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(page, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			b.WriteString(line)
		}
	}
	return regexp.MustCompile("`[^`\n]*`").ReplaceAllString(b.String(), "")
}

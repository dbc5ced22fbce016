package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks: every relative link of README.md, CONTRIBUTING.md,
// bench/README.md and docs/ names a file of the repository, and every
// #anchor a heading of the page it points at.
func TestDocLinks(t *testing.T) {
	root, err := filepath.Abs("..")
	must(t, "find the repository's root", err)
	for _, path := range linkedPages(t) {
		page := docPage(t, path)
		for _, m := range markdownLink.FindAllStringSubmatch(prose(page), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			resolved := path
			if file != "" {
				resolved = filepath.ToSlash(filepath.Join(filepath.Dir(path), file))
				abs := filepath.Join(root, filepath.FromSlash(resolved))
				if rel, err := filepath.Rel(root, abs); err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("%s: link %q leaves the repository", path, target)
					continue
				}
				if _, err := os.Stat(abs); err != nil {
					t.Errorf("%s: link %q: no file %s", path, target, resolved)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(resolved, ".md") {
				t.Errorf("%s: link %q: an anchor into %s, which is not a Markdown page", path, target, resolved)
				continue
			}
			if !anchors(docPage(t, resolved))[anchor] {
				t.Errorf("%s: link %q: %s has no heading with anchor #%s", path, target, resolved, anchor)
			}
		}
	}
}

var (
	historyWords = regexp.MustCompile(`(?i)\b(this|last|previous|next|that) round\b|\bbefore (this|the) round\b`)
	// #21 or issue 21, but not aws/aws-cdk#6701 (another project's
	// reference, preceded by its name) nor an HTML entity (&#39;).
	issueNumber = regexp.MustCompile(`(?i)(^|[^\w&/-])#[0-9]+\b|\bissues? #?[0-9]+\b`)
)

// TestUserPagesCarryNoHistory: README.md and docs/ say what is; what
// changed, and when, is CHANGELOG.md's. No "this round", no issue number of
// this project (another project's, aws/aws-cdk#NNNN, is a reference).
func TestUserPagesCarryNoHistory(t *testing.T) {
	for _, path := range userPages(t) {
		for i, line := range strings.Split(docPage(t, path), "\n") {
			line = markdownLink.ReplaceAllString(line, "]")
			if m := historyWords.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is change history; it belongs in CHANGELOG.md", path, i+1, m)
			}
			if m := issueNumber.FindString(line); m != "" {
				t.Errorf("%s:%d: %q names an issue; say what is, and keep the history in CHANGELOG.md", path, i+1, strings.TrimSpace(m))
			}
		}
	}
}

// TestDocPagesOpenWithTheirTask: each page of docs/ opens with the task it
// serves (its first paragraph after the title) and a command (a fenced
// block) before its first section.
func TestDocPagesOpenWithTheirTask(t *testing.T) {
	for _, path := range userPages(t)[1:] {
		page := docPage(t, path)
		if !strings.HasPrefix(page, "# ") {
			t.Errorf("%s: does not open with its title", path)
			continue
		}
		intro := page
		if i := strings.Index(page, "\n## "); i > 0 {
			intro = page[:i]
		}
		if !strings.Contains(intro, "\n```") {
			t.Errorf("%s: no command before its first section", path)
		}
	}
}

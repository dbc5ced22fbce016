package review

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/project-1/project-1/internal/cost"
)

var sectionTitles = []struct{ section, title string }{
	{Reachability, "reachability"},
	{Replacement, "replacements and deletions"},
	{Policy, "policy: protections, availability, retention"},
	{Widening, "widening: IAM statements and security-group rules"},
}

// section is one titled section of a stage's report and its findings.
type section struct {
	title    string
	findings []Finding
}

// sections are the stage's findings grouped by section, in sectionTitles
// order, leaving out the sections without a finding.
func (s StageReport) sections() []section {
	var out []section
	for _, sec := range sectionTitles {
		var fs []Finding
		for _, f := range s.Findings {
			if f.Section == sec.section {
				fs = append(fs, f)
			}
		}
		if len(fs) > 0 {
			out = append(out, section{sec.title, fs})
		}
	}
	return out
}

// stageLabel names a stage in a report.
func stageLabel(s StageReport) string {
	name := "stage " + s.Name
	if s.Name == "" {
		name = "the top level"
	}
	if s.Production {
		name += " (production)"
	}
	return name
}

// mark is how a finding is flagged: what the reviewer must do about it.
func (f Finding) mark() string {
	switch {
	case f.Allowed != "":
		return "ALLOWED"
	case f.Decision:
		return "DECISION"
	}
	return "look"
}

// line is a finding on one line, without its mark.
func (f Finding) line() string {
	if f.Section == Reachability {
		return f.Message
	}
	subject := f.Stack
	if f.LogicalID != "" {
		subject += "/" + f.LogicalID
	}
	if f.Type != "" {
		subject += " (" + f.Type + ")"
	}
	if f.Stateful {
		subject += " STATEFUL"
	}
	what := f.Kind
	if f.Section == Widening {
		what = ""
	}
	if what != "" {
		what += ": "
	}
	return subject + ": " + what + f.Message
}

// sublines are what a finding shows under its line: the rules of a flow,
// the grants of a widening, the allow entry that covers it or the key one
// would name.
func (f Finding) sublines() []string {
	var out []string
	for _, r := range f.Rules {
		res := ""
		if r.Resource != "" {
			res = " " + r.Resource
		}
		out = append(out, fmt.Sprintf("%s: %s%s: %s", r.Change, r.Code, res, r.Message))
	}
	out = append(out, f.Details...)
	switch {
	case f.Allowed != "":
		out = append(out, "allowed by "+f.AllowKey+": "+f.Allowed)
	case f.Decision && f.AllowKey != "":
		out = append(out, "if intended, allow it: "+f.AllowKey+" <reason>")
	}
	return out
}

// WriteText writes r for a terminal or a build log: each stage with its
// findings by section, then the summary line.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "review %s -> %s\n", r.Base, r.Head)
	for _, n := range r.Notes {
		fmt.Fprintf(b, "note: %s\n", n)
	}
	for _, s := range r.Stages {
		fmt.Fprintf(b, "\n%s: %s\n", stageLabel(s), s.Status)
		for _, sec := range s.sections() {
			fmt.Fprintf(b, "  %s\n", sec.title)
			for _, f := range sec.findings {
				fmt.Fprintf(b, "    %-9s %s\n", f.mark(), f.line())
				for _, l := range f.sublines() {
					fmt.Fprintf(b, "      - %s\n", l)
				}
			}
		}
		if len(s.OtherChanges) > 0 {
			fmt.Fprintf(b, "  other changes, nothing to decide:\n")
			for _, c := range s.OtherChanges {
				fmt.Fprintf(b, "    %s\n", c)
			}
		}
		if s.Cost != nil {
			fmt.Fprintf(b, "  cost, fixed a month, nothing to decide: %s\n", costSummary(s.Cost))
			for _, l := range s.Cost.Lines {
				fmt.Fprintf(b, "    %s\n", l)
			}
		}
	}
	fmt.Fprintf(b, "\n%s\n", r.Summary)
	return b.Flush()
}

// WriteMarkdown writes r for a pull-request comment: the summary line first,
// a table of stages, then each stage's details folded in a <details> block.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	icon := ":white_check_mark:"
	if r.Decisions > 0 {
		icon = ":x:"
	}
	fmt.Fprintf(b, "%s **Review: %s**\n\n", icon, mdEscape(r.Summary))
	fmt.Fprintf(b, "`%s` → `%s`\n\n", r.Base, r.Head)
	for _, n := range r.Notes {
		fmt.Fprintf(b, "> note: %s\n\n", mdEscape(n))
	}
	fmt.Fprintf(b, "| stage | status | decisions | to look at | other changes | fixed cost a month |\n|---|---|---|---|---|---|\n")
	for _, s := range r.Stages {
		d, a, n := s.counts()
		dec := fmt.Sprint(d)
		if a > 0 {
			dec += fmt.Sprintf(" (+%d allowed)", a)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d | %d | %s |\n", mdEscape(stageLabel(s)), s.Status, dec, n, len(s.OtherChanges), costSummary(s.Cost))
	}
	for _, s := range r.Stages {
		if len(s.Findings) == 0 && len(s.OtherChanges) == 0 && (s.Cost == nil || len(s.Cost.Lines) == 0) {
			continue
		}
		d, a, n := s.counts()
		fmt.Fprintf(b, "\n<details><summary>%s: %s, %d %s, %d allowed, %d to look at</summary>\n\n",
			htmlEscape(stageLabel(s)), s.Status, d, plural(d, "decision", "decisions"), a, n)
		for _, sec := range s.sections() {
			fmt.Fprintf(b, "**%s**\n\n", sec.title)
			for _, f := range sec.findings {
				fmt.Fprintf(b, "- **%s** %s\n", f.mark(), mdEscape(f.line()))
				for _, l := range f.sublines() {
					fmt.Fprintf(b, "  - %s\n", mdEscape(l))
				}
			}
			fmt.Fprintln(b)
		}
		if len(s.OtherChanges) > 0 {
			fmt.Fprintf(b, "**other changes, nothing to decide**\n\n")
			for _, c := range s.OtherChanges {
				fmt.Fprintf(b, "- %s\n", mdEscape(c))
			}
			fmt.Fprintln(b)
		}
		if s.Cost != nil && len(s.Cost.Lines) > 0 {
			fmt.Fprintf(b, "**cost, fixed a month: %s**\n\n", mdEscape(costSummary(s.Cost)))
			for _, l := range s.Cost.Lines {
				fmt.Fprintf(b, "- %s\n", mdEscape(l))
			}
			fmt.Fprintln(b)
		}
		fmt.Fprintf(b, "</details>\n")
	}
	return b.Flush()
}

// counts are a stage's findings that need a decision, are allowed, or are
// to look at.
func (s StageReport) counts() (decisions, allowed, notices int) {
	for _, f := range s.Findings {
		switch {
		case f.Allowed != "":
			allowed++
		case f.Decision:
			decisions++
		default:
			notices++
		}
	}
	return
}

// mdEscape keeps text literal in Markdown: it escapes what would start
// emphasis, code, links, tables or HTML.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "|", `\|`, "<", "&lt;", "&", "&amp;").Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// WriteJSON writes r as indented JSON, with the field names of the package
// documentation.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(r)
}

// costSummary is a stage's cost change on one line: "$107.15 -> $70.65
// (-$36.50)", with how many items neither side prices.
func costSummary(d *cost.Delta) string {
	if d == nil {
		return "not priced (see the notes)"
	}
	out := cost.Money(d.Base) + " -> " + cost.Money(d.Head)
	if d.Change == 0 {
		out += " (unchanged)"
	} else {
		sign := ""
		if d.Change > 0 {
			sign = "+"
		}
		out += " (" + sign + cost.Money(d.Change) + ")"
	}
	if d.BaseNotPriced+d.HeadNotPriced > 0 {
		out += fmt.Sprintf("; not priced: %d items in BASE, %d in HEAD", d.BaseNotPriced, d.HeadNotPriced)
	}
	return out
}

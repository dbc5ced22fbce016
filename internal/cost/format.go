package cost

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Report is what cmd/cost prints: every stage's monthly cost, with the
// assumptions of its usage-based lines.
type Report struct {
	Dir         string      `json:"dir"`
	TableDate   string      `json:"tableDate"`
	Hours       int         `json:"hoursPerMonth"`
	Assumptions Assumptions `json:"assumptions"`
	Stages      []Stage     `json:"stages"`
}

// Money formats a dollar figure: "$32.85", "-$3.65".
func Money(x float64) string {
	x = cents(x)
	if x < 0 {
		return fmt.Sprintf("-$%.2f", -x)
	}
	return fmt.Sprintf("$%.2f", x)
}

func unitPrice(l Line) string {
	return fmt.Sprintf("$%s/%s", strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", l.UnitUSD), "0"), "."), strings.TrimPrefix(l.Per, "730 "))
}

func mark(basis string) string {
	if basis == Secondary {
		return "*"
	}
	return ""
}

// Label names a stage in a report.
func Label(name string) string {
	if name == "" {
		return "the top level"
	}
	return "stage " + name
}

func (s Stage) fixedNotPriced() (fixed, usage []NotPriced) {
	for _, n := range s.NotPriced {
		if n.Usage {
			usage = append(usage, n)
		} else {
			fixed = append(fixed, n)
		}
	}
	return
}

// WriteText writes r for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "cost of %s, a month of %d hours, at the prices of internal/cost/prices.go (read %s)\n", r.Dir, r.Hours, r.TableDate)
	fmt.Fprintf(b, "* a price read on a secondary page, AWS's own rendering none here (see docs/cost.md)\n")
	for _, s := range r.Stages {
		fixedNP, usageNP := s.fixedNotPriced()
		fmt.Fprintf(b, "\n%s (%s): %s a month fixed, %d not priced; %s usage-based at the assumptions\n",
			Label(s.Name), s.Region, Money(s.FixedTotal), len(fixedNP), Money(s.UsageTotal))
		fmt.Fprintf(b, "  fixed (runs whether or not anyone uses it)\n")
		for _, l := range s.Fixed {
			fmt.Fprintf(b, "    %-10s %g × %s × %s%s  %s/%s  %s\n", Money(l.Monthly), l.Count, l.Kind, unitPrice(l), mark(l.Basis), l.Stack, l.LogicalID, l.Note)
		}
		for _, n := range fixedNP {
			fmt.Fprintf(b, "    %-10s %g × %s  %s/%s: %s\n", "not priced", n.Count, n.Kind, n.Stack, n.LogicalID, n.Reason)
		}
		fmt.Fprintf(b, "  usage-based (a unit price, and the figure at the assumption)\n")
		for _, l := range s.Usage {
			fmt.Fprintf(b, "    %-10s %s at %s%s (%s)  %s/%s\n", Money(l.Monthly), l.Kind, unitPrice(l), mark(l.Basis), l.Assumption, l.Stack, l.LogicalID)
		}
		for _, n := range usageNP {
			fmt.Fprintf(b, "    %-10s %s  %s/%s: %s\n", "not priced", n.Kind, n.Stack, n.LogicalID, n.Reason)
		}
		fmt.Fprintf(b, "  free\n")
		for _, f := range s.Free {
			fmt.Fprintf(b, "    %d × %s: %s\n", f.Count, f.Type, f.Reason)
		}
	}
	return b.Flush()
}

// WriteMarkdown writes r as Markdown tables, one per stage.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "**Monthly cost of `%s`** (%d hours; prices of internal/cost/prices.go, read %s; * a price from a secondary page)\n",
		r.Dir, r.Hours, r.TableDate)
	for _, s := range r.Stages {
		fixedNP, usageNP := s.fixedNotPriced()
		fmt.Fprintf(b, "\n### %s (%s): %s fixed, %d not priced, %s usage-based\n\n", Label(s.Name), s.Region, Money(s.FixedTotal), len(fixedNP), Money(s.UsageTotal))
		fmt.Fprintf(b, "| resource | billed | quantity | unit price | monthly |\n|---|---|---|---|---|\n")
		for _, l := range s.Fixed {
			fmt.Fprintf(b, "| %s/%s | %s | %g | %s%s | %s |\n", l.Stack, l.LogicalID, l.Kind, l.Count, unitPrice(l), mark(l.Basis), Money(l.Monthly))
		}
		for _, n := range fixedNP {
			fmt.Fprintf(b, "| %s/%s | %s | %g | not priced: %s | |\n", n.Stack, n.LogicalID, n.Kind, n.Count, n.Reason)
		}
		fmt.Fprintf(b, "\n| resource | usage-based | assumption | unit price | monthly |\n|---|---|---|---|---|\n")
		for _, l := range s.Usage {
			fmt.Fprintf(b, "| %s/%s | %s | %s | %s%s | %s |\n", l.Stack, l.LogicalID, l.Kind, l.Assumption, unitPrice(l), mark(l.Basis), Money(l.Monthly))
		}
		for _, n := range usageNP {
			fmt.Fprintf(b, "| %s/%s | %s | | not priced: %s | |\n", n.Stack, n.LogicalID, n.Kind, n.Reason)
		}
	}
	return b.Flush()
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(r)
}

// ReadmeLines is the README's line per environment: its fixed monthly cost
// and what is not priced, one Markdown table row per stage.
func ReadmeLines(stages []Stage) string {
	var b strings.Builder
	b.WriteString("| environment | region | fixed a month | not priced |\n|---|---|---|---|\n")
	for _, s := range stages {
		fixedNP, _ := s.fixedNotPriced()
		var kinds []string
		seen := map[string]bool{}
		for _, n := range fixedNP {
			if !seen[n.Kind] {
				seen[n.Kind] = true
				kinds = append(kinds, n.Kind)
			}
		}
		np := "nothing"
		if len(kinds) > 0 {
			np = strings.Join(kinds, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Name, s.Region, Money(s.FixedTotal), np)
	}
	return b.String()
}

package cost

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Delta is the change of a stage's fixed monthly cost from BASE to HEAD.
type Delta struct {
	Region string  `json:"region"`
	Base   float64 `json:"base"`   // BASE's fixed total; 0 for a new stage
	Head   float64 `json:"head"`   // HEAD's fixed total; 0 for a removed stage
	Change float64 `json:"change"` // Head - Base
	// Lines are the changes, one per kind of billed item, as "+1 NAT
	// gateway: +$32.85"; a kind the table does not price reads "+2 EC2
	// instance c7g.large: not priced".
	Lines []string `json:"lines"`
	// NotPriced counts, per side, the fixed items the table does not price:
	// Change leaves them out.
	BaseNotPriced int `json:"baseNotPriced"`
	HeadNotPriced int `json:"headNotPriced"`
}

type tally struct {
	count, monthly float64
	notPriced      bool
}

func tallies(s *Stage) map[string]*tally {
	out := map[string]*tally{}
	if s == nil {
		return out
	}
	get := func(k string) *tally {
		if out[k] == nil {
			out[k] = &tally{}
		}
		return out[k]
	}
	for _, l := range s.Fixed {
		t := get(l.Kind)
		t.count += l.Count
		t.monthly += l.Monthly
	}
	for _, n := range s.NotPriced {
		if !n.Usage {
			t := get(n.Kind)
			t.count += n.Count
			t.notPriced = true
		}
	}
	return out
}

// Compare is the change of the fixed monthly cost from base to head, either
// of which may be nil (a stage added or removed).
func Compare(base, head *Stage) Delta {
	d := Delta{Lines: []string{}}
	for _, s := range []*Stage{base, head} {
		if s != nil {
			d.Region = s.Region
		}
	}
	if base != nil {
		d.Base = base.FixedTotal
		f, _ := base.fixedNotPriced()
		d.BaseNotPriced = len(f)
	}
	if head != nil {
		d.Head = head.FixedTotal
		f, _ := head.fixedNotPriced()
		d.HeadNotPriced = len(f)
	}
	d.Change = cents(d.Head - d.Base)
	b, h := tallies(base), tallies(head)
	kinds := map[string]bool{}
	for k := range b {
		kinds[k] = true
	}
	for k := range h {
		kinds[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		bt, ht := b[k], h[k]
		if bt == nil {
			bt = &tally{}
		}
		if ht == nil {
			ht = &tally{}
		}
		dc, dm := ht.count-bt.count, cents(ht.monthly-bt.monthly)
		if dc == 0 && dm == 0 {
			continue
		}
		what := Money(dm)
		if dm >= 0 {
			what = "+" + what
		}
		if bt.notPriced || ht.notPriced {
			what = "not priced"
		}
		d.Lines = append(d.Lines, fmt.Sprintf("%+g %s: %s", dc, plural(k, dc), what))
	}
	return d
}

// plural is kind for a count of n: "NAT gateway", "NAT gateways", "EC2
// instances c7g.large" stays readable as "EC2 instance c7g.large" for one.
func plural(kind string, n float64) string {
	if math.Abs(n) == 1 || strings.Contains(kind, " GB") {
		return kind
	}
	head, tail, found := strings.Cut(kind, " (")
	words := strings.Fields(head)
	for i, w := range words {
		if w == "instance" || w == "address" || w == "gateway" || w == "key" || w == "secret" || w == "metric" || w == "dashboard" || w == "Balancer" {
			if strings.HasSuffix(w, "s") {
				words[i] = w + "es"
			} else {
				words[i] = w + "s"
			}
			break
		}
	}
	out := strings.Join(words, " ")
	if found {
		out += " (" + tail
	}
	return out
}

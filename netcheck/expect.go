package netcheck

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Expectation is one row of an expected reachability table.
type Expectation struct {
	From, To Endpoint
	Port     int
	Allowed  bool
	Line     int // 1-based line of the expectations file; 0 when built in code
}

// Met reports whether r agrees with x: an allowed flow must be open on every
// path, a blocked flow on none. A partial, intermittent or unknown verdict
// meets neither.
func (x Expectation) Met(r Result) bool {
	if x.Allowed {
		return r.Verdict == VerdictAllow
	}
	return r.Verdict == VerdictBlock
}

// Verdict is the verdict x expects.
func (x Expectation) Verdict() Verdict {
	if x.Allowed {
		return VerdictAllow
	}
	return VerdictBlock
}

// String is the expectation as a line of the expected table, e.g.
// "internet -> alb 80 allow".
func (x Expectation) String() string {
	return fmt.Sprintf("%s -> %s %d %s", x.From, x.To, x.Port, x.Verdict())
}

// ParseExpectations reads an expected reachability table, one flow per line:
//
//	# comment
//	internet -> alb 80,443 allow
//	internet -> web 22 block   # a trailing comment
//
// A line lists a source, "->", a destination, one TCP port or a
// comma-separated list of them, and allow or block (allowed, blocked and
// deny are accepted). A list yields one Expectation per port.
func ParseExpectations(r io.Reader) ([]Expectation, error) {
	var out []Expectation
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		fail := func(format string, args ...any) ([]Expectation, error) {
			return nil, fmt.Errorf("line %d: %s: %q", n, fmt.Sprintf(format, args...), strings.TrimSpace(line))
		}
		if len(f) != 5 || f[1] != "->" {
			return fail("want FROM -> TO PORTS allow|block")
		}
		from, err := ParseEndpoint(f[0])
		if err != nil {
			return fail("%v", err)
		}
		to, err := ParseEndpoint(f[2])
		if err != nil {
			return fail("%v", err)
		}
		var allowed bool
		switch strings.ToLower(f[4]) {
		case "allow", "allowed":
			allowed = true
		case "block", "blocked", "deny":
		default:
			return fail("want allow or block, not %q", f[4])
		}
		for _, p := range strings.Split(f[3], ",") {
			port, err := strconv.Atoi(p)
			if err != nil || port < 1 || port > 65535 {
				return fail("bad port %q", p)
			}
			out = append(out, Expectation{From: from, To: to, Port: port, Allowed: allowed, Line: n})
		}
	}
	return out, sc.Err()
}

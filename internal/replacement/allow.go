package replacement

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Blocking reports whether c must stop a change: a stateful resource deleted,
// replaced, retyped or unprotected. A property that only may replace it
// (MaybeReplaced, decided by its old and new values) is shown, not blocking.
func (c Change) Blocking() bool { return c.Stateful && c.Kind != MaybeReplaced }

// AllowList is the intended replacements: "STACK/LOGICALID" to the reason.
type AllowList map[string]string

// ParseAllowList reads lines "STACK/LOGICALID reason", where the reason says
// why losing that resource is intended; '#' starts a comment line.
func ParseAllowList(r io.Reader) (AllowList, error) {
	out := AllowList{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, " ")
		reason = strings.TrimSpace(reason)
		if !strings.Contains(key, "/") || len(reason) < 20 {
			return nil, fmt.Errorf("line %d: %q: want STACK/LOGICALID and a reason of a sentence", n, line)
		}
		out[key] = reason
	}
	return out, sc.Err()
}

// Allows reports whether the list names c's resource.
func (a AllowList) Allows(c Change) bool { _, ok := a[c.Stack+"/"+c.LogicalID]; return ok }

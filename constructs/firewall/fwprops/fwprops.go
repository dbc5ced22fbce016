// Package fwprops holds the web application firewall's values with no CDK
// import, so that configuration can check them. package firewall re-exports
// them; the web tier's settings hold them (webprops.Settings.Firewall).
package fwprops

import "github.com/project-1/project-1/internal/validate"

// MinRateLimit and MaxRateLimit bound a rate-based rule's limit, in requests
// per five minutes (AWS WAF Developer Guide, rate-based rule high-level
// settings: "The lowest limit setting allowed is 10").
const (
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
)

// Settings are the firewall's values. The zero value is no firewall.
type Settings struct {
	// RateLimit is how many requests one IP address may send in five minutes
	// before the rate-based rule blocks the rest, MinRateLimit to
	// MaxRateLimit. Zero value 0: no web ACL at all.
	RateLimit int
	// LogRetentionDays of the web ACL's log group, a value CloudWatch Logs
	// accepts. Required with a RateLimit.
	LogRetentionDays int
}

// On reports whether the settings ask for a web ACL.
func (s *Settings) On() bool { return s.RateLimit != 0 }

// DefaultSettings are the project's firewall: at most 2000 requests per IP
// address in five minutes, logs kept a year (Control Tower's
// CT.CLOUDWATCH.PR.2 asks a year of every log group).
func DefaultSettings() Settings { return Settings{RateLimit: 2000, LogRetentionDays: 365} }

// ValidateAs reports every problem of the settings, one line each, every
// field named with prefix before it (e.g. "Web.Firewall.").
func (s *Settings) ValidateAs(prefix string) error {
	var problems validate.Problems
	if !s.On() {
		if s.LogRetentionDays != 0 {
			problems.Add("%sLogRetentionDays %d: there is no firewall without a %sRateLimit", prefix, s.LogRetentionDays, prefix)
		}
		return problems.Err()
	}
	if s.RateLimit < MinRateLimit || s.RateLimit > MaxRateLimit {
		problems.Add("%sRateLimit %d: must be 0 (no firewall) or from %d to %d requests per five minutes", prefix, s.RateLimit, MinRateLimit, MaxRateLimit)
	}
	if err := validate.Retention(s.LogRetentionDays); err != nil {
		problems.Add("%sLogRetentionDays: %v", prefix, err)
	}
	return problems.Err()
}

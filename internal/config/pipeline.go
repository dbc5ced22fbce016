package config

import (
	"regexp"

	"github.com/project-1/project-1/internal/appcontext"
	"github.com/project-1/project-1/internal/validate"
)

// PipelineConfig is where the delivery pipeline runs and what it watches.
// PipelineFromContext fills it from the context keys named in each field's
// comment (set them in cdk.json, so the pipeline's own synthesis sees them
// too); constructs never read them.
type PipelineConfig struct {
	ConnectionArn string // pipeline:connectionArn, a CodeStar/CodeConnections connection to the repository host
	Repository    string // pipeline:repository, "owner/name"
	Branch        string // pipeline:branch
	Account       string // pipeline:account, the 12-digit account the pipeline runs in
	Region        string // pipeline:region
	// AlarmEmail is the context key alarmEmail the pipeline was synthesized
	// with, optional: the pipeline's own synthesis passes it on, so prod keeps
	// its subscriber (and validates) there too.
	AlarmEmail string
}

// PipelineFromContext is the pipeline's configuration from the parsed
// context: the pipeline:* settings and alarmEmail. main and cmd/preflight
// both read it here.
func PipelineFromContext(c appcontext.Context) PipelineConfig {
	return PipelineConfig{
		ConnectionArn: c.Settings["connectionArn"],
		Repository:    c.Settings["repository"],
		Branch:        c.Settings["branch"],
		Account:       c.Settings["account"],
		Region:        c.Settings["region"],
		AlarmEmail:    c.AlarmEmail,
	}
}

// PipelineStages are the environments the pipeline deploys, in order. Each
// after the first waits for a manual approval.
var PipelineStages = []string{"dev", "prod"}

var (
	connectionPattern = regexp.MustCompile(`^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]{36}$`)
	repositoryPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	branchPattern     = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
)

// Validate reports every problem of the pipeline settings, naming the context
// key and the value.
func (c *PipelineConfig) Validate() error {
	var problems validate.Problems
	if !connectionPattern.MatchString(c.ConnectionArn) {
		problems.Add("pipeline:connectionArn %q is not a CodeStar connection ARN (arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID); create one in the console and set it in cdk.json", c.ConnectionArn)
	}
	if !repositoryPattern.MatchString(c.Repository) {
		problems.Add("pipeline:repository %q is not owner/name", c.Repository)
	}
	if !branchPattern.MatchString(c.Branch) {
		problems.Add("pipeline:branch %q is not a branch name", c.Branch)
	}
	if !accountPattern.MatchString(c.Account) {
		problems.Add("pipeline:account %q is not a 12-digit AWS account ID", c.Account)
	}
	if err := validate.Region(c.Region); err != nil {
		problems.Add("pipeline:region %v", err)
	}
	return problems.Err()
}

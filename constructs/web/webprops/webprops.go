// Package webprops holds what configuration and the commands (cmd/preflight,
// cmd/image) read of the web tier, with no CDK import. package web
// re-exports it.
package webprops

import (
	"github.com/project-1/project-1/constructs/firewall/fwprops"
	"github.com/project-1/project-1/internal/validate"
)

// Settings are the web tier's values: the servers, how many, the image,
// HTTPS and the load balancer's protection. Every field is required unless
// its comment says otherwise.
type Settings struct {
	// InstanceType of the servers, e.g. "c7g.medium". Its processor
	// architecture picks the Amazon Linux 2023 image: arm64 for Graviton
	// types (a "g" after the generation: t4g, c7g, ...), else x86_64.
	InstanceType string
	// AlternateInstanceType, optional: a second type interchangeable with
	// InstanceType (same size, same processor architecture, e.g. t3a.micro
	// beside t3.micro, m7g.medium beside c7g.medium). With it, the group
	// launches from a mixed-instances policy that tries InstanceType first and
	// falls back on this one when a zone has no capacity for it; all on
	// demand. Default empty: one type.
	AlternateInstanceType string
	// Instances is how many servers run; 2 puts one in each of two zones. A
	// rolling update replaces one at a time and keeps Instances in service.
	Instances int
	// MaxInstances caps the group; it must exceed Instances, because a
	// rolling update keeps Instances in service and starts the new server
	// beside them.
	MaxInstances int
	// CertificateArn, optional: an ACM certificate of the stack's region.
	// With it, the load balancer serves HTTPS on 443 (TLS 1.2/1.3) and
	// redirects HTTP 80 to it; empty, it serves plain HTTP on 80
	// (docs/compliance.md, Deliberate deviations).
	CertificateArn string
	// ImageId, optional: the image (AMI) the servers boot, pinned: "ami-" and
	// 8 or 17 hexadecimal digits, an image of InstanceType's architecture in
	// the stack's region. A new value replaces every server, one at a time
	// (the rolling update). Default empty: the newest Amazon Linux 2023
	// image, read from ImageParameter(InstanceType) at every deploy, so any
	// deploy after AWS publishes a new image replaces every server. The app
	// pins it with go run ./cmd/image -write (internal/config/images.go).
	ImageId string
	// DeletionProtection of the load balancer.
	DeletionProtection bool
	// Firewall, optional: an AWS WAF web ACL in front of the load balancer
	// (firewall.NewWebAcl), with the AWS managed rule groups and a per-IP
	// rate limit. Zero value: none.
	Firewall fwprops.Settings
}

// DefaultSettings are the project's web tier: two Graviton servers, one per
// zone, with a second interchangeable type (both with Nitro encryption in
// transit, which Control Tower's CT.AUTOSCALING.PR.11 asks of a
// mixed-instances group; t3/t3a lack it), room for a rolling update, plain
// HTTP (no certificate), the newest image, a deletion-protected load
// balancer, and a web application firewall in front of it.
func DefaultSettings() Settings {
	return Settings{
		InstanceType:          "c7g.medium",
		AlternateInstanceType: "m7g.medium",
		Instances:             2,
		MaxInstances:          4,
		DeletionProtection:    true,
		Firewall:              fwprops.DefaultSettings(),
	}
}

// ValidateAs reports every problem of the settings, one line each, each
// field named with prefix before it (e.g. "Web."). A certificate is checked
// against region when region is not empty.
func (s *Settings) ValidateAs(prefix, region string) error {
	var problems validate.Problems
	if err := validate.InstanceType(s.InstanceType); err != nil {
		problems.Add("%sInstanceType %v", prefix, err)
	}
	if s.AlternateInstanceType != "" {
		if err := validate.Interchangeable(s.AlternateInstanceType, s.InstanceType); err != nil {
			problems.Add("%sAlternateInstanceType %v", prefix, err)
		}
	}
	if s.ImageId != "" {
		if err := validate.ImageId(s.ImageId); err != nil {
			problems.Add("%sImageId %v", prefix, err)
		}
	}
	if s.Instances < 1 {
		problems.Add("%sInstances %d: must be 1 or more", prefix, s.Instances)
	}
	if s.MaxInstances <= s.Instances {
		problems.Add("%sMaxInstances %d: must be above %sInstances (%d): a rolling update keeps %sInstances in service and starts the new server beside them",
			prefix, s.MaxInstances, prefix, s.Instances, prefix)
	}
	if s.CertificateArn != "" {
		if err := validate.CertificateArn(s.CertificateArn, region); err != nil {
			problems.Add("%sCertificateArn %v", prefix, err)
		}
	}
	problems.AddAll(s.Firewall.ValidateAs(prefix + "Firewall."))
	return problems.Err()
}

// ImageParameter is the public SSM parameter that holds the newest Amazon
// Linux 2023 image for instanceType's processor architecture (arm64 for
// Graviton types, else x86_64): the one the servers boot when
// web.Props.ImageId is empty, read at every deploy, and the one to read when
// pinning it.
func ImageParameter(instanceType string) string {
	arch := "x86_64"
	if validate.Arm64(instanceType) {
		arch = "arm64"
	}
	return "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-" + arch
}

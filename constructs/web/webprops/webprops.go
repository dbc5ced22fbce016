// Package webprops holds what configuration and the commands (cmd/preflight,
// cmd/image) read of the web tier, with no CDK import. package web
// re-exports it.
package webprops

import "github.com/project-1/project-1/internal/validate"

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

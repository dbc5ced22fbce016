// Package stacks composes project-1's constructs into one awscdk.Stage per
// environment of internal/config (network, data and app stacks), builds the
// delivery pipeline, and synthesizes with cdk-nag's checks.
package stacks

// Package kernelcache keeps synthesis working where the jsii kernel's package
// cache cannot live in the home directory.
//
// The jsii kernel (the Node.js process behind every Go CDK call) extracts
// aws-cdk-lib, constructs and cdk-nag into a package cache once, about 220 MB,
// and loads them from there on every later run. By default the cache is
// $HOME/.cache/aws/jsii/package-cache. When that cannot be created (a
// read-only home, as in some CI sandboxes, or HOME set to a file), the kernel
// fails on its first call with "Cannot use the jsii package cache". Prepare
// moves the cache to a private directory under the system's temporary
// directory instead, or turns it off when even that is not possible.
package kernelcache

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Environment variables the jsii kernel reads.
const (
	rootVar  = "JSII_RUNTIME_PACKAGE_CACHE_ROOT"
	cacheVar = "JSII_RUNTIME_PACKAGE_CACHE"
)

// Prepare sets the kernel's cache variables in this process's environment
// when the default cache is unusable. It leaves them alone when the user set
// either one. It returns what it did, "" when nothing.
//
// The kernel has started by then: jsii-runtime-go starts it while Go packages
// initialize, with the environment of that moment. A program whose Prepare
// returns something must run again (Rerun) for the kernel to see the change.
func Prepare() string {
	if os.Getenv(rootVar) != "" || os.Getenv(cacheVar) != "" {
		return ""
	}
	home, err := os.UserHomeDir()
	if err != nil || !filepath.IsAbs(home) {
		return "" // the kernel itself falls back to the temporary directory
	}
	if writable(filepath.Join(home, ".cache", "aws", "jsii", "package-cache")) {
		return ""
	}
	fallback := filepath.Join(os.TempDir(), fmt.Sprintf("aws-jsii-package-cache-%d", os.Getuid()))
	if private(fallback) {
		os.Setenv(rootVar, fallback)
		return fmt.Sprintf("the jsii package cache cannot be created under %s; using %s", home, fallback)
	}
	os.Setenv(cacheVar, "disabled")
	return fmt.Sprintf("the jsii package cache cannot be created under %s or %s; running without it (slower)", home, fallback)
}

// writable reports whether dir exists or can be created, and a file can be
// created in it.
func writable(dir string) bool {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// private reports whether dir is, or was just made, a directory that only
// this user can write: the kernel trusts what it finds in its cache.
func private(dir string) bool {
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return false
	}
	info, err := os.Lstat(dir)
	if err != nil || !info.IsDir() || info.Mode().Perm()&0o022 != 0 {
		return false
	}
	return owned(info) && writable(dir)
}

// Rerun runs this program again with the same arguments, standard streams and
// the current environment, and returns its exit code.
func Rerun() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kernelcache: rerun:", err)
		return 1
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "kernelcache: rerun:", err)
		return 1
	}
	return 0
}

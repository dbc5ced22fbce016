//go:build unix

package kernelcache

import (
	"os"
	"syscall"
)

// owned reports whether info's file belongs to this process's user.
func owned(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

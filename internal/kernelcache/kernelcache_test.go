package kernelcache

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestPrepare(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, tc := range []struct {
		name     string
		home     string
		preset   map[string]string
		wantRoot string // "" when unset
		wantOff  bool
	}{
		{name: "a usable home: nothing to do", home: t.TempDir()},
		{name: "home is a file: the temporary directory", home: "/dev/null",
			wantRoot: filepath.Join(tmp, "aws-jsii-package-cache-"+itoa(os.Getuid()))},
		{name: "the user's own choice stands", home: "/dev/null", preset: map[string]string{rootVar: "/somewhere"},
			wantRoot: "/somewhere"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", tc.home)
			t.Setenv(rootVar, "")
			t.Setenv(cacheVar, "")
			for k, v := range tc.preset {
				t.Setenv(k, v)
			}
			did := Prepare()
			if got := os.Getenv(rootVar); got != tc.wantRoot {
				t.Errorf("%s = %q, want %q (Prepare said %q)", rootVar, got, tc.wantRoot, did)
			}
			if off := os.Getenv(cacheVar) == "disabled"; off != tc.wantOff {
				t.Errorf("cache disabled %v, want %v", off, tc.wantOff)
			}
			if (did != "") != (tc.wantRoot != "" && tc.preset == nil) {
				t.Errorf("Prepare said %q", did)
			}
		})
	}
}

// A fallback directory that others can write is not trusted: the cache goes off.
func TestPrepareRefusesASharedFallback(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("HOME", "/dev/null")
	t.Setenv(rootVar, "")
	t.Setenv(cacheVar, "")
	shared := filepath.Join(tmp, "aws-jsii-package-cache-"+itoa(os.Getuid()))
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(shared, 0o777)
	did := Prepare()
	if os.Getenv(rootVar) != "" || os.Getenv(cacheVar) != "disabled" || !strings.Contains(did, "without it") {
		t.Errorf("root %q, cache %q, said %q; want the cache off", os.Getenv(rootVar), os.Getenv(cacheVar), did)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

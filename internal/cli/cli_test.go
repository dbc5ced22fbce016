package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		args       []string
		code       int
		done       bool
		wantStderr string
	}{
		{nil, OK, false, ""},
		{[]string{"-v"}, OK, false, ""},
		{[]string{"-h"}, OK, true, "usage: check [-v] DIR"},
		{[]string{"-nope"}, BadInput, true, "flag provided but not defined: -nope"},
	} {
		var stderr bytes.Buffer
		fs := NewFlagSet("check", "[-v] DIR", &stderr)
		fs.Bool("v", false, "verbose")
		code, done := Parse(fs, c.args)
		if code != c.code || done != c.done || !strings.Contains(stderr.String(), c.wantStderr) {
			t.Errorf("%v: code %d done %v stderr %q; want %d %v %q", c.args, code, done, stderr.String(), c.code, c.done, c.wantStderr)
		}
	}
	var stderr bytes.Buffer
	if code := Fail(&stderr, "check", "-format %q: want text", "xml"); code != BadInput || stderr.String() != "check: -format \"xml\": want text\n" {
		t.Errorf("Fail: %d %q", code, stderr.String())
	}
}

package review

import (
	"fmt"
	"io"
	"testing"

	"github.com/project-1/project-1/netcheck"
)

// benchAssemblies writes two assemblies of n stages: the golden env=all
// stages (3), cloned under new names for more, and the same with every
// stage's flow-log retention lengthened, so that every stage differs and is
// reviewed in full.
func benchAssemblies(b *testing.B, n int) (base, head string) {
	b.Helper()
	grow := func(s []netcheck.StackArtifact) []netcheck.StackArtifact {
		for i := 0; len(s)/3 < n; i++ {
			s = cloneStage(b, s, []string{"dev", "prod", "project-1"}[i%3], fmt.Sprintf("extra%02d", i))
		}
		return s
	}
	head = writeAssembly(b, func() []netcheck.StackArtifact {
		s := grow(golden(b))
		for i := range s {
			if s[i].Name == s[i].Stage+"-Network" {
				props(b, s, s[i].Name, find(b, s, s[i].Name, "AWS::Logs::LogGroup", nil))["RetentionInDays"] = 3653.0
			}
		}
		return s
	}())
	return writeAssembly(b, grow(golden(b))), head
}

// BenchmarkReview times what `go run ./cmd/review BASE HEAD` does once
// built: read both assemblies from disk, review every stage, write the text
// report; for the three stages of `cdk synth -c env=all`, then more.
func BenchmarkReview(b *testing.B) {
	opts := tableOpts(b)
	for _, n := range []int{3, 6, 12, 24} {
		base, head := benchAssemblies(b, n)
		b.Run(fmt.Sprintf("stages=%d", n), func(b *testing.B) {
			for b.Loop() {
				bi, err := Load(base)
				if err != nil {
					b.Fatal(err)
				}
				hi, err := Load(head)
				if err != nil {
					b.Fatal(err)
				}
				rep, err := Review(bi, hi, opts)
				if err != nil {
					b.Fatal(err)
				}
				if rep.ExitCode() != 0 || len(rep.Stages) != n {
					b.Fatalf("exit %d, %d stages", rep.ExitCode(), len(rep.Stages))
				}
				rep.WriteText(io.Discard)
			}
		})
	}
}

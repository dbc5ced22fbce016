// Package localserver runs a test's local server (dynalite, moto) as a child
// process that exits when its standard input closes, so it never outlives the
// test binary, even when the binary is killed.
package localserver

import (
	"fmt"
	"io"
	"os/exec"
	"time"
)

// Process is a started server.
type Process struct {
	cmd   *exec.Cmd
	stdin io.Closer
}

// Start starts cmd with a pipe to its standard input, which the server must
// watch and exit on its end. Set cmd's Stdout and Stderr (or take their
// pipes) before.
func Start(cmd *exec.Cmd) (*Process, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	return &Process{cmd: cmd, stdin: stdin}, nil
}

// Stop closes the server's standard input and waits for it to exit, killing
// it after 5 seconds. A nil Process is stopped already.
func (p *Process) Stop() {
	if p == nil {
		return
	}
	p.stdin.Close()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

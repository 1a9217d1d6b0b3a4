//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package engineio

import (
	"errors"
	"net"
)

// newProbeWatch returns nil: this platform offers no non-blocking look at
// a socket, so a poll during an upgrade is answered by polling at once.
func newProbeWatch(net.Conn) *probeWatch { return nil }

// read is never called: there is no watch here.
func (w *probeWatch) read([]byte) (int, error) { return 0, errors.ErrUnsupported }

// settled is never called: there is no watch here.
func (w *probeWatch) settled() (bool, <-chan struct{}) { return true, nil }

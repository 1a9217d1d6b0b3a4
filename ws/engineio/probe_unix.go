//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package engineio

import (
	"io"
	"net"
	"os"
	"syscall"
)

// newProbeWatch returns a watch over conn's socket, or nil when it has
// none to read directly.
func newProbeWatch(conn net.Conn) *probeWatch {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &probeWatch{rc: rc, changed: make(chan struct{})}
}

// read is the probe reader's read of its socket. The read itself and the
// note of what it found happen under mu, so settled never sees a socket
// emptied by a read whose bytes the reader has not handled yet.
func (w *probeWatch) read(p []byte) (int, error) {
	var n int
	var err error
	rerr := w.rc.Read(func(fd uintptr) bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for {
			n, err = syscall.Read(int(fd), p)
			if err != syscall.EINTR {
				break
			}
		}
		if err == syscall.EAGAIN {
			w.markIdle()
			return false // the runtime waits until the socket is readable
		}
		w.idle = false
		return true
	})
	switch {
	case rerr != nil:
		return 0, rerr
	case err != nil:
		return 0, os.NewSyscallError("read", err)
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

// markIdle records that a read found the socket empty. The caller holds mu.
func (w *probeWatch) markIdle() {
	if !w.idle {
		w.idle = true
		close(w.changed)
		w.changed = make(chan struct{})
	}
}

// settled reports whether the reader waits for bytes and none have come
// since: whatever the client sent before now was handled. When not, the
// returned channel is closed once that may have changed.
func (w *probeWatch) settled() (bool, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.idle || w.pending() {
		return false, w.changed
	}
	return true, nil
}

// pending reports whether bytes wait in the socket, unread. The caller
// holds mu.
func (w *probeWatch) pending() bool {
	var pending bool
	_ = w.rc.Control(func(fd uintptr) {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		pending = err == nil && n > 0
	})
	return pending
}

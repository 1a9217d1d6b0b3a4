package engineio

import (
	"context"
	"slices"
	"sync"
	"time"
)

// sessionContext is a session's context, done when the session ends. A
// context.WithCancel would keep, once anything was derived from it, a map
// of its children for the session's life; this one keeps what waits on it
// (package context reaches it through AfterFunc, for derived contexts too)
// in a slice that is nil whenever nothing waits, so an idle session holds
// nothing but its done channel.
type sessionContext struct {
	done chan struct{}

	mu    sync.Mutex
	next  uint64
	waits []sessionWait
}

type sessionWait struct {
	id uint64
	f  func()
}

var _ interface {
	context.Context
	AfterFunc(func()) func() bool
} = (*sessionContext)(nil)

func newSessionContext() *sessionContext {
	return &sessionContext{done: make(chan struct{})}
}

// Deadline reports none: a session ends when it ends.
func (x *sessionContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done is closed when the session ends.
func (x *sessionContext) Done() <-chan struct{} { return x.done }

// Err is context.Canceled once the session ended.
func (x *sessionContext) Err() error {
	select {
	case <-x.done:
		return context.Canceled
	default:
		return nil
	}
}

// Value carries nothing.
func (x *sessionContext) Value(any) any { return nil }

// AfterFunc arranges for f to run on a goroutine of its own once the
// session ends (at once if it has); stop undoes that if f has not started.
func (x *sessionContext) AfterFunc(f func()) (stop func() bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	select {
	case <-x.done:
		go f()
		return func() bool { return false }
	default:
	}
	x.next++
	id := x.next
	x.waits = append(x.waits, sessionWait{id, f})
	return func() bool {
		x.mu.Lock()
		defer x.mu.Unlock()
		i := slices.IndexFunc(x.waits, func(w sessionWait) bool { return w.id == id })
		if i < 0 {
			return false
		}
		x.waits = slices.Delete(x.waits, i, i+1)
		if len(x.waits) == 0 {
			x.waits = nil
		}
		return true
	}
}

// end marks the session ended and runs what waited for it.
func (x *sessionContext) end() {
	x.mu.Lock()
	close(x.done)
	waits := x.waits
	x.waits = nil
	x.mu.Unlock()
	for _, w := range waits {
		go w.f()
	}
}

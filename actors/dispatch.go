package actors

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// workers runs actor mailboxes on a few long-lived goroutines instead of a
// new goroutine each time a mailbox gets a message (protoactor's default).
// A session's mailbox is empty between most requests, so the default
// started a goroutine per request, and every fresh goroutine grew and
// copied its stack on the way down the session's code: measured, that was
// 8% of the server's CPU per command. A warm worker's stack has already
// grown.
//
// A worker that is busy (a session waiting on its journal) is not waited
// for: when none is free, the mailbox runs on a new goroutine as before,
// so no actor ever waits behind another.
type workers struct {
	work       chan func()
	done       chan struct{}
	stop       sync.Once
	throughput int
}

var _ actor.Dispatcher = (*workers)(nil)

// newWorkers starts n workers; throughput is how many messages a mailbox
// handles before it yields its goroutine, as protoactor's dispatchers do.
func newWorkers(n, throughput int) *workers {
	w := &workers{work: make(chan func()), done: make(chan struct{}), throughput: throughput}
	for range n {
		go w.loop()
	}
	return w
}

func (w *workers) loop() {
	for {
		select {
		case fn := <-w.work:
			fn()
		case <-w.done:
			return
		}
	}
}

// Schedule runs fn on a free worker, or on a new goroutine if none is
// free (or the workers have stopped).
func (w *workers) Schedule(fn func()) {
	select {
	case w.work <- fn:
	default:
		go fn()
	}
}

// Throughput implements actor.Dispatcher.
func (w *workers) Throughput() int { return w.throughput }

// close stops the workers; later mailboxes run on their own goroutines.
func (w *workers) close() { w.stop.Do(func() { close(w.done) }) }

// inline runs a mailbox on the goroutine that sent the message, when no
// other is running it: for the registry, whose every message is a short
// routing step that never waits, this saves a goroutine handoff (a wakeup
// of another thread) on every request.
type inline int

var _ actor.Dispatcher = inline(0)

// Schedule implements actor.Dispatcher.
func (inline) Schedule(fn func()) { fn() }

// Throughput implements actor.Dispatcher.
func (d inline) Throughput() int { return int(d) }

package actors

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Queue is the tests' Subscriber: a bounded channel the test reads. When it
// is full Deliver fails at once, and the session drops the subscriber
// instead of waiting for it, as it would a real client (ws's membership).
type Queue struct {
	ch   chan *Event
	done chan struct{}

	once   sync.Once
	mu     sync.Mutex
	reason string
}

var _ Subscriber = (*Queue)(nil)

// NewQueue returns a Queue that holds up to capacity undelivered events
// (at least 1).
func NewQueue(capacity int) *Queue {
	return &Queue{
		ch:   make(chan *Event, max(capacity, 1)),
		done: make(chan struct{}),
	}
}

// Deliver queues ev without blocking. It reports false when the queue is
// full or already closed.
func (q *Queue) Deliver(ev *Event) bool {
	select {
	case <-q.done:
		return false
	default:
	}
	select {
	case q.ch <- ev:
		return true
	default:
		return false
	}
}

// Closed records why the session let the queue go and closes Done. Only the
// first call counts. The event channel stays open: what was queued before
// can still be read.
func (q *Queue) Closed(reason string) {
	q.once.Do(func() {
		q.mu.Lock()
		q.reason = reason
		q.mu.Unlock()
		close(q.done)
	})
}

// C returns the channel of delivered events.
func (q *Queue) C() <-chan *Event { return q.ch }

// Done is closed when the session has let the queue go.
func (q *Queue) Done() <-chan struct{} { return q.done }

// Reason returns the reason given to Closed, or "" while the queue is open.
func (q *Queue) Reason() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.reason
}

func TestQueue(t *testing.T) {
	q := NewQueue(2)
	a, b, c := &Event{Seq: 1}, &Event{Seq: 2}, &Event{Seq: 3}
	assert.True(t, q.Deliver(a))
	assert.True(t, q.Deliver(b))
	assert.False(t, q.Deliver(c), "full: refuse at once")
	assert.Equal(t, a, <-q.C())
	assert.True(t, q.Deliver(c))
	assert.Equal(t, "", q.Reason())

	q.Closed(ReasonSlowConsumer)
	q.Closed(ReasonSessionClosed) // only the first reason counts
	<-q.Done()
	assert.Equal(t, ReasonSlowConsumer, q.Reason())
	assert.False(t, q.Deliver(&Event{Seq: 4}), "closed: refuse")
	assert.Equal(t, b, <-q.C(), "what was queued can still be read")
	assert.Equal(t, c, <-q.C())

	assert.Equal(t, 1, cap(NewQueue(0).ch), "capacity is at least 1")
}

func TestQueueConcurrentClose(t *testing.T) {
	q := NewQueue(8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() { defer wg.Done(); q.Deliver(&Event{}) }()
		go func() { defer wg.Done(); q.Closed(ReasonSessionClosed) }()
	}
	wg.Wait()
	require.Equal(t, ReasonSessionClosed, q.Reason())
}

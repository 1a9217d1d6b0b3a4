package actors

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

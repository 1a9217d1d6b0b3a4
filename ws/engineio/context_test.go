package engineio

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSessionContext: contexts derived from a session's context end with
// it, and leave nothing behind when they end first.
func TestSessionContext(t *testing.T) {
	x := newSessionContext()
	require.NoError(t, x.Err())

	early, cancelEarly := context.WithTimeout(x, time.Hour)
	cancelEarly()
	assert.ErrorIs(t, early.Err(), context.Canceled)
	assert.Nil(t, x.waits, "a derived context that ended is forgotten")

	derived, cancel := context.WithTimeout(x, time.Hour)
	defer cancel()
	ran := make(chan struct{})
	stop := context.AfterFunc(x, func() { close(ran) })
	stopped := context.AfterFunc(x, func() { t.Error("stopped, yet ran") })
	require.True(t, stopped())
	assert.Len(t, x.waits, 2)

	x.end()
	<-derived.Done()
	assert.ErrorIs(t, derived.Err(), context.Canceled)
	assert.ErrorIs(t, x.Err(), context.Canceled)
	<-ran
	assert.False(t, stop(), "already ran")

	late := make(chan struct{})
	context.AfterFunc(x, func() { close(late) })
	<-late // an ended session runs it at once
	d, cancelD := context.WithCancel(x)
	defer cancelD()
	<-d.Done()
}

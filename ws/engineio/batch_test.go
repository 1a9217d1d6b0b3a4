package engineio

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// writeRecorder is a net.Conn that records each Write it gets.
type writeRecorder struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
	fail   error
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail != nil {
		return 0, w.fail
	}
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func (w *writeRecorder) got() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
}

func TestBatchConnGathersWrites(t *testing.T) {
	rec := &writeRecorder{}
	b := &batchConn{Conn: rec}

	_, err := b.Write([]byte("handshake"))
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("handshake")}, rec.got(), "outside a batch: straight through")

	b.begin()
	for _, s := range []string{"one", "two", "three"} {
		n, err := b.Write([]byte(s))
		require.NoError(t, err)
		assert.Equal(t, len(s), n)
	}
	assert.Len(t, rec.got(), 1, "nothing leaves before the batch ends")
	require.NoError(t, b.end())
	assert.Equal(t, [][]byte{[]byte("handshake"), []byte("onetwothree")}, rec.got(), "the batch leaves in one write")

	// A batch larger than the buffer leaves in buffer-sized writes, and a
	// large write goes out as it is, in order.
	rec.writes = nil
	small := bytes.Repeat([]byte("s"), batchSize-10)
	large := bytes.Repeat([]byte("L"), batchSize)
	b.begin()
	_, _ = b.Write(small)
	_, _ = b.Write(large)
	_, _ = b.Write([]byte("tail"))
	require.NoError(t, b.end())
	assert.Equal(t, [][]byte{small, large, []byte("tail")}, rec.got())
	assert.Nil(t, b.buf, "no buffer held between batches")
}

func TestBatchConnWriteErrorEndsTheBatch(t *testing.T) {
	boom := errors.New("boom")
	rec := &writeRecorder{fail: boom}
	b := &batchConn{Conn: rec}
	b.begin()
	_, err := b.Write([]byte("kept"))
	require.NoError(t, err, "gathered, not yet written")
	assert.ErrorIs(t, b.end(), boom)

	b.begin()
	_, _ = b.Write(bytes.Repeat([]byte("x"), batchSize)) // flushes: fails
	_, err = b.Write([]byte("after"))
	assert.ErrorIs(t, err, boom, "the rest of a failed batch fails too")
	assert.ErrorIs(t, b.end(), boom)
}

// TestWebSocketWriterOnDemand: an idle WebSocket session has no writer
// goroutine; packets queued together leave as separate frames, in order,
// and the writer that wrote them ends.
func TestWebSocketWriterOnDemand(t *testing.T) {
	e := startEcho(t, slow)
	ws := eiotest.Dial(t, e.base, "")
	eiotest.ParseOpen(t, eiotest.ReadText(t, ws, false))
	c := e.conn(t)
	writing := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.writing
	}
	require.Eventually(t, func() bool { return !writing() }, eiotest.Timeout, time.Millisecond, "the writer ends once the open packet is out")

	c.mu.Lock() // queued in one step: one batch
	for _, s := range []string{"a", "bb", strings.Repeat("c", 3*batchSize)} {
		c.queue = append(c.queue, TextMessage([]byte(s)))
	}
	c.queue = append(c.queue, BinaryMessage([]byte{1, 2}))
	c.startWriter()
	c.mu.Unlock()
	assert.Equal(t, "4a", eiotest.ReadText(t, ws, false))
	assert.Equal(t, "4bb", eiotest.ReadText(t, ws, false))
	assert.Equal(t, "4"+strings.Repeat("c", 3*batchSize), eiotest.ReadText(t, ws, false))
	mt, b := eiotest.Read(t, ws)
	assert.Equal(t, websocket.BinaryMessage, mt)
	assert.Equal(t, []byte{1, 2}, b)
	require.Eventually(t, func() bool { return !writing() }, eiotest.Timeout, time.Millisecond, "and ends again")

	// The echo still works through writers started by Send.
	eiotest.Send(t, ws, "4again")
	assert.Equal(t, "4again", eiotest.ReadText(t, ws, false))
}

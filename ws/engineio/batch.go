package engineio

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// A WebSocket writes each frame to the network as it ends it: one syscall
// per event per client, which under fan-out is most of the server's CPU.
// batchConn sits under the WebSocket and lets its writer gather every frame
// queued at one moment into one write. Frame boundaries are the
// WebSocket's business and stay as they are: only when bytes leave changes.

// batchSize bounds the bytes a batch holds before they leave: a long queue
// goes out in writes of this size, not in one copy of all of it.
const batchSize = 32 << 10

// batchBufs lends batches their buffer, so an idle connection holds none.
var batchBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, batchSize)
	return &b
}}

// batchConn is the net.Conn a WebSocket writes to. Between begin and end,
// writes gather in a buffer, which leaves when full and at end; outside a
// batch (the handshake's answer, a pong or close frame the reader sends)
// they go straight through. mu orders the two, as the WebSocket's writes
// may come from its reader and its writer.
type batchConn struct {
	net.Conn

	// watch reads for the reader while the WebSocket probes an upgrade;
	// only the reader touches the field.
	watch *probeWatch

	mu       sync.Mutex
	buf      *[]byte   // during a batch only
	err      error     // the batch's write failed: the rest of it fails too
	deadline time.Time // the write deadline last set on Conn
}

// SetWriteDeadline sets the deadline of later writes. The WebSocket sets it
// before every frame, to the same instant within a batch; setting it again
// would reset a runtime timer per frame for nothing.
func (b *batchConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.Equal(b.deadline) {
		return nil
	}
	b.deadline = t
	return b.Conn.SetWriteDeadline(t)
}

// Read reads for the WebSocket's reader.
func (b *batchConn) Read(p []byte) (int, error) {
	if b.watch != nil {
		return b.watch.read(p)
	}
	return b.Conn.Read(p)
}

// Write sends p, or adds it to the batch under way.
func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return b.Conn.Write(p)
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(*b.buf)+len(p) > cap(*b.buf) {
		if err := b.flush(); err != nil {
			return 0, err
		}
		if len(p) > cap(*b.buf)/2 {
			// Large: straight out rather than copied in pieces.
			n, err := b.Conn.Write(p)
			b.err = err
			return n, err
		}
	}
	*b.buf = append(*b.buf, p...)
	return len(p), nil
}

// begin starts gathering writes.
func (b *batchConn) begin() {
	b.mu.Lock()
	b.buf, b.err = batchBufs.Get().(*[]byte), nil
	b.mu.Unlock()
}

// end sends what the batch gathered and stops gathering; it returns the
// first error of the batch's writes.
func (b *batchConn) end() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.flush()
	*b.buf = (*b.buf)[:0]
	batchBufs.Put(b.buf)
	b.buf = nil
	return err
}

// flush writes the gathered bytes. The caller holds mu, in a batch.
func (b *batchConn) flush() error {
	if b.err != nil || len(*b.buf) == 0 {
		return b.err
	}
	_, b.err = b.Conn.Write(*b.buf)
	*b.buf = (*b.buf)[:0]
	return b.err
}

// batchingHijacker is the ResponseWriter given to the WebSocket upgrader:
// its Hijack hands over the connection wrapped in a batchConn, kept in out,
// and calls hijacked with it before the handshake's answer is written.
type batchingHijacker struct {
	http.ResponseWriter
	out      **batchConn
	hijacked func(*batchConn)
}

// Hijack takes the connection over from net/http, whatever middleware
// wraps the ResponseWriter.
func (h batchingHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	*h.out = &batchConn{Conn: conn}
	if h.hijacked != nil {
		h.hijacked(*h.out)
	}
	return *h.out, brw, nil
}

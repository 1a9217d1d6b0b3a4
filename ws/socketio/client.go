package socketio

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/talus-tally/server/ws/engineio"
)

// client is the Socket.IO state of one Engine.IO connection: the sockets it
// opened, one per namespace, and a binary packet still waiting for its
// attachments. pending and parts are touched only by the receive goroutine.
type client struct {
	srv  *Server
	conn *engineio.Conn

	pending *Packet
	parts   [][]byte
	limiter *rate.Limiter // nil: no limit
	toldAt  time.Time     // when a socket was last told it was over the limit

	mu           sync.Mutex
	sockets      []*Socket   // one per namespace joined: a few at most, so a slice
	joined       bool        // some namespace was joined: the connect timeout is off
	connectTimer *time.Timer // nil once joined; touched by the receive goroutine only
}

func (s *Server) onEngineConn(c *engineio.Conn) {
	cl := &client{srv: s, conn: c}
	if s.cfg.MessageRate > 0 {
		burst := s.cfg.MessageBurst
		if burst <= 0 {
			burst = max(1, int(math.Ceil(s.cfg.MessageRate)))
		}
		cl.limiter = rate.NewLimiter(rate.Limit(s.cfg.MessageRate), burst)
	}
	c.SetClient(cl)
	c.OnMessage(cl.onMessage)
	c.OnClose(cl.onClose)
	cl.connectTimer = time.AfterFunc(s.cfg.ConnectTimeout, func() {
		cl.mu.Lock()
		joined := cl.joined
		cl.mu.Unlock()
		if !joined {
			cl.logger().Debug("no namespace joined in time, closing")
			c.Close()
		}
	})
}

// logger is the server's logger with the connection's id, made when a line
// is written (all of them rare): an idle connection holds none.
func (cl *client) logger() *slog.Logger { return cl.srv.log.With("eio_sid", cl.conn.ID()) }

// onMessage receives Engine.IO messages in order.
func (cl *client) onMessage(m engineio.Packet) {
	if cl.limiter != nil && !cl.limiter.Allow() {
		cl.overLimit(m)
		return
	}
	if m.Binary {
		if cl.pending == nil {
			cl.fail("binary message without a packet announcing it", nil)
			return
		}
		cl.parts = append(cl.parts, m.Data)
		if len(cl.parts) == cl.pending.Attachments {
			p, parts := *cl.pending, cl.parts
			cl.pending, cl.parts = nil, nil
			cl.dispatch(p, parts)
		}
		return
	}
	if cl.pending != nil {
		cl.fail("text packet while binary attachments were expected", nil)
		return
	}
	p, err := Decode(m.Data)
	if err != nil {
		cl.fail("malformed packet", err)
		return
	}
	if p.Type.binary() && p.Attachments > 0 {
		cl.pending = &p
		return
	}
	cl.dispatch(p, nil)
}

// overLimit drops a message past the connection's rate. Once a second at
// most, the socket an event was for hears of it (with an ack when the
// event asked for one); the rest are dropped unanswered, so a flood costs
// little more than reading it.
func (cl *client) overLimit(m engineio.Packet) {
	now := time.Now()
	if m.Binary || now.Sub(cl.toldAt) < time.Second {
		return
	}
	p, err := Decode(m.Data)
	if err != nil || (p.Type != Event && p.Type != BinaryEvent) {
		return
	}
	s := cl.socket(p.Namespace)
	if s == nil {
		return
	}
	s.mu.Lock()
	fn := s.onRateLimited
	s.mu.Unlock()
	if fn == nil {
		return
	}
	cl.toldAt = now
	var ack AckFunc
	if p.HasID {
		ack = s.ackFunc(p.ID)
	}
	fn(ack)
}

// fail closes the connection after a protocol violation, as the spec requires.
func (cl *client) fail(why string, err error) {
	cl.logger().Debug("closing connection: "+why, "err", err)
	cl.conn.CloseWith(engineio.ReasonParseError)
}

func (cl *client) dispatch(p Packet, attachments [][]byte) {
	switch p.Type {
	case Connect:
		cl.connect(p)
	case Disconnect:
		if s := cl.remove(p.Namespace, nil); s != nil {
			s.closed(ReasonClientDisconnect)
		}
	case Event, BinaryEvent:
		if s := cl.socket(p.Namespace); s != nil {
			s.receive(p, attachments)
		}
	case Ack, BinaryAck:
		// The server never asks for acknowledgements, so none is awaited.
	default:
		cl.fail("client sent "+p.Type.String(), nil)
	}
}

func (cl *client) socket(nsp string) *Socket {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if i := cl.find(nsp); i >= 0 {
		return cl.sockets[i]
	}
	return nil
}

// find returns the index of nsp's socket, or -1. The caller holds mu.
func (cl *client) find(nsp string) int {
	return slices.IndexFunc(cl.sockets, func(s *Socket) bool { return s.nsp.name == nsp })
}

// remove forgets the socket of nsp, if it is only (when only != nil).
func (cl *client) remove(nsp string, only *Socket) *Socket {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	i := cl.find(nsp)
	if i < 0 || (only != nil && cl.sockets[i] != only) {
		return nil
	}
	s := cl.sockets[i]
	cl.sockets = slices.Delete(cl.sockets, i, i+1)
	return s
}

var errInvalidNamespace = &RefusedError{Message: "Invalid namespace"}

func (cl *client) connect(p Packet) {
	nsp := cl.srv.namespace(p.Namespace)
	if nsp == nil {
		cl.refuse(p.Namespace, errInvalidNamespace)
		return
	}
	if cl.srv.closing.Load() {
		// Shutting down: this client's goodbye may already be out. It is
		// told like the others (connected, then "io server disconnect" to
		// the npm client, which then does not reconnect on its own), and
		// nothing is set up that would have to be torn down again.
		_ = cl.conn.Send(
			engineio.TextMessage(connectPacket(p.Namespace, rand.Text())),
			engineio.TextMessage(Packet{Type: Disconnect, Namespace: p.Namespace}.Encode()))
		return
	}
	if s := cl.socket(p.Namespace); s != nil {
		// Already joined: confirm again rather than open a second socket.
		_ = cl.conn.Send(engineio.TextMessage(connectPacket(p.Namespace, s.id)))
		return
	}
	auth := p.Data
	if auth == nil {
		auth = json.RawMessage("{}")
	}
	req := cl.conn.Request()
	s := &Socket{
		id:  rand.Text(),
		nsp: nsp,
		cl:  cl,
		hs: Handshake{
			Query: req.Query, Address: req.RemoteAddr,
			Time: time.Now(), Auth: auth,
		},
	}
	if h := nsp.handler(); h != nil {
		if err := h(s); err != nil {
			s.mu.Lock()
			s.state, s.early = stateClosed, nil
			s.mu.Unlock()
			cl.refuse(p.Namespace, err)
			return
		}
	}
	cl.mu.Lock()
	cl.sockets = append(cl.sockets, s)
	cl.joined = true
	cl.mu.Unlock()
	if cl.connectTimer != nil {
		cl.connectTimer.Stop()
		cl.connectTimer = nil // joined: the connection holds no timer for it
	}
	s.accept()
}

func connectPacket(nsp, sid string) []byte {
	data, _ := json.Marshal(map[string]string{"sid": sid}) // cannot fail
	return Packet{Type: Connect, Namespace: nsp, Data: data}.Encode()
}

func (cl *client) refuse(nsp string, err error) {
	var ce *RefusedError
	if !errors.As(err, &ce) {
		ce = &RefusedError{Message: err.Error()}
	}
	data, merr := json.Marshal(ce)
	if merr != nil {
		cl.logger().Error("connect error data does not marshal", "err", merr)
		data, _ = json.Marshal(&RefusedError{Message: ce.Message})
	}
	_ = cl.conn.Send(engineio.TextMessage(Packet{Type: ConnectError, Namespace: nsp, Data: data}.Encode()))
}

// disconnectAll tells every socket of the connection it is disconnected;
// their OnDisconnect runs as the connection closes.
func (cl *client) disconnectAll() {
	cl.mu.Lock()
	sockets := slices.Clone(cl.sockets)
	cl.mu.Unlock()
	for _, s := range sockets {
		_ = s.send(Packet{Type: Disconnect, Namespace: s.nsp.name}.Encode(), nil)
		s.markClosed()
	}
}

// onClose ends every socket of the connection.
func (cl *client) onClose(reason string) {
	if cl.connectTimer != nil {
		cl.connectTimer.Stop()
	}
	cl.mu.Lock()
	sockets := cl.sockets
	cl.sockets = nil
	cl.mu.Unlock()
	for _, s := range sockets {
		s.closed(reason)
	}
}

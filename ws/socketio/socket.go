package socketio

import (
	"encoding/json"
	"errors"
	"net/url"
	"sync"
	"time"

	"github.com/talus-tally/server/ws/engineio"
)

// Errors returned by Socket methods.
var (
	ErrDisconnected = errors.New("socketio: socket disconnected")
	ErrAckSent      = errors.New("socketio: ack already sent")
)

// Disconnect reasons given to OnDisconnect, besides the Engine.IO close
// reasons (engineio.ReasonPingTimeout, ...).
const (
	ReasonClientDisconnect = "client namespace disconnect"
	ReasonServerDisconnect = "server namespace disconnect"
)

// Handshake is what the client sent when it connected. The handshake
// request's headers are not kept (engineio.Config.Admit sees them).
type Handshake struct {
	Query   url.Values
	Address string
	Time    time.Time
	// Auth is the CONNECT payload, {} when the client sent none.
	Auth json.RawMessage
}

// AckFunc answers an event the client asked to be acknowledged. Arguments
// are marshalled like Emit's. It works once; later calls return ErrAckSent.
type AckFunc func(args ...any) error

// Handler handles one event. args are the event's arguments (binary ones as
// placeholders); ack is nil when the client did not ask for one.
type Handler func(args []json.RawMessage, ack AckFunc)

// AnyHandler handles an event that has no Handler of its own; event is its
// name.
type AnyHandler func(event string, args []json.RawMessage, ack AckFunc)

// BinaryHandler is a Handler that also receives the binary attachments the
// placeholders in args refer to (see AttachmentIndex).
type BinaryHandler func(args []json.RawMessage, attachments [][]byte, ack AckFunc)

type handler struct {
	plain  Handler
	binary BinaryHandler
}

type socketState int

const (
	statePending socketState = iota // the connect handler is running
	stateConnected
	stateClosed
)

// Socket is one client's membership of one namespace. Its methods are safe
// for concurrent use.
type Socket struct {
	id  string
	nsp *Namespace
	cl  *client
	hs  Handshake

	mu            sync.Mutex
	state         socketState
	early         []engineio.Packet  // emitted before the CONNECT reply went out
	handlers      map[string]handler // made by the first On
	onAny         AnyHandler
	onConnected   func()
	onDisconnect  func(reason string)
	onRateLimited func(ack AckFunc)
}

// ID returns the socket id sent to the client in the CONNECT reply.
func (s *Socket) ID() string { return s.id }

// Namespace returns the namespace's name, e.g. "/graph".
func (s *Socket) Namespace() string { return s.nsp.name }

// Handshake returns the query, headers and auth the client connected with.
func (s *Socket) Handshake() Handshake { return s.hs }

// Conn returns the Engine.IO connection carrying the socket.
func (s *Socket) Conn() *engineio.Conn { return s.cl.conn }

// Connected reports whether the socket is still joined to its namespace.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateConnected
}

// On sets the handler of event, replacing any earlier one.
func (s *Socket) On(event string, h Handler) { s.setHandler(event, handler{plain: h}) }

// OnBinary sets a handler of event that also receives binary attachments.
func (s *Socket) OnBinary(event string, h BinaryHandler) { s.setHandler(event, handler{binary: h}) }

func (s *Socket) setHandler(event string, h handler) {
	s.mu.Lock()
	if s.handlers == nil {
		s.handlers = make(map[string]handler)
	}
	s.handlers[event] = h
	s.mu.Unlock()
}

// OnAny sets the handler of every event that has none set with On or
// OnBinary (their binary attachments left out): one function for a fixed
// set of events costs a connection less than a handler each.
func (s *Socket) OnAny(h AnyHandler) {
	s.mu.Lock()
	s.onAny = h
	s.mu.Unlock()
}

// OnConnected sets a function run right after the CONNECT reply is queued,
// on the connection's receive goroutine like a handler: work the client
// must hear of only once it is connected.
func (s *Socket) OnConnected(fn func()) {
	s.mu.Lock()
	s.onConnected = fn
	s.mu.Unlock()
}

// OnRateLimited sets the function told (at most once a second) that the
// connection sent more than its rate and an event for this socket was
// dropped; ack answers that event when it asked for one.
func (s *Socket) OnRateLimited(fn func(ack AckFunc)) {
	s.mu.Lock()
	s.onRateLimited = fn
	s.mu.Unlock()
}

// OnDisconnect sets the function called once when the socket leaves its
// namespace, with the reason. It runs in order with the handlers, never
// beside one, so it may end what they started; it may block.
func (s *Socket) OnDisconnect(fn func(reason string)) {
	s.mu.Lock()
	s.onDisconnect = fn
	s.mu.Unlock()
}

// Emit sends event with args, each marshalled with encoding/json except
// json.RawMessage (sent as is) and Binary (sent as an attachment).
func (s *Socket) Emit(event string, args ...any) error {
	b, attachments, err := encode(Event, s.nsp.name, false, 0, event, args)
	if err != nil {
		return err
	}
	return s.send(b, attachments)
}

// encode builds an EVENT or ACK packet, switching to its binary type when
// args hold Binary values.
func encode(t PacketType, nsp string, hasID bool, id uint64, event string, args []any) ([]byte, [][]byte, error) {
	data, attachments, err := appendArgs(nil, t == Event, event, args)
	if err != nil {
		return nil, nil, err
	}
	p := Packet{Type: t, Namespace: nsp, HasID: hasID, ID: id, Data: data}
	if len(attachments) > 0 {
		p.Attachments = len(attachments)
		p.Type += BinaryEvent - Event // EVENT->BINARY_EVENT, ACK->BINARY_ACK
	}
	return p.Encode(), attachments, nil
}

// EventFrame builds the EVENT packet of event with one argument given as
// already-encoded JSON, for namespace nsp, by concatenation: encode a
// payload once, frame it once per namespace and name, send it to many
// sockets with SendFrame or OfferFrame. payloadJSON must be valid JSON; nil
// or empty sends no argument.
func EventFrame(nsp, event string, payloadJSON []byte) []byte {
	b := make([]byte, 0, len(nsp)+len(event)+len(payloadJSON)+8)
	b = append(b, '0'+byte(Event))
	if nsp != "/" {
		b = append(b, nsp...)
		b = append(b, ',')
	}
	b = append(b, '[')
	b = appendString(b, event)
	if len(payloadJSON) > 0 {
		b = append(b, ',')
		b = append(b, payloadJSON...)
	}
	return append(b, ']')
}

// EmitRaw sends event with one argument given as already-encoded JSON.
func (s *Socket) EmitRaw(event string, payloadJSON []byte) error {
	return s.send(EventFrame(s.nsp.name, event, payloadJSON), nil)
}

// SendFrame queues a packet built by EventFrame for this socket's
// namespace, like Emit. The frame is shared, never modified.
func (s *Socket) SendFrame(frame []byte) error { return s.send(frame, nil) }

// OfferFrame queues a frame only while the connection's offered packets
// stay within their byte budget (engineio.Conn.Offer) and reports whether
// it did: the way to hand a client events it did not ask for, refusing
// rather than piling up behind one that does not read.
func (s *Socket) OfferFrame(frame []byte) bool {
	p := engineio.TextMessage(frame)
	s.mu.Lock()
	switch s.state {
	case stateClosed:
		s.mu.Unlock()
		return false
	case statePending:
		s.early = append(s.early, p)
		s.mu.Unlock()
		return true
	}
	s.mu.Unlock()
	return s.cl.conn.Offer(p)
}

// Disconnect removes the socket from its namespace and tells the client.
// The Engine.IO connection stays open for the client's other namespaces.
// It never waits: OnDisconnect runs later, in order with the handlers, so
// Disconnect may be called from anywhere, a handler included.
func (s *Socket) Disconnect() error {
	if s.cl.remove(s.nsp.name, s) == nil {
		return ErrDisconnected
	}
	err := s.send(Packet{Type: Disconnect, Namespace: s.nsp.name}.Encode(), nil)
	s.markClosed()
	s.cl.conn.AfterReceive(func() { s.closed(ReasonServerDisconnect) })
	return err
}

// send queues one encoded packet and its attachments, holding them back
// while the connect handler runs so the CONNECT reply goes first.
func (s *Socket) send(pkt []byte, attachments [][]byte) error {
	pkts := make([]engineio.Packet, 0, 1+len(attachments))
	pkts = append(pkts, engineio.TextMessage(pkt))
	for _, a := range attachments {
		pkts = append(pkts, engineio.BinaryMessage(a))
	}
	s.mu.Lock()
	switch s.state {
	case stateClosed:
		s.mu.Unlock()
		return ErrDisconnected
	case statePending:
		s.early = append(s.early, pkts...)
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	return s.cl.conn.Send(pkts...)
}

// accept sends the CONNECT reply followed by whatever the connect handler
// emitted, then runs OnConnected.
func (s *Socket) accept() {
	s.mu.Lock()
	pkts := append([]engineio.Packet{engineio.TextMessage(connectPacket(s.nsp.name, s.id))}, s.early...)
	s.early = nil
	s.state = stateConnected
	fn := s.onConnected
	s.mu.Unlock()
	_ = s.cl.conn.Send(pkts...) // a failed send closed the connection, which disconnects s
	if fn != nil {
		fn()
	}
}

// markClosed stops the socket from sending; OnDisconnect is still to run.
func (s *Socket) markClosed() {
	s.mu.Lock()
	if s.state != stateClosed {
		s.state = stateClosed
		s.early = nil
	}
	s.mu.Unlock()
}

// closed marks the socket gone and runs OnDisconnect once.
func (s *Socket) closed(reason string) {
	s.mu.Lock()
	s.state = stateClosed
	fn := s.onDisconnect
	s.onDisconnect = nil
	s.mu.Unlock()
	if fn != nil {
		fn(reason)
	}
}

// receive runs the handler of an incoming event.
func (s *Socket) receive(p Packet, attachments [][]byte) {
	name, args, err := EventArgs(p.Data)
	if err != nil {
		return // Decode already checked the payload
	}
	s.mu.Lock()
	h, ok := s.handlers[name]
	anyh := s.onAny
	gone := s.state == stateClosed
	s.mu.Unlock()
	if (!ok && anyh == nil) || gone {
		return
	}
	var ack AckFunc
	if p.HasID {
		ack = s.ackFunc(p.ID)
	}
	switch {
	case h.binary != nil:
		h.binary(args, attachments, ack)
	case h.plain != nil:
		h.plain(args, ack)
	default:
		anyh(name, args, ack)
	}
}

func (s *Socket) ackFunc(id uint64) AckFunc {
	var once sync.Once
	return func(args ...any) error {
		err := ErrAckSent
		once.Do(func() {
			var b []byte
			var attachments [][]byte
			if b, attachments, err = encode(Ack, s.nsp.name, true, id, "", args); err == nil {
				err = s.send(b, attachments)
			}
		})
		return err
	}
}

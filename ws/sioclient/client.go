// Package sioclient is a small Socket.IO v5 client over Engine.IO v4, for the
// load tool and Go tests. It speaks to any server of the protocol, ours and
// the npm socket.io package alike, over WebSocket or HTTP long-polling (one
// transport per connection: it does not upgrade or reconnect).
package sioclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/socketio"
)

// ErrClosed is returned once the connection has ended.
var ErrClosed = errors.New("sioclient: connection closed")

// Transports a client can use.
const (
	WebSocket = "websocket"
	Polling   = "polling"
)

// Event is one event the server emitted.
type Event struct {
	Name     string
	Args     []json.RawMessage
	Received time.Time
}

// Options say how to connect.
type Options struct {
	Namespace string // "/graph"; "" is the main namespace "/"
	Auth      any    // the CONNECT payload; nil for none
	// Buffer is how many events wait to be read from Events; past that the
	// client stops reading from the server, as a slow client would.
	Buffer    int
	Transport string       // WebSocket (the default) or Polling
	HTTP      *http.Client // for Polling; nil uses a shared client
	// OnEvent, when set, receives every event instead of Events: it is
	// called on the client's one reader goroutine, in order, and must not
	// block (the client reads nothing else meanwhile, pings included). No
	// call is under way or follows once Done is closed.
	OnEvent func(Event)
	// Query adds parameters to the handshake URL (a token, say).
	Query url.Values
}

// transport moves Engine.IO packets. recv is called by one goroutine at a
// time, send may be called by several.
type transport interface {
	recv() ([]engineio.Packet, error)
	send(pkts ...[]byte) error // each an encoded packet: type digit and data
	close()
}

// Client is one connection joined to one namespace. Its methods are safe for
// concurrent use.
type Client struct {
	t         transport
	namespace string
	events    chan Event
	onEvent   func(Event)
	closing   chan struct{} // closed by close: the connection is to end
	done      chan struct{} // closed when the reader has returned

	mu      sync.Mutex
	nextID  uint64
	acks    map[uint64]chan []json.RawMessage
	err     error
	closeMu sync.Once
}

// Dial connects over WebSocket to base (http://host:port) at /socket.io/,
// joins namespace with auth as the CONNECT payload (nil for none), and
// returns once the server accepted. Events are buffered up to buffer.
func Dial(ctx context.Context, base, namespace string, auth any, buffer int) (*Client, error) {
	return DialOptions(ctx, base, Options{Namespace: namespace, Auth: auth, Buffer: buffer})
}

// DialOptions connects to base (http://host:port) at /socket.io/ as o says
// and returns once the server accepted the namespace. ctx bounds the
// connecting only, not the connection.
func DialOptions(ctx context.Context, base string, o Options) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	u.Path = "/socket.io/"
	u.RawQuery = o.Query.Encode()
	var t transport
	switch o.Transport {
	case "", WebSocket:
		t, err = dialWebSocket(ctx, u)
	case Polling:
		t, err = dialPolling(ctx, u, o.HTTP)
	default:
		return nil, fmt.Errorf("sioclient: unknown transport %q", o.Transport)
	}
	if err != nil {
		return nil, err
	}
	ns := o.Namespace
	if ns == "" {
		ns = "/"
	}
	c := &Client{
		t:         t,
		namespace: ns,
		events:    make(chan Event, max(o.Buffer, 0)),
		onEvent:   o.OnEvent,
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
		acks:      make(map[uint64]chan []json.RawMessage),
	}
	// A connect that outlives ctx is cut by closing the transport under it.
	stop := context.AfterFunc(ctx, t.close)
	err = c.connect(o.Auth)
	if !stop() {
		t.close()
		return nil, fmt.Errorf("sioclient: connect: %w", ctx.Err())
	}
	if err != nil {
		t.close()
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

// connect sends CONNECT once the transport is open and waits for its
// answer. Packets before it (pings, noops) are answered or skipped.
func (c *Client) connect(auth any) error {
	var data json.RawMessage
	if auth != nil {
		var err error
		if data, err = json.Marshal(auth); err != nil {
			return err
		}
	}
	if err := c.write(socketio.Packet{Type: socketio.Connect, Namespace: c.namespace, Data: data}); err != nil {
		return err
	}
	for {
		pkts, err := c.t.recv()
		if err != nil {
			return err
		}
		for _, pkt := range pkts {
			switch pkt.Type {
			case engineio.Ping:
				if err := c.t.send([]byte{'0' + byte(engineio.Pong)}); err != nil {
					return err
				}
				continue
			case engineio.Close:
				return ErrClosed
			case engineio.Message:
			default:
				continue
			}
			p, err := socketio.Decode(pkt.Data)
			if err != nil {
				return err
			}
			switch p.Type {
			case socketio.Connect:
				return nil
			case socketio.ConnectError:
				return fmt.Errorf("sioclient: connect refused: %s", p.Data)
			}
		}
	}
}

// readLoop is the only reader: it answers pings, routes acks and queues
// events.
func (c *Client) readLoop() {
	defer close(c.done)
	defer c.close(ErrClosed)
	for {
		pkts, err := c.t.recv()
		if err != nil {
			c.close(err)
			return
		}
		received := time.Now()
		for _, pkt := range pkts {
			if !c.handle(pkt, received) {
				return
			}
		}
	}
}

// handle acts on one packet; false means the connection is over.
func (c *Client) handle(pkt engineio.Packet, received time.Time) bool {
	switch pkt.Type {
	case engineio.Ping:
		return c.t.send([]byte{'0' + byte(engineio.Pong)}) == nil
	case engineio.Close:
		return false
	case engineio.Message:
	default:
		return true
	}
	if typ, id, hasID, data, ok := splitEvent(pkt.Data); ok {
		// Events and acks, nearly all the traffic: their JSON is parsed
		// once, here, and not first checked by socketio.Decode as well.
		var args []json.RawMessage
		if json.Unmarshal(data, &args) != nil {
			c.close(fmt.Errorf("sioclient: %v payload is not a JSON array", typ))
			return false
		}
		if typ == socketio.Ack {
			c.ack(id, hasID, args)
			return true
		}
		var name string
		if len(args) == 0 || json.Unmarshal(args[0], &name) != nil {
			return true // not an event a client could handle: skipped
		}
		ev := Event{Name: name, Args: args[1:], Received: received}
		if c.onEvent != nil {
			c.onEvent(ev)
			return true
		}
		select {
		case c.events <- ev:
		case <-c.closing:
			return false
		}
		return true
	}
	p, err := socketio.Decode(pkt.Data)
	if err != nil {
		c.close(err)
		return false
	}
	return p.Type != socketio.Disconnect
}

func (c *Client) ack(id uint64, hasID bool, args []json.RawMessage) {
	if !hasID {
		return
	}
	c.mu.Lock()
	ch := c.acks[id]
	delete(c.acks, id)
	c.mu.Unlock()
	if ch != nil {
		ch <- args
	}
}

// splitEvent reads the header of an EVENT or ACK packet (type digit,
// "/namespace," unless the main one, ack id) and returns its JSON payload;
// ok is false for every other packet, binary ones included.
func splitEvent(b []byte) (typ socketio.PacketType, id uint64, hasID bool, data []byte, ok bool) {
	if len(b) < 2 || (b[0] != '0'+byte(socketio.Event) && b[0] != '0'+byte(socketio.Ack)) {
		return 0, 0, false, nil, false
	}
	typ = socketio.PacketType(b[0] - '0')
	i := 1
	if b[i] == '/' {
		comma := bytes.IndexByte(b, ',')
		if comma < 0 {
			return 0, 0, false, nil, false
		}
		i = comma + 1
	}
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if id > (math.MaxUint64-9)/10 {
			return 0, 0, false, nil, false
		}
		id, hasID = id*10+uint64(b[i]-'0'), true
	}
	return typ, id, hasID, b[i:], i < len(b)
}

// Events returns the events the server emitted, in order. Watch Done to
// learn that no more will come.
func (c *Client) Events() <-chan Event { return c.events }

// Done is closed when the connection has ended and its reader returned.
func (c *Client) Done() <-chan struct{} { return c.done }

// Emit sends event with arg as its only argument (none when arg is nil).
func (c *Client) Emit(event string, arg any) error {
	data, err := eventData(event, arg)
	if err != nil {
		return err
	}
	return c.write(socketio.Packet{Type: socketio.Event, Namespace: c.namespace, Data: data})
}

// Call emits event asking for an ack and waits for it.
func (c *Client) Call(ctx context.Context, event string, arg any) ([]json.RawMessage, error) {
	data, err := eventData(event, arg)
	if err != nil {
		return nil, err
	}
	ch := make(chan []json.RawMessage, 1)
	c.mu.Lock()
	id := c.nextID
	c.nextID++
	c.acks[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.acks, id)
		c.mu.Unlock()
	}
	if err := c.write(socketio.Packet{Type: socketio.Event, Namespace: c.namespace, HasID: true, ID: id, Data: data}); err != nil {
		forget()
		return nil, err
	}
	select {
	case args := <-ch:
		return args, nil
	case <-c.done:
		return nil, c.Err()
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	}
}

func eventData(event string, arg any) ([]byte, error) {
	args := []any{event}
	if arg != nil {
		args = append(args, arg)
	}
	return json.Marshal(args)
}

func (c *Client) write(p socketio.Packet) error {
	select {
	case <-c.closing:
		return ErrClosed
	default:
	}
	return c.t.send(append([]byte{'0' + byte(engineio.Message)}, p.Encode()...))
}

// Err returns why the connection ended, or nil while it is open.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the connection.
func (c *Client) Close() error {
	c.close(ErrClosed)
	return nil
}

func (c *Client) close(err error) {
	c.closeMu.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.closing)
		c.t.close()
	})
}

// query is the Engine.IO handshake query for transport.
func query(u *url.URL, transport string, sid string) string {
	q := u.Query() // Options.Query
	q.Set("EIO", "4")
	q.Set("transport", transport)
	if sid != "" {
		q.Set("sid", sid)
	}
	v := *u
	v.RawQuery = q.Encode()
	if transport == WebSocket {
		v.Scheme = strings.Replace(v.Scheme, "http", "ws", 1)
	}
	return v.String()
}

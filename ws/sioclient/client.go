// Package sioclient is a small Socket.IO v5 client over the Engine.IO v4
// WebSocket transport, for the load tool and Go tests. It speaks to any
// server of the protocol, ours included; it does not poll or reconnect.
package sioclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/talus-tally/server/ws/engineio"
	"github.com/talus-tally/server/ws/socketio"
)

// ErrClosed is returned once the connection has ended.
var ErrClosed = errors.New("sioclient: connection closed")

// Event is one event the server emitted.
type Event struct {
	Name     string
	Args     []json.RawMessage
	Received time.Time
}

// Client is one connection joined to one namespace. Its methods are safe for
// concurrent use.
type Client struct {
	ws        *websocket.Conn
	namespace string
	events    chan Event
	done      chan struct{}

	writeMu sync.Mutex // gorilla/websocket allows one writer at a time

	mu      sync.Mutex
	nextID  uint64
	acks    map[uint64]chan []json.RawMessage
	err     error
	closeMu sync.Once
}

// Dial connects to base (http://host:port) at /socket.io/, joins namespace
// with auth as the CONNECT payload (nil for none), and returns once the
// server accepted. Events are buffered up to buffer; past that the client
// stops reading, as a slow client would.
func Dial(ctx context.Context, base, namespace string, auth any, buffer int) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	u.Path = "/socket.io/"
	u.RawQuery = "EIO=4&transport=websocket"
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, err
	}
	c := &Client{
		ws:        ws,
		namespace: namespace,
		events:    make(chan Event, buffer),
		done:      make(chan struct{}),
		acks:      make(map[uint64]chan []json.RawMessage),
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = ws.SetReadDeadline(dl)
	}
	if err := c.connect(auth); err != nil {
		ws.Close()
		return nil, err
	}
	_ = ws.SetReadDeadline(time.Time{})
	go c.readLoop()
	return c, nil
}

// connect reads the open packet, sends CONNECT and waits for its answer.
func (c *Client) connect(auth any) error {
	pkt, err := c.readEngine()
	if err != nil {
		return err
	}
	if pkt.Type != engineio.Open {
		return fmt.Errorf("sioclient: expected open packet, got %v", pkt.Type)
	}
	var data json.RawMessage
	if auth != nil {
		if data, err = json.Marshal(auth); err != nil {
			return err
		}
	}
	if err := c.write(socketio.Packet{Type: socketio.Connect, Namespace: c.namespace, Data: data}); err != nil {
		return err
	}
	for {
		pkt, err := c.readEngine()
		if err != nil {
			return err
		}
		if pkt.Type != engineio.Message {
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

func (c *Client) readEngine() (engineio.Packet, error) {
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return engineio.Packet{}, err
	}
	return engineio.DecodePacket(b)
}

// readLoop is the only reader: it answers pings, routes acks and queues
// events.
func (c *Client) readLoop() {
	defer c.close(ErrClosed)
	for {
		pkt, err := c.readEngine()
		if err != nil {
			c.close(err)
			return
		}
		switch pkt.Type {
		case engineio.Ping:
			if err := c.writeRaw([]byte("3")); err != nil {
				return
			}
			continue
		case engineio.Close:
			return
		case engineio.Message:
		default:
			continue
		}
		p, err := socketio.Decode(pkt.Data)
		if err != nil {
			c.close(err)
			return
		}
		switch p.Type {
		case socketio.Event:
			name, args, err := socketio.EventArgs(p.Data)
			if err != nil {
				continue
			}
			select {
			case c.events <- Event{Name: name, Args: args, Received: time.Now()}:
			case <-c.done:
				return
			}
		case socketio.Ack:
			var args []json.RawMessage
			_ = json.Unmarshal(p.Data, &args)
			c.mu.Lock()
			ch := c.acks[p.ID]
			delete(c.acks, p.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- args
			}
		case socketio.Disconnect:
			return
		}
	}
}

// Events returns the events the server emitted, in order. Watch Done to
// learn that no more will come.
func (c *Client) Events() <-chan Event { return c.events }

// Done is closed when the connection has ended.
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
	if err := c.write(socketio.Packet{Type: socketio.Event, Namespace: c.namespace, HasID: true, ID: id, Data: data}); err != nil {
		return nil, err
	}
	select {
	case args := <-ch:
		return args, nil
	case <-c.done:
		return nil, c.Err()
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.acks, id)
		c.mu.Unlock()
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
	return c.writeRaw(append([]byte{'4'}, p.Encode()...))
}

func (c *Client) writeRaw(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	select {
	case <-c.done:
		return ErrClosed
	default:
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
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
		close(c.done)
		_ = c.ws.Close()
	})
}

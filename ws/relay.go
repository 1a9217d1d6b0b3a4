package ws

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/sioclient"
	"github.com/talus-tally/server/ws/socketio"
)

// Router says which server of a cluster serves a session: "" for this
// one, else the other's base URL (package cluster).
type Router interface {
	Route(ctx context.Context, sid string) (string, error)
}

// relay is a client's watch of a session another server owns: one
// Socket.IO connection to the owner, joined for the client, whose events
// come back in order on its one reader and go out on the client's queue
// as they came. The client's requests for the session go the same way, so
// the owner sees one ordered stream of them.
type relay struct {
	sid  string
	up   *sioclient.Client
	done chan struct{} // closed when the client gave the relay up
}

// relayJoin joins session j.SessionID at its owner base for the client.
func (c *client) relayJoin(ctx context.Context, base string, j joinArgs, ack socketio.AckFunc) {
	r := &relay{sid: j.SessionID, done: make(chan struct{})}
	q := url.Values{}
	if c.srv.cfg.Token != "" {
		q.Set("token", c.srv.cfg.Token)
	}
	up, err := sioclient.DialOptions(ctx, base, sioclient.Options{
		Namespace: Namespaces[c.nsp],
		Auth:      map[string]any{"names": c.hello.Names.String()},
		Query:     q,
		OnEvent:   func(ev sioclient.Event) { c.relayed(r, ev) },
	})
	if err != nil {
		c.fail(ack, errors.Join(actors.ErrUnavailable, err))
		return
	}
	r.up = up
	payload := map[string]any{"session_id": j.SessionID}
	if j.LastSeq != nil {
		payload["last_seq"] = *j.LastSeq
	}
	res, err := up.Call(ctx, evJoin, payload)
	if err != nil {
		up.Close()
		c.fail(ack, errors.Join(actors.ErrUnavailable, err))
		return
	}
	c.relay = r
	go c.watchRelay(r)
	c.answerRaw(ack, res)
}

// relayed passes one event of the owner on to the client, on the relay's
// reader: in the owner's order, refused like any event when the client's
// queue is over its budget.
func (c *client) relayed(r *relay, ev sioclient.Event) {
	var arg []byte
	if len(ev.Args) > 0 {
		arg = ev.Args[0]
	}
	if !c.sock.OfferFrame(socketio.EventFrame(Namespaces[c.nsp], ev.Name, arg)) {
		c.dropSlow()
	}
}

// watchRelay ends the client's connection when the owner's does, unless
// the client gave the relay up first: the owner died or let it go, and the
// client reconnects (to any server) and catches up with last_seq.
func (c *client) watchRelay(r *relay) {
	select {
	case <-r.done:
	case <-r.up.Done():
		select {
		case <-r.done:
		default:
			c.log.Info("session owner connection ended; client reconnects", "session", r.sid, "err", r.up.Err())
			c.emit(evError, wire.Errorf(wire.CodeUnavailable, "the server that owns this session went away; reconnect with last_seq to catch up"))
			c.sock.Conn().Close()
		}
	}
}

// forward passes a request for the relayed session to its owner and its
// answer back.
func (c *client) forward(event string, args []json.RawMessage, ack socketio.AckFunc) {
	var arg any
	if len(args) > 0 {
		arg = args[0]
	}
	ctx, cancel := c.request()
	defer cancel()
	res, err := c.relay.up.Call(ctx, event, arg)
	if err != nil {
		c.fail(ack, errors.Join(actors.ErrUnavailable, err))
		return
	}
	c.answerRaw(ack, res)
}

// endRelay gives the relay up: the owner sees the connection go, which
// takes the client out of the session there.
func (c *client) endRelay() {
	if c.relay == nil {
		return
	}
	close(c.relay.done)
	c.relay.up.Close()
	c.relay = nil
}

// answerRaw acks with the arguments another server acked with.
func (c *client) answerRaw(ack socketio.AckFunc, args []json.RawMessage) {
	if ack == nil {
		return
	}
	vs := make([]any, len(args))
	for i, a := range args {
		vs[i] = a
	}
	if len(vs) == 1 {
		_ = ack(vs[0])
		return
	}
	_ = ack(vs...)
}

package ws

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sync"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/sioclient"
	"github.com/talus-tally/server/ws/socketio"
)

// Router says which server of a cluster serves a session: "" for this
// one, else the other's base URL (package cluster). Forget drops what it
// remembers of a session the server it named no longer serves.
type Router interface {
	Route(ctx context.Context, sid string) (string, error)
	Forget(sid string)
}

// relay is a client's watch of a session another server owns: one
// Socket.IO connection to the owner, joined for the client, whose events
// come back in order on its one reader and go out on the client's queue
// as they came. The client's requests go the same way, so the owner sees
// one ordered stream of them, and each event reaches the client once, in
// the owner's order: the owner's session numbers them and the relay adds
// nothing and drops nothing (a client it cannot keep up with is dropped as
// SLOW_CONSUMER, as at the owner).
type relay struct {
	c    *client
	sid  string
	up   *sioclient.Client
	done chan struct{} // closed when the client gave the relay up

	// Until the client has its join answer, the events after the owner's
	// "joined" wait here: a local join answers before it sends the events
	// it joined for, and so does a relayed one.
	mu      sync.Mutex
	holding bool
	joined  bool // the owner's "joined" event went out
	held    [][]byte
}

// joinAtOwner joins the client to session j.SessionID at the server that
// owns it, when that is another one, and reports whether it did (or
// failed trying, which it told the client). A relay the client had is
// given up first: a join is a new watch, here or elsewhere.
func (c *client) joinAtOwner(ctx context.Context, j joinArgs, ack socketio.AckFunc) bool {
	c.endRelay()
	router := c.srv.cfg.Router
	if router == nil {
		return false
	}
	base, err := router.Route(ctx, j.SessionID)
	switch {
	case err != nil:
		c.fail(ack, err)
		return true
	case base == "":
		return false
	}
	c.leaveCurrent(ctx)
	r := &relay{c: c, sid: j.SessionID, done: make(chan struct{}), holding: true}
	q := url.Values{}
	if c.srv.cfg.Token != "" {
		q.Set("token", c.srv.cfg.Token)
	}
	up, err := sioclient.DialOptions(ctx, base, sioclient.Options{
		Namespace: Namespaces[c.nsp],
		Auth:      map[string]any{"names": c.hello.Names.String()},
		Query:     q,
		OnEvent:   r.event,
	})
	if err != nil {
		router.Forget(j.SessionID)
		c.fail(ack, errors.Join(actors.ErrUnavailable, err))
		return true
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
		return true
	}
	if refused(res) { // the owner's error event is on its way to the client
		c.answerRaw(ack, res)
		r.release()
		up.Close()
		return true
	}
	c.relay = r
	go r.watch()
	c.answerRaw(ack, res)
	r.release()
	return true
}

// relayed passes a request of a relayed client to the owner and reports
// whether it did: every request but join (a new watch) and ping (answered
// here).
func (c *client) relayed(event string, args []json.RawMessage, ack socketio.AckFunc) bool {
	if c.relay == nil || event == evJoin || event == evPing {
		return false
	}
	var arg any
	if len(args) > 0 {
		arg = args[0]
	}
	ctx, cancel := c.request()
	defer cancel()
	res, err := c.relay.up.Call(ctx, event, arg)
	switch {
	case err != nil:
		c.fail(ack, errors.Join(actors.ErrUnavailable, err))
	default:
		c.answerRaw(ack, res)
	}
	if event == evLeave {
		c.endRelay()
	}
	return true
}

// event passes one event of the owner on to the client, on the relay's
// reader: in the owner's order, refused like any event when the client's
// queue is over its budget.
func (r *relay) event(ev sioclient.Event) {
	var arg []byte
	if len(ev.Args) > 0 {
		arg = ev.Args[0]
	}
	frame := socketio.EventFrame(Namespaces[r.c.nsp], ev.Name, arg)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.holding && r.joined {
		r.held = append(r.held, frame)
		return
	}
	r.joined = r.joined || ev.Name == evJoined
	r.offer(frame)
}

// release lets the events that waited for the join answer go, and the
// later ones straight through.
func (r *relay) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.held {
		if !r.offer(f) {
			break
		}
	}
	r.holding, r.held = false, nil
}

// offer queues one frame for the client; one it cannot take drops the
// client as too slow. The caller holds mu.
func (r *relay) offer(frame []byte) bool {
	if r.c.sock.OfferFrame(frame) {
		return true
	}
	r.c.dropSlow()
	return false
}

// watch ends the client's connection when the owner's does, unless the
// client gave the relay up first: the owner died or let the session go,
// and the client reconnects (to any server) and catches up with last_seq.
func (r *relay) watch() {
	select {
	case <-r.done:
	case <-r.up.Done():
		select {
		case <-r.done:
		default:
			r.c.logger().Info("session owner's connection ended; the client reconnects", "session", r.sid, "err", r.up.Err())
			r.c.srv.cfg.Router.Forget(r.sid)
			r.c.moved()
		}
	}
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

// moved tells a client that the session it watched left the server that
// served it (its owner died, or another server took it over), and closes
// its transport: a client reconnects after that (socket.io-client does by
// itself), to any server, and catches up with last_seq.
func (c *client) moved() {
	c.emit(evError, wire.Errorf(wire.CodeUnavailable, "the session moved to another server; reconnect with last_seq to catch up"))
	c.sock.Conn().Close()
}

// refused reports an ack that carries an error.
func refused(args []json.RawMessage) bool {
	var ack struct {
		Error json.RawMessage `json:"error"`
	}
	return len(args) > 0 && json.Unmarshal(args[0], &ack) == nil && len(ack.Error) > 0
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
	_ = ack(vs...)
}

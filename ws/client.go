package ws

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/socketio"
)

// Events a client may send. Each answers through the Socket.IO ack as well
// when the client asks for one.
const (
	evJoin    = "join_session"
	evLeave   = "leave_session"
	evExecute = "execute_command"
	evUndo    = "undo"
	evRedo    = "redo"
	evPing    = "ping"
)

// Events only this client receives (session events go to everyone in it).
const (
	evJoined = "joined"
	evLeft   = "left"
	evPong   = "pong"
	evError  = "error"
	evResync = "session:resync"
)

// client is one socket's bridge to the session it watches. Its handlers
// and OnDisconnect run one at a time on the connection's receive goroutine
// (socketio orders them), so member needs no lock: that goroutine owns it.
type client struct {
	srv   *Server
	sock  *socketio.Socket
	id    string
	nsp   int // index in Namespaces, for the frame cache
	hello hello
	// ctx ends when the connection does: a request of a client that left
	// stops waiting for its session.
	ctx context.Context

	member *membership // the session watched, nil for none
	relay  *relay      // or the session watched at its owner, another server (relay.go)
}

func newClient(srv *Server, sock *socketio.Socket, nsp int, h hello) *client {
	conn := sock.Conn()
	c := &client{srv: srv, sock: sock, id: sock.ID(), nsp: nsp, hello: h, ctx: conn.Context()}
	c.logger().Info("socket connected", "namespace", Namespaces[nsp], "transport", conn.Transport(), "remote", conn.Request().RemoteAddr)
	sock.OnAny(c.handle)
	sock.OnConnected(func() {
		if h.SessionID != "" {
			c.join(joinArgs{SessionID: h.SessionID, LastSeq: h.LastSeq}, nil)
		}
	})
	sock.OnDisconnect(c.gone)
	sock.OnRateLimited(func(ack socketio.AckFunc) {
		c.fail(ack, wire.Errorf(wire.CodeRateLimited, "too many messages on this connection; slow down"))
	})
	return c
}

// logger is the server's logger with the client's ids, made when a line is
// written (when it connects, goes, or fails): an idle client holds none.
func (c *client) logger() *slog.Logger {
	return c.srv.cfg.Logger.With("client", c.id, "eio_sid", c.sock.Conn().ID())
}

// handle runs the client's events; others are ignored, as socket.io
// ignores an event nobody listens to.
func (c *client) handle(event string, args []json.RawMessage, ack socketio.AckFunc) {
	switch event {
	case evJoin, evLeave, evExecute, evUndo, evRedo, evPing:
	default:
		return
	}
	p, err := payload(args)
	if err != nil {
		c.fail(ack, err)
		return
	}
	if c.relayed(event, args, ack) {
		return
	}
	switch event {
	case evJoin:
		j, err := parseJoin(args)
		if err != nil {
			c.fail(ack, err)
			return
		}
		c.join(j, ack)
	case evLeave:
		c.leave(p, ack)
	case evExecute:
		c.execute(p, ack)
	case evUndo, evRedo:
		c.step(event == evRedo, p, ack)
	case evPing:
		pong := map[string]string{"timestamp": wire.Time(time.Now())}
		c.emit(evPong, pong)
		c.answer(ack, pong)
	}
}

// gone runs once the socket left (the client went, or the server ended it):
// it leaves the session it watched, so the others hear of it.
func (c *client) gone(reason string) {
	defer c.srv.clients.Done()
	c.logger().Info("socket disconnected", "reason", reason, "session", c.watching())
	c.endRelay()
	if c.member == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), c.srv.cfg.LeaveTimeout)
	defer cancel()
	c.leaveCurrent(ctx)
}

// request returns the context of one request: it ends with the client or
// after the request timeout.
func (c *client) request() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.ctx, c.srv.cfg.RequestTimeout)
}

// join makes the client watch session j.SessionID: it gets the joined
// reply, then the events it missed (or a resync), then live events, with no
// gap and no duplicate. Events the session hands the new membership before
// the reply is out wait in it (see membership).
func (c *client) join(j joinArgs, ack socketio.AckFunc) {
	ctx, cancel := c.request()
	defer cancel()
	if c.joinAtOwner(ctx, j, ack) {
		return
	}
	if c.member != nil && c.member.sid != j.SessionID {
		c.leaveCurrent(ctx)
	}
	m := newMembership(c, j.SessionID)
	res, err := c.srv.sessions.Join(ctx, j.SessionID, actors.Subscription{ClientID: c.id, Sub: m, LastSeq: j.LastSeq, MaxMissedBytes: c.catchUpBytes()})
	if err != nil {
		if errors.Is(err, actors.ErrUnavailable) && c.member == nil {
			c.member = m // the session may have added it after all (see actors.Client.Join): leave it
			c.leaveCurrent(ctx)
		}
		c.fail(ack, err)
		return
	}
	if c.member != nil {
		c.member.abandon() // a join again: the session replaced it with m
	}
	c.member = m
	joined := map[string]any{
		"session_id":     res.SessionID,
		"client_id":      res.ClientID,
		"active_clients": res.ActiveClients,
		"seq":            res.Seq,
	}
	m.release(func() {
		c.emit(evJoined, joined)
		c.answer(ack, joined)
		for _, ev := range res.Missed {
			c.sendEvent(ev)
		}
		if res.Resync != nil {
			c.emit(evResync, map[string]any{
				"session_id": res.SessionID,
				"seq":        res.Resync.Seq,
				"graph":      wire.NewGraph(res.Resync.Roots),
			})
		}
	})
}

// catchUpBytes bounds the missed events (their JSON) a join replays. They
// are sent at once, beside up to the queue's budget of live events, and a
// connection with more than MaxBufferedBytes waiting is closed: a client
// further behind would be dropped on every rejoin and never catch up, so it
// gets session:resync instead. Half the room is left for framing and
// replies; under NamesBoth a graph event goes out twice.
func (c *client) catchUpBytes() int {
	cfg := c.srv.sio.Engine().Config()
	n := max((cfg.MaxBufferedBytes-cfg.MaxQueueBytes)/2, 1)
	if c.hello.Names == NamesBoth {
		n = max(n/2, 1)
	}
	return n
}

// leave stops watching the session named in p (or the current one).
func (c *client) leave(p []byte, ack socketio.AckFunc) {
	sid, _, err := parseSessionField(p)
	if err != nil {
		c.fail(ack, err)
		return
	}
	current := c.watching()
	if sid == "" {
		sid = current
	}
	if sid == "" || sid != current {
		c.fail(ack, &model.InvalidRequestError{Field: "session_id", Reason: "this client has not joined that session"})
		return
	}
	ctx, cancel := c.request()
	defer cancel()
	c.leaveCurrent(ctx)
	left := map[string]string{"session_id": sid, "client_id": c.id}
	c.emit(evLeft, left)
	c.answer(ack, left)
}

// watching returns the session the client watches: "" when it joined none
// or the session let it go (closed, or replaced it).
func (c *client) watching() string {
	if c.member == nil || c.member.over() {
		return ""
	}
	return c.member.sid
}

// leaveCurrent ends the current membership, if any.
func (c *client) leaveCurrent(ctx context.Context) {
	m := c.member
	if m == nil {
		return
	}
	c.member = nil
	m.abandon()
	if m.over() {
		return // the session already let it go
	}
	if err := c.srv.sessions.Leave(ctx, m.sid, c.id); err != nil && !errors.Is(err, actors.ErrSessionNotFound) {
		c.logger().Warn("leave session failed", "session", m.sid, "err", err)
	}
}

// session returns the session a request is for: the one it names, or the
// one the client joined.
func (c *client) session(named string) (string, error) {
	if named != "" {
		return named, nil
	}
	if sid := c.watching(); sid != "" {
		return sid, nil
	}
	return "", &model.InvalidRequestError{Field: "session_id", Reason: "join a session first or name one"}
}

func (c *client) execute(p []byte, ack socketio.AckFunc) {
	req, err := wire.ParseCommandRequest(p)
	if err != nil {
		c.fail(ack, err)
		return
	}
	sid, err := c.session(req.SessionID)
	if err != nil {
		c.fail(ack, err)
		return
	}
	cmd, err := model.DecodeCommand(req.CommandType, req.Data)
	if err != nil {
		c.fail(ack, err)
		return
	}
	ctx, cancel := c.request()
	defer cancel()
	res, err := c.srv.sessions.Execute(ctx, sid, actors.ExecuteRequest{CommandID: req.CommandID, Command: cmd, IncludeGraph: req.IncludeGraph})
	if err != nil {
		c.failWithGraph(ack, err, res)
		return
	}
	c.answer(ack, res.Reply(req.IncludeGraph))
}

func (c *client) step(redo bool, p []byte, ack socketio.AckFunc) {
	named, commandID, withGraph, err := parseStep(p)
	if err != nil {
		c.fail(ack, err)
		return
	}
	sid, err := c.session(named)
	if err != nil {
		c.fail(ack, err)
		return
	}
	ctx, cancel := c.request()
	defer cancel()
	do := c.srv.sessions.Undo
	if redo {
		do = c.srv.sessions.Redo
	}
	res, err := do(ctx, sid, commandID, withGraph)
	if err != nil {
		c.failWithGraph(ack, err, res)
		return
	}
	c.answer(ack, res.Reply(withGraph))
}

// fail tells the client a request failed: an error event always, and the
// ack (when asked for) with the same error.
func (c *client) fail(ack socketio.AckFunc, err error) { c.failWithGraph(ack, err, nil) }

// failWithGraph is fail for a command, undo or redo the session refused:
// the ack carries the graph as it still is when the session sent one (the
// asker wants graphs, and the project is there), as the REST reply does.
func (c *client) failWithGraph(ack socketio.AckFunc, err error, res *actors.Executed) {
	we := wire.From(err)
	if budget, _ := we.Details["budget"].(string); we.Code == wire.CodeLimitExceeded || we.Code == wire.CodeRateLimited {
		c.srv.refused(we.Code, budget)
	}
	if we.Code == wire.CodeInternal {
		c.logger().Error("socket request failed", "session", c.watching(), "err", err)
	}
	c.emit(evError, we)
	reply := map[string]any{"success": false, "error": we}
	if res != nil && !res.Roots.IsZero() {
		reply["graph"] = wire.NewGraph(res.Roots)
	}
	c.answer(ack, reply)
}

func (c *client) answer(ack socketio.AckFunc, v any) {
	if ack != nil {
		_ = ack(v) // a gone socket has nothing left to answer
	}
}

func (c *client) emit(event string, v any) {
	_ = c.sock.Emit(event, v) // a gone socket ends through OnDisconnect
}

// dropSlow tells a client that let its queue fill why it goes: what was
// queued is dropped (it catches up with last_seq), the error and the
// disconnect go out at once.
func (c *client) dropSlow() {
	c.logger().Info("socket dropped", "reason", wire.CodeSlowConsumer)
	c.srv.slow.Add(1)
	c.srv.refused(wire.CodeSlowConsumer, "client_queue_bytes")
	c.sock.Conn().Discard()
	c.emit(evError, wire.Error{Code: wire.CodeSlowConsumer, Message: "events were not read fast enough; reconnect with last_seq to catch up"})
	_ = c.sock.Disconnect()
}

package ws

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
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

// requestBacklog bounds the requests a client may have waiting; past it the
// client is asked to slow down (RATE_LIMITED) rather than queue without end.
const requestBacklog = 64

// client is one socket's bridge to the session it watches. Handlers only
// queue requests; run handles them one at a time, in order.
type client struct {
	srv    *Server
	sock   *socketio.Socket
	id     string
	hello  hello
	reqs   chan request
	gone   chan struct{} // closed when the socket disconnects
	goneMu sync.Once
	// dropped carries the reason a session let this client go (the pump
	// tells run, which owns the membership).
	dropped chan dropNotice

	// Owned by run.
	sid  string
	pump *pump
}

type request struct {
	event string
	args  []json.RawMessage
	ack   socketio.AckFunc
}

type dropNotice struct {
	pump   *pump
	reason string
}

func newClient(srv *Server, sock *socketio.Socket, h hello) *client {
	c := &client{
		srv:     srv,
		sock:    sock,
		id:      sock.ID(),
		hello:   h,
		reqs:    make(chan request, requestBacklog),
		gone:    make(chan struct{}),
		dropped: make(chan dropNotice, 1),
	}
	for _, ev := range []string{evJoin, evLeave, evExecute, evUndo, evRedo, evPing} {
		sock.On(ev, func(args []json.RawMessage, ack socketio.AckFunc) { c.enqueue(ev, args, ack) })
	}
	sock.OnDisconnect(func(string) { c.goneMu.Do(func() { close(c.gone) }) })
	return c
}

// enqueue hands a request to run without blocking the socket's reader.
func (c *client) enqueue(event string, args []json.RawMessage, ack socketio.AckFunc) {
	select {
	case c.reqs <- request{event: event, args: args, ack: ack}:
	case <-c.gone:
	default:
		c.fail(ack, errTooManyRequests)
	}
}

var errTooManyRequests = errors.New("ws: too many requests waiting")

// run handles the client's requests until its socket goes, then leaves the
// session it watched.
func (c *client) run() {
	defer c.leaveCurrent()
	if c.hello.SessionID != "" {
		c.join(joinArgs{SessionID: c.hello.SessionID, LastSeq: c.hello.LastSeq}, nil)
	}
	for {
		select {
		case r := <-c.reqs:
			c.handle(r)
		case d := <-c.dropped:
			if d.pump == c.pump { // a notice from an earlier membership is stale
				c.pump, c.sid = nil, ""
			}
		case <-c.gone:
			return
		}
	}
}

func (c *client) handle(r request) {
	p, err := payload(r.args)
	if err != nil {
		c.fail(r.ack, err)
		return
	}
	switch r.event {
	case evJoin:
		j, err := parseJoin(r.args)
		if err != nil {
			c.fail(r.ack, err)
			return
		}
		c.join(j, r.ack)
	case evLeave:
		c.leave(p, r.ack)
	case evExecute:
		c.execute(p, r.ack)
	case evUndo, evRedo:
		c.undoRedo(r.event == evRedo, p, r.ack)
	case evPing:
		pong := map[string]string{"timestamp": time.Now().UTC().Format(time.RFC3339Nano)}
		c.emit(evPong, pong)
		c.answer(r.ack, pong)
	}
}

func (c *client) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.srv.cfg.RequestTimeout)
}

// join makes the client watch session sid: it gets the joined reply, then
// the events it missed (or a resync), then live events, with no gap.
func (c *client) join(j joinArgs, ack socketio.AckFunc) {
	c.stopPump()
	if c.sid != "" && c.sid != j.SessionID {
		c.leaveCurrent()
	}
	inbox := actors.NewQueue(c.srv.cfg.QueueSize)
	ctx, cancel := c.ctx()
	defer cancel()
	res, err := c.srv.sessions.Join(ctx, j.SessionID, actors.Subscription{ClientID: c.id, Sub: inbox, LastSeq: j.LastSeq})
	if err != nil {
		if errors.Is(err, actors.ErrUnavailable) {
			c.sid = j.SessionID // the session may have added us after all (see Sessions.Join): leave it
		}
		c.leaveCurrent() // a re-join that failed: the old membership has no pump any more
		c.fail(ack, err)
		return
	}
	c.sid = j.SessionID
	joined := map[string]any{
		"session_id":     res.SessionID,
		"client_id":      res.ClientID,
		"active_clients": res.ActiveClients,
		"seq":            res.Seq,
	}
	c.emit(evJoined, joined)
	c.answer(ack, joined)
	for _, ev := range res.Missed {
		c.emitEvent(ev)
	}
	if res.Resync != nil {
		c.emit(evResync, map[string]any{
			"session_id": res.SessionID,
			"seq":        res.Resync.Seq,
			"graph":      actors.Graph{Roots: nonNil(res.Resync.Roots)},
		})
	}
	c.pump = startPump(c, inbox)
}

// leave stops watching the session named in p (or the current one).
func (c *client) leave(p []byte, ack socketio.AckFunc) {
	sid, _, err := parseSessionField(p)
	if err != nil {
		c.fail(ack, err)
		return
	}
	if sid == "" {
		sid = c.sid
	}
	if sid == "" || sid != c.sid {
		c.fail(ack, &model.InvalidRequestError{Field: "session_id", Reason: "this client has not joined that session"})
		return
	}
	c.leaveCurrent()
	left := map[string]string{"session_id": sid, "client_id": c.id}
	c.emit(evLeft, left)
	c.answer(ack, left)
}

// leaveCurrent ends the current membership, if any.
func (c *client) leaveCurrent() {
	c.stopPump()
	if c.sid == "" {
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	if err := c.srv.sessions.Leave(ctx, c.sid, c.id); err != nil && !errors.Is(err, actors.ErrSessionNotFound) {
		c.srv.cfg.Logger.Warn("leave session failed", "session", c.sid, "client", c.id, "err", err)
	}
	c.sid = ""
}

func (c *client) stopPump() {
	if c.pump != nil {
		c.pump.stop()
		c.pump = nil
	}
}

// session returns the session a request is for: the one it names, or the
// one the client joined.
func (c *client) session(named string) (string, error) {
	switch {
	case named != "":
		return named, nil
	case c.sid != "":
		return c.sid, nil
	}
	return "", &model.InvalidRequestError{Field: "session_id", Reason: "join a session first or name one"}
}

func (c *client) execute(p []byte, ack socketio.AckFunc) {
	req, err := model.ParseCommandRequest(p)
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
	ctx, cancel := c.ctx()
	defer cancel()
	res, err := c.srv.sessions.Execute(ctx, sid, actors.ExecuteRequest{CommandID: req.CommandID, Command: cmd, IncludeGraph: req.IncludeGraph})
	if err != nil {
		c.fail(ack, err)
		return
	}
	c.answer(ack, res.Reply(req.IncludeGraph))
}

func (c *client) undoRedo(redo bool, p []byte, ack socketio.AckFunc) {
	named, commandID, err := parseSessionField(p)
	if err != nil {
		c.fail(ack, err)
		return
	}
	sid, err := c.session(named)
	if err != nil {
		c.fail(ack, err)
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	step := c.srv.sessions.Undo
	if redo {
		step = c.srv.sessions.Redo
	}
	res, err := step(ctx, sid, commandID)
	if err != nil {
		c.fail(ack, err)
		return
	}
	c.answer(ack, res.Reply(true))
}

// fail tells the client a request failed: an error event always, and the
// ack (when asked for) with the same error.
func (c *client) fail(ack socketio.AckFunc, err error) {
	we := wireError(err)
	if we.Code == actors.CodeInternal {
		c.srv.cfg.Logger.Error("socket request failed", "client", c.id, "err", err)
	}
	c.emit(evError, we)
	c.answer(ack, map[string]any{"success": false, "error": we})
}

// wireError maps err to the SPEC's codes with the one table in actors.
func wireError(err error) actors.WireError {
	if errors.Is(err, errTooManyRequests) {
		return actors.WireError{Code: actors.CodeRateLimited, Message: "too many requests waiting; slow down"}
	}
	return actors.NewWireError(err)
}

func (c *client) answer(ack socketio.AckFunc, v any) {
	if ack != nil {
		_ = ack(v) // a gone socket has nothing left to answer
	}
}

func (c *client) emit(event string, v any) {
	_ = c.sock.Emit(event, v) // a gone socket ends run through gone
}

// emitEvent sends a session event under the name this client asked for.
func (c *client) emitEvent(ev *actors.Event) error {
	name := ev.Name
	if c.hello.Legacy {
		name = model.LegacyName(name)
	}
	return c.sock.EmitRaw(name, ev.JSON)
}

func nonNil(roots []model.TreeNode) []model.TreeNode {
	if roots == nil {
		return []model.TreeNode{}
	}
	return roots
}

package actors

import (
	"errors"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// errNotLive means the session's actor is not running: it was passivated
// (or is stopping to be). askSession then has the registry bring it back
// from the store and asks again; clients never see it.
var errNotLive = errors.New("actors: session not in memory")

// gate is a session's mailbox middleware. Protoactor drops, silently, the
// requests still in a stopped actor's mailbox (and those posted while it
// stopped), leaving their askers to time out. Once the session has stopped,
// the gate answers each of them instead: errNotLive after a passivation, so
// the asker brings the session back; ErrSessionNotFound after a close;
// ErrUnavailable at shutdown.
type gate struct {
	system *actor.ActorSystem
	err    atomic.Pointer[error]
}

// shut makes the gate answer every later request with err.
func (g *gate) shut(err error) { g.err.Store(&err) }

// MessageReceived runs after the actor handled (or, stopped, dropped) m.
func (g *gate) MessageReceived(m any) {
	p := g.err.Load()
	if p == nil {
		return
	}
	env, ok := m.(*actor.MessageEnvelope)
	if !ok || env.Sender == nil {
		return
	}
	if req, ok := env.Message.(request); ok {
		g.system.Root.Send(env.Sender, req.failed(*p))
	}
}

// MailboxStarted is part of actor.MailboxMiddleware.
func (*gate) MailboxStarted() {}

// MessagePosted is part of actor.MailboxMiddleware.
func (*gate) MessagePosted(any) {}

// MailboxEmpty is part of actor.MailboxMiddleware.
func (*gate) MailboxEmpty() {}

package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// idleClock is a session's receive timeout: it fires (idleTimeout) once the
// session received nothing but quiet requests (actor.NotInfluenceReceiveTimeout)
// for Config.IdleTimeout, and the session then asks the registry to
// passivate it.
//
// It is protoactor's receive timeout semantics without c.SetReceiveTimeout:
// at the version we use (and upstream, asynkron/protoactor-go#1139) that
// timer's callback writes the actor context's timeout fields from the
// timer's goroutine while the actor reads them, a data race -race reports
// within seconds (a read in flight when the timer fires), and which can
// nil-dereference the timer in InvokeUserMessage. Here the timer's callback
// only sends a message; every field is the actor's.
//
// Activity does not reset a timer: it only moves activeAt. The timer is
// armed at most once at a time (pending until its tick is handled), and a
// tick that comes early arms it again for what is left, so a busy session
// costs one timer per IdleTimeout, not one reset per message. While clients
// watch the session the clock is not armed: they keep it anyway, and the
// last one leaving is activity that starts a whole IdleTimeout.
type idleClock struct {
	timeout  time.Duration // 0: the session never passivates
	activeAt time.Time     // the last request that counted as activity
	timer    *time.Timer   // made on first use
	pending  bool          // the timer runs, or its tick is on its way
}

// activity records a request that is not quiet.
func (k *idleClock) activity(msg any, now time.Time) {
	if _, q := msg.(actor.NotInfluenceReceiveTimeout); !q {
		k.activeAt = now
	}
}

// arm starts the timer for when the session will have been idle for the
// whole timeout, unless it already runs.
func (k *idleClock) arm(c actor.Context) {
	if k.pending || k.timeout <= 0 {
		return
	}
	k.armFor(c, max(time.Until(k.activeAt.Add(k.timeout)), time.Millisecond))
}

func (k *idleClock) armFor(c actor.Context, d time.Duration) {
	k.pending = true
	if k.timer != nil {
		k.timer.Reset(d)
		return
	}
	system, self := c.ActorSystem(), c.Self()
	k.timer = time.AfterFunc(d, func() { system.Root.Send(self, &idleTimeout{}) })
}

// fired takes the tick; it reports whether the session has been idle for
// the whole timeout (a tick can come early: activity moved activeAt after
// the timer was armed).
func (k *idleClock) fired(now time.Time) bool {
	k.pending = false
	return now.Sub(k.activeAt) >= k.timeout
}

// stop stops the timer for good: the session is gone.
func (k *idleClock) stop() {
	if k.timer != nil {
		k.timer.Stop()
	}
	k.pending = true // never armed again
}

// idle runs when the receive timeout fires. A session nobody watches
// checkpoints and asks the registry to passivate it; the registry agrees
// only if it sent nothing since (handled says how much came), else the
// session, busy again, asks again after another timeout. A failed
// checkpoint keeps it in memory: its journal is intact, but a checkpoint
// that fails now is likely to fail at shutdown too, and memory is the
// safer place meanwhile.
func (s *session) idle(c actor.Context, now time.Time) {
	if !s.idleClock.fired(now) || s.closed || len(s.subs) > 0 {
		return // Receive arms it again as it must: for the rest, or not while watched
	}
	// Asked (or kept by a failed checkpoint): look again a whole timeout
	// later if the registry does not stop it.
	defer s.idleClock.armFor(c, s.idleClock.timeout)
	if s.broken == nil && s.stale() {
		if err := s.checkpoint(); err != nil {
			s.log.Warn("session idle but its checkpoint failed; it stays in memory", "err", err)
			return
		}
	}
	s.log.Debug("session idle, asking to passivate", "seq", s.seq)
	c.Send(s.registry, &sessionIdle{SessionID: s.id, Gen: s.gen, Handled: s.handled, Summary: s.summary()})
}

package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// minIdleWait keeps the idle timer from spinning when lastActivity is
// already past the timeout.
const minIdleWait = time.Millisecond

// scheduleIdle arms the idle timer: it fires when the session will have
// been idle for IdleTimeout, or after IdleTimeout while clients watch. The
// first check after start waits a whole IdleTimeout, so a session brought
// back by a request that is not "activity" (Info) is not sent away at once.
func (s *session) scheduleIdle(first bool) {
	if s.cfg.Store == nil || s.cfg.IdleTimeout <= 0 || s.system == nil {
		return
	}
	wait := s.cfg.IdleTimeout
	if !first && len(s.subs) == 0 {
		wait = max(time.Until(s.lastActivity.Add(s.cfg.IdleTimeout)), minIdleWait)
	}
	s.stopIdleTimer() // one armed timer at most
	s.idleTick++
	system, self, check := s.system, s.self, &idleCheck{Gen: s.gen, Tick: s.idleTick}
	s.idleTimer = time.AfterFunc(wait, func() { system.Root.Send(self, check) })
}

func (s *session) stopIdleTimer() {
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
}

// checkIdle passivates the session when nobody watches it and nobody used
// it for IdleTimeout, and otherwise rearms the timer. A check that is not
// from the armed timer (a late one, or one meant for an earlier incarnation
// of this session) is ignored: acting on it would arm a second timer.
func (s *session) checkIdle(c actor.Context, m *idleCheck) {
	if s.idleTimer == nil || m.Gen != s.gen || m.Tick != s.idleTick {
		return
	}
	s.idleTimer = nil // it fired
	if s.closed || s.passivated {
		return
	}
	if len(s.subs) == 0 && time.Since(s.lastActivity) >= s.cfg.IdleTimeout {
		if s.passivate(c) {
			return
		}
	}
	s.scheduleIdle(false)
}

// passivate checkpoints the session and stops it; the registry keeps its
// summary and brings it back on the next request. A failed checkpoint keeps
// it in memory: its journal is intact, but a checkpoint that fails now is
// likely to fail at shutdown too, and memory is the safer place meanwhile.
func (s *session) passivate(c actor.Context) bool {
	if s.broken == nil && s.dirty() {
		if err := s.checkpoint(); err != nil {
			s.log.Warn("session idle but its checkpoint failed; it stays in memory", "err", err)
			return false
		}
	}
	s.passivated = true
	var sum *SessionSummary
	if s.broken == nil {
		v := s.summary()
		sum = &v
	}
	c.Send(c.Parent(), &sessionEnded{SessionID: s.id, Gen: s.gen, Summary: sum})
	s.log.Info("session idle, passivating", "seq", s.seq)
	c.Stop(c.Self())
	return true
}

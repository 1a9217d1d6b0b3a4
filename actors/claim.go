package actors

import (
	"sync/atomic"
	"time"
)

// claim decides whether a request happens, between its asker, who stops
// waiting at its deadline, and the actor that handles it, which may be
// making it durable at that very moment. Whoever moves it out of pending
// first wins:
//
//   - the actor starts it (start) before the part that cannot be taken
//     back (the journal write, a checkpoint, a delete): from then on the
//     asker waits for the answer, which is the outcome, even past its
//     deadline (ask, bounded by one more request timeout);
//   - the asker abandons it (abandon) when it stops waiting: the actor,
//     when it comes to it, refuses it or takes back what it had applied,
//     and the asker's ErrUnavailable means "not done".
//
// An actor that comes to a request past its deadline abandons it itself,
// so a long command that finishes late is taken back even when its
// asker's timer has not fired yet.
type claim struct{ state atomic.Int32 }

// States of a claim.
const (
	pending int32 = iota
	started
	abandoned
)

// start claims the request for the actor; false means its asker gave up
// (or its deadline passed): it must not happen. Starting twice is fine.
func (a *asks[T]) start(now time.Time) bool {
	a.expire(now)
	a.claim.state.CompareAndSwap(pending, started)
	return a.claim.state.Load() == started
}

// givenUp reports whether the asker gave up (or the deadline passed)
// without claiming the request: the actor's first look at one it claims
// later.
func (a *asks[T]) givenUp(now time.Time) bool {
	a.expire(now)
	return a.claim.state.Load() == abandoned
}

// abandon is the asker giving up; false means the actor started the request
// already: its answer is coming and is the outcome.
func (a *asks[T]) abandon() bool {
	a.claim.state.CompareAndSwap(pending, abandoned)
	return a.claim.state.Load() == abandoned
}

func (a *asks[T]) expire(now time.Time) {
	if !a.Deadline.IsZero() && now.After(a.Deadline) {
		a.claim.state.CompareAndSwap(pending, abandoned)
	}
}

// claimer is a request as the actor that handles it claims it.
type claimer interface {
	start(now time.Time) bool
	givenUp(now time.Time) bool
}

// lateClaim marks the requests whose handler claims them itself, just
// before their change becomes durable, instead of the session as it takes
// them: what they do first (apply a command, build an imported graph) can
// be taken back and may be long, so one that outlasts its deadline is taken
// back rather than holding its asker past it.
type lateClaim struct{}

func (lateClaim) claimsLate() {}

// late reports whether msg's handler claims it itself.
func late(msg any) bool {
	_, ok := msg.(interface{ claimsLate() })
	return ok
}

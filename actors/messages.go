package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/model"
)

// Messages are plain values: no pointers into a graph, no channels, no funcs.
// Two exceptions: Subscription.Sub, the subscriber's queue, the way a PID
// would be; and a request's claim, the one cell its asker and its handler
// both touch (atomically), which decides whether it happens (claim.go).
// Every request embeds asks[T]: its reply is a *reply[T], which carries the
// domain error inside.

// reply answers a request: the value asked for, or the error that stopped it.
type reply[T any] struct {
	Value T
	Err   error
}

// asks declares that a request is answered with a *reply[T], sent to
// ReplyTo. The address travels in the message, not in protoactor's envelope,
// so the registry can pass a request on as it is and the session sees the
// bare message (which is how it tells quiet requests from activity).
// Deadline is when its asker stops waiting (zero: never); claim decides,
// between the asker and the actor, whether the request happens at all
// (claim.go), so "unavailable" never means "done after all".
type asks[T any] struct {
	ReplyTo  *actor.PID
	Deadline time.Time
	claim    claim
}

// answer replies to the asker.
func (a *asks[T]) answer(c actor.SenderContext, v T, err error) {
	c.Send(a.ReplyTo, &reply[T]{Value: v, Err: err})
}

func (a *asks[T]) refuse(c actor.SenderContext, err error) {
	c.Send(a.ReplyTo, &reply[T]{Err: err})
}

func (a *asks[T]) address(replyTo *actor.PID, deadline time.Time) {
	a.ReplyTo, a.Deadline = replyTo, deadline
}

// request is any message that expects a reply. Requests are sent as
// pointers; the asker addresses them once, before sending.
type request interface {
	refuse(c actor.SenderContext, err error)
	address(replyTo *actor.PID, deadline time.Time)
	claimer
	abandon() bool
}

// quiet marks the requests that are not activity: they do not restart a
// session's idle clock (its receive timeout), so they never keep it in
// memory; if it leaves, the next one brings it back. They are the reads,
// which change nothing a checkpoint would not hold, and closeSession, which
// either ends the session or is cleanup's probe of an idle one. The marker
// is protoactor's own, actor.NotInfluenceReceiveTimeout.
type quiet struct{}

// NotInfluenceReceiveTimeout implements actor.NotInfluenceReceiveTimeout.
func (quiet) NotInfluenceReceiveTimeout() {}

// Requests a session handles. The registry routes each of them to its
// session (toSession).
type (
	// execute runs a command.
	execute struct {
		asks[*Executed]
		lateClaim
		Req ExecuteRequest
	}
	// undo reverses the newest step of the undo stack. CommandID names the
	// undo itself, so a retried undo is answered again and not applied twice.
	undo struct {
		asks[*Executed]
		lateClaim
		CommandID    string
		IncludeGraph bool
	}
	// redo applies again the newest step of the redo stack.
	redo struct {
		asks[*Executed]
		lateClaim
		CommandID    string
		IncludeGraph bool
	}
	// resetDirty marks the project as saved without saving it (a client
	// that discards its changes); the reply is the session's info.
	resetDirty struct {
		asks[*Info]
	}
	// createProject opens a new project from a template, replacing the
	// session's graph.
	createProject struct {
		asks[*Project]
		lateClaim
		TemplateID string
		Name       string
	}
	// openFile opens a project file (validated again here) as ProjectID,
	// replacing the session's graph: a load or an import.
	openFile struct {
		asks[*Project]
		lateClaim
		ProjectID string
		File      []byte
	}
	// saveProject writes the open project, which must be ProjectID, to the
	// store; the reply is when.
	saveProject struct {
		asks[time.Time]
		ProjectID string
	}
	join struct {
		asks[*Joined]
		Subscription
	}
	leave struct {
		asks[struct{}]
		ClientID string
	}
	// closeSession ends the session. With IdleBefore set it does so only when
	// no client watches and the last activity was before IdleBefore: the
	// check runs where the state is, so a client joining meanwhile is never
	// lost. The reply says whether the session closed.
	closeSession struct {
		asks[bool]
		quiet
		IdleBefore time.Time
	}

	getInfo struct {
		asks[*Info]
		quiet
	}
	// ready asks whether the session serves: it is answered after the
	// session stored (or restored) itself, with the error if that failed.
	ready struct {
		asks[struct{}]
		quiet
	}
	getTree struct {
		asks[*Tree]
		quiet
	}
	// getNode asks for one node; with ProjectID set, only of that project.
	getNode struct {
		asks[*model.NodeView]
		quiet
		ProjectID string
		NodeID    string
	}
	// search searches the graph; with ProjectID set, only that project's.
	search struct {
		asks[[]model.SearchResult]
		quiet
		ProjectID string
		Query     model.SearchQuery
	}
	// eventsAfter asks for the kept events with a seq above Seq: up to
	// Limit of them, and no more bytes than MaxBytes past the first.
	eventsAfter struct {
		asks[*EventsPage]
		quiet
		Seq      uint64
		Limit    int
		MaxBytes int
	}
	// exportProject asks for the open project, which must be ProjectID, as
	// a project file.
	exportProject struct {
		asks[[]byte]
		quiet
		ProjectID string
	}
	// getProject asks for the open project, which must be ProjectID.
	getProject struct {
		asks[*Project]
		quiet
		ProjectID string
	}
)

// EventsPage is a page of a session's kept events.
type EventsPage struct {
	Events []*Event
	Seq    uint64 // the session's seq when it answered
	More   bool   // events after the last of Events are kept too: ask again after it
}

// Requests the registry handles itself.
type (
	// toSession routes Msg to session SessionID: forwarded at once when
	// the session is in memory, after bringing it back when it is stored,
	// or held until it can be when it is stopping. The session answers the
	// asker directly.
	toSession struct {
		SessionID string
		Msg       request
	}
	// spawnSession starts a new, empty session named SessionID.
	spawnSession struct {
		asks[string]
		SessionID string
	}
	// listSessions asks for a page of the sessions the registry knows, in
	// creation order, after the key After (nil: from the start), with what
	// it knows of each.
	listSessions struct {
		asks[sessionPage]
		After *orderKey
		Limit int
	}
	// sessionIDs asks for the id of every session (cleanup).
	sessionIDs struct {
		asks[[]string]
	}
	// countSessions asks how many sessions there are, live or passive.
	countSessions struct {
		asks[int]
	}
	// describe asks what the registry knows of a session (tests).
	describe struct {
		asks[entryView]
		SessionID string
	}
	// findProject asks which session has ProjectID open: the one that
	// opened it last, of those that still have it open.
	findProject struct {
		asks[string]
		ProjectID string
	}
	// stopAll stops every session; the reply comes once all have stopped.
	stopAll struct {
		asks[struct{}]
	}
	// adopt adds a session another server made, passive: its next request
	// loads it from the journal (Client.Adopt).
	adopt struct {
		asks[struct{}]
		SessionID string
	}
)

// idleTimeout is a session's receive timeout firing: it received nothing
// but quiet requests for Config.IdleTimeout (see idleClock).
type idleTimeout struct{}

// disown drops a session another server owns now (Client.Disown).
type disown struct{ SessionID string }

// Messages a session tells the registry. Gen names the incarnation that
// sent it, so a late word of an earlier one is ignored.
type (
	// sessionIdle asks the registry to passivate the session: its receive
	// timeout fired and nobody watches it. Handled counts the requests the
	// session received; the registry agrees only when it forwarded no more
	// than that, so nothing is left in the mailbox when the session stops.
	// Summary is what List shows while it is stored.
	sessionIdle struct {
		SessionID string
		Gen       uint64
		Handled   uint64
		Summary   SessionSummary
	}
	// sessionClosed says the session closed for good.
	sessionClosed struct {
		SessionID string
		Gen       uint64
	}
	// projectOpened says the session opened a project.
	projectOpened struct {
		SessionID string
		Gen       uint64
		ProjectID string
	}
)

// entryView answers describe.
type entryView struct {
	Live      bool
	Draining  bool // its actor is stopping; requests wait
	Gen       uint64
	Forwarded uint64
	Parked    int
	Children  int // the registry's own children: none, sessions are spawned from the root
}

// passiveDeleted reports to the registry how deleting a stored session
// from the store, off its goroutine, went.
type passiveDeleted struct {
	SessionID string
	Err       error
}

// sessionPage answers listSessions.
type sessionPage struct {
	Rows  []listed
	Total int
	Next  *orderKey // where the next page starts; nil when this is the last
}

// listed is one session in the registry's list. Summary is what the
// registry knows: exact for a passive session (as it left), a stand-in for
// a live one that does not answer.
type listed struct {
	SessionID string
	Live      bool
	Summary   SessionSummary
}

// parked is a request held by the registry for a session that is stopping
// or being deleted, with the asker to answer.
type parked struct {
	msg    request
	sender *actor.PID
}

// toSession is addressed, refused and claimed as the request it carries.
func (m *toSession) address(replyTo *actor.PID, deadline time.Time) { m.Msg.address(replyTo, deadline) }
func (m *toSession) refuse(c actor.SenderContext, err error)        { m.Msg.refuse(c, err) }
func (m *toSession) start(now time.Time) bool                       { return m.Msg.start(now) }
func (m *toSession) givenUp(now time.Time) bool                     { return m.Msg.givenUp(now) }
func (m *toSession) abandon() bool                                  { return m.Msg.abandon() }

// IgnoreDeadLetterLogging: a session may stop while its timeout is on its way.
func (*idleTimeout) IgnoreDeadLetterLogging() {}

// NotInfluenceReceiveTimeout: the timeout itself is not activity.
func (*idleTimeout) NotInfluenceReceiveTimeout() {}

package actors

import (
	"time"

	"github.com/talus-tally/server/model"
)

// Messages are plain values: no pointers into a graph, no channels, no funcs
// (Subscription.Sub, the subscriber's inbox, is the one exception, the way a
// PID would be). Every request embeds asks[T]: its reply is a *reply[T],
// which carries the domain error inside. The future's own errors
// (ErrTimeout, ErrDeadLetter) mean no answer came at all.

// reply answers a request: the value asked for, or the error that stopped it.
type reply[T any] struct {
	Value T
	Err   error
}

// IgnoreDeadLetterLogging keeps a late reply, to an asker that gave up
// waiting, out of the dead-letter log: the asker already got ErrUnavailable.
func (*reply[T]) IgnoreDeadLetterLogging() {}

// asks declares that a request is answered with a *reply[T]. Deadline is
// when its asker stops waiting (zero: never): a request still queued then is
// answered ErrUnavailable and not handled, so a command whose caller was told
// "unavailable" cannot happen later behind its back.
type asks[T any] struct {
	Deadline time.Time
}

// failed builds the reply a request gets when it could not be handled: the
// session is closed, or handling it panicked.
func (asks[T]) failed(err error) any { return &reply[T]{Err: err} }

func (a *asks[T]) setDeadline(t time.Time) { a.Deadline = t }

func (a *asks[T]) expired(now time.Time) bool {
	return !a.Deadline.IsZero() && now.After(a.Deadline)
}

// request is any message that expects a reply. Requests are sent as
// pointers; the asker sets the deadline once, before the first send.
type request interface {
	failed(err error) any
	setDeadline(t time.Time)
	expired(now time.Time) bool
}

// Messages a session accepts.
type (
	// execute runs a command.
	execute struct {
		asks[*Executed]
		Req ExecuteRequest
	}
	// undo reverses the newest step of the undo stack. CommandID names the
	// undo itself, so a retried undo is answered again and not applied twice.
	undo struct {
		asks[*Executed]
		CommandID string
	}
	// redo applies again the newest step of the redo stack.
	redo struct {
		asks[*Executed]
		CommandID string
	}
	// createProject opens a new project from a template, replacing the
	// session's graph.
	createProject struct {
		asks[*Project]
		TemplateID string
		Name       string
	}
	getInfo struct {
		asks[*Info]
	}
	// ready asks whether the session serves: it is answered after the
	// session stored (or restored) itself, with the error if that failed.
	ready struct {
		asks[struct{}]
	}
	getTree struct {
		asks[*Tree]
	}
	// getNode asks for one node; with ProjectID set, only of that project.
	getNode struct {
		asks[*model.NodeView]
		ProjectID string
		NodeID    string
	}
	// search searches the graph; with ProjectID set, only that project's.
	search struct {
		asks[[]model.SearchResult]
		ProjectID string
		Query     model.SearchQuery
	}
	// eventsAfter asks for the kept events with a seq above Seq.
	eventsAfter struct {
		asks[*eventsPage]
		Seq uint64
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
	// check runs inside the session, so a client joining meanwhile is never
	// lost. The reply says whether the session closed.
	closeSession struct {
		asks[bool]
		IdleBefore time.Time
	}
	// saveProject writes the open project, which must be ProjectID, to the
	// store; the reply is when.
	saveProject struct {
		asks[time.Time]
		ProjectID string
	}
	// openFile opens a project file (validated again here) as ProjectID,
	// replacing the session's graph: a load or an import.
	openFile struct {
		asks[*Project]
		ProjectID string
		File      []byte
	}
	// exportProject asks for the open project, which must be ProjectID, as
	// a project file.
	exportProject struct {
		asks[[]byte]
		ProjectID string
	}
	// getProject asks for the open project, which must be ProjectID.
	getProject struct {
		asks[*Project]
		ProjectID string
	}
)

// Messages a session sends itself.
type (
	// idleCheck comes from the session's idle timer. Gen and Tick name the
	// incarnation and the arming it belongs to: a check that is not the
	// current timer's (a late one, or an earlier incarnation's) is ignored.
	idleCheck struct {
		Gen  uint64
		Tick uint64
	}
)

// IgnoreDeadLetterLogging: a timer may fire just after its session stopped.
func (*idleCheck) IgnoreDeadLetterLogging() {}

// eventsPage answers eventsAfter.
type eventsPage struct {
	Events []*Event
	Seq    uint64 // the session's seq when it answered
}

// Messages the registry accepts.
type (
	// spawnSession starts a session named SessionID.
	spawnSession struct {
		asks[string]
		SessionID string
	}
	// listSessions asks for every session the registry knows, with what it
	// knows of each.
	listSessions struct {
		asks[[]listed]
	}
	// countSessions asks how many sessions there are, live or passive.
	countSessions struct {
		asks[int]
	}
	// activate asks the registry to bring a stored session back into
	// memory. The reply says whether it spawned one; false means the session
	// is still live (or just stopping): ask it again.
	activate struct {
		asks[bool]
		SessionID string
	}
	// closePassive closes a session that is not in memory, like
	// closeSession, without loading it. Live means the session is in memory:
	// ask it instead.
	closePassive struct {
		asks[passiveClosed]
		SessionID  string
		IdleBefore time.Time
	}
	// isLive asks whether a session is in memory (tests).
	isLive struct {
		asks[bool]
		SessionID string
	}
	// findProject asks which session has ProjectID open: the one that
	// opened it last, of those that still have it open.
	findProject struct {
		asks[string]
		ProjectID string
	}
	// projectOpened is told (not asked) by a session when it opens a
	// project; the registry learns of closed sessions by their Terminated.
	projectOpened struct {
		SessionID string
		ProjectID string
	}
	// sessionEnded is told by a session before it stops for good (Closed)
	// or leaves memory (Summary is then what List shows meanwhile). Gen tells
	// a late message of an earlier incarnation from the current one.
	sessionEnded struct {
		SessionID string
		Gen       uint64
		Closed    bool
		Summary   *SessionSummary
	}
)

// listed is one session in the registry's list. Summary is what the
// registry knows: exact for a passive session (as it left), a stand-in for
// a live one that does not answer.
type listed struct {
	SessionID string
	Live      bool
	Summary   SessionSummary
}

// passiveClosed answers closePassive.
type passiveClosed struct {
	Closed bool
	Live   bool
}

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

// asks declares that a request is answered with a *reply[T].
type asks[T any] struct{}

// failed builds the reply a request gets when it could not be handled: the
// session is closed, or handling it panicked.
func (asks[T]) failed(err error) any { return &reply[T]{Err: err} }

// request is any message that expects a reply.
type request interface{ failed(err error) any }

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
	getNode struct {
		asks[*model.NodeView]
		NodeID string
	}
	search struct {
		asks[[]model.SearchResult]
		Query model.SearchQuery
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
	// idleCheck comes from the session's idle timer.
	idleCheck struct{}
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
	// listSessions asks for every session the registry knows: live ones
	// by id, passive ones with their last summary.
	listSessions struct {
		asks[[]listed]
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
	// findProject asks which session has ProjectID open.
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

// listed is one session in the registry's list.
type listed struct {
	SessionID string
	Passive   *SessionSummary // nil when the session is in memory
}

// passiveClosed answers closePassive.
type passiveClosed struct {
	Closed bool
	Live   bool
}

package actors

import (
	"sync/atomic"
	"time"

	"github.com/talus-tally/server/model/wire"
)

// Event is one numbered event of a session. It is built once by the session
// actor and then shared, read-only, by every subscriber: JSON is the complete
// wire payload (event, session_id, project_id, seq, timestamp, command_id?
// and the payload's fields), encoded once however many clients watch.
type Event struct {
	Seq       uint64
	Name      string // model.Event* name
	SessionID string
	ProjectID string
	CommandID string
	Timestamp time.Time
	JSON      []byte // do not modify
	// fields is where JSON's payload part starts (wire.AppendEventSplit),
	// so the journal can keep the payload without the envelope; 0 for an
	// event read back from storage, which is never journaled again. For a
	// packed event, it is the length of its JSON as sent.
	fields int32
	// packed says JSON is deflated: a large event as the history keeps it
	// (eventRing). Such an Event never leaves the ring.
	packed bool

	// frames caches forms of JSON that an edge builds for its clients
	// (a Socket.IO packet per namespace and naming), so that each is built
	// once per event, not once per client.
	frames [maxFrames]atomic.Pointer[[]byte]
}

// maxFrames is how many cached forms an Event holds.
const maxFrames = 8

// Frame returns the cached form number key of the event, building it with
// build the first time. Concurrent callers may both build; one result wins
// and both are equal. A key outside 0..7 is built every time.
func (e *Event) Frame(key int, build func() []byte) []byte {
	if key < 0 || key >= maxFrames {
		return build()
	}
	if p := e.frames[key].Load(); p != nil {
		return *p
	}
	b := build()
	if e.frames[key].CompareAndSwap(nil, &b) {
		return b
	}
	return *e.frames[key].Load()
}

// header is the event's envelope, for wire.AppendEvent.
func (e *Event) header() wire.EventHeader {
	return wire.EventHeader{Name: e.Name, SessionID: e.SessionID, ProjectID: e.ProjectID, Seq: e.Seq, Timestamp: e.Timestamp, CommandID: e.CommandID}
}

// Subscriber is a session watcher's outgoing queue. The session actor calls
// it and never waits on it: Deliver returns false at once when the queue
// cannot take ev, and the session then drops the subscriber with reason
// ReasonSlowConsumer. Closed tells the subscriber the session let it go;
// it must not block either.
type Subscriber interface {
	Deliver(ev *Event) bool
	Closed(reason string)
}

// Reasons a session gives a Subscriber in Closed.
const (
	ReasonSlowConsumer  = wire.CodeSlowConsumer // the client is told this code too
	ReasonSessionClosed = "SESSION_CLOSED"
	ReasonReplaced      = "REPLACED" // the same client id joined again with another queue
	ReasonShutdown      = "SERVER_SHUTDOWN"
)

// Payloads of the events the session itself causes (the graph events carry
// model payloads). Their fields are merged into Event.JSON next to the
// envelope, so none of them repeats an envelope field.

// CommandExecuting is the payload of command:executing.
type CommandExecuting struct {
	CommandType string `json:"command_type"`
}

// CommandExecuted is the payload of command:executed.
type CommandExecuted struct {
	CommandType string `json:"command_type"`
	Result      any    `json:"result"`
}

// CommandFailed is the payload of command:failed.
type CommandFailed struct {
	CommandType string     `json:"command_type"`
	Error       wire.Error `json:"error"`
}

// CommandUndoRedo is the payload of command:undo and command:redo, sent
// after the graph events the step caused. CommandType is the type of the
// command undone or redone.
type CommandUndoRedo struct {
	CommandType string `json:"command_type"`
}

// SessionClient is the payload of session:connected and
// session:disconnected. ClientCount is the count after the change.
type SessionClient struct {
	ClientID    string `json:"client_id"`
	ClientCount int    `json:"client_count"`
}

// ProjectLoaded is the payload of project:loaded; the project id is the
// envelope's project_id.
type ProjectLoaded struct {
	Graph wire.Graph `json:"graph"`
}

// ProjectSaved is the payload of project:saved; the project id is the
// envelope's project_id.
type ProjectSaved struct {
	SavedAt string `json:"saved_at"`
}

package actors

import "time"

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
	Data      any    // the model payload, or one of this package's session payloads; json.RawMessage of JSON for an event restored from the store
	JSON      []byte // do not modify
}

// Subscriber is a session watcher's inbox. The session actor calls it and
// must never wait on it: Deliver returns false at once when the inbox is
// full, and the session then drops the subscriber with reason SLOW_CONSUMER.
// Closed tells the subscriber the session let it go (SLOW_CONSUMER,
// SESSION_CLOSED); it must not block either.
type Subscriber interface {
	Deliver(ev *Event) bool
	Closed(reason string)
}

package actors

import (
	"log/slog"
	"time"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// Config configures the session layer. Zero values take the defaults.
type Config struct {
	Catalog        *model.Catalog
	RequestTimeout time.Duration // default 5s; a request's context deadline wins when sooner
	UndoLimit      int           // undo steps kept, default 1000
	HistoryLimit   int           // events kept per session for replay, default 10000
	CommandIDLimit int           // command ids remembered for retries, default 10000
	Logger         *slog.Logger

	// Store makes sessions durable: every acknowledged change is journaled
	// before its reply, and Start brings back every stored session. Saved
	// projects live there too. nil keeps everything in memory only. The
	// caller opens it before Start and closes it after Stop.
	Store *store.Store
	// IdleTimeout takes a session with no clients and no activity for this
	// long out of memory (with a Store only); its next request brings it
	// back. 0 never does. Not with a store opened Disabled (benchmarks):
	// that store keeps nothing to bring back.
	IdleTimeout time.Duration
	// CheckpointEvery is how many journal records a session writes between
	// checkpoints of its whole state, default 1000.
	CheckpointEvery int
}

// SessionSummary is one row of GET /sessions.
type SessionSummary struct {
	SessionID     string    `json:"session_id"`
	CreatedAt     time.Time `json:"created_at"`
	LastActivity  time.Time `json:"last_activity"`
	ActiveClients int       `json:"active_clients"`
	HasProject    bool      `json:"has_project"`
}

// Info is GET /sessions/{sid}/info.
type Info struct {
	SessionSummary
	ProjectID     *string `json:"project_id"`
	UndoAvailable bool    `json:"undo_available"`
	RedoAvailable bool    `json:"redo_available"`
	NodeCount     int     `json:"node_count"`
	Seq           uint64  `json:"seq"`
}

// Project is a project open in a session.
type Project struct {
	SessionID  string
	ProjectID  string
	TemplateID string
	Name       string
	Seq        uint64
	Roots      []model.TreeNode
}

// Tree is a copy of a session's graph at Seq.
type Tree struct {
	Roots []model.TreeNode
	Seq   uint64
}

// ExecuteRequest asks a session to run a command. CommandID may be empty (the
// session makes one); a CommandID seen before answers the first result again.
type ExecuteRequest struct {
	CommandID    string
	Command      model.Command
	IncludeGraph bool
}

// Executed is the outcome of Execute, Undo and Redo.
type Executed struct {
	CommandID     string
	CommandType   string
	Result        any
	NodeID        string
	Seq           uint64
	UndoAvailable bool
	RedoAvailable bool
	Roots         []model.TreeNode // Execute: nil unless IncludeGraph; Undo and Redo: always
}

// Subscription asks to watch a session. With LastSeq set the reply carries
// every event after it (or a Resync when that history is gone); live events
// after the reply's Seq go to Sub.
type Subscription struct {
	ClientID string
	Sub      Subscriber
	LastSeq  *uint64
}

// Joined answers a Subscription.
type Joined struct {
	SessionID     string
	ClientID      string
	ActiveClients int
	Seq           uint64   // events up to Seq are in Missed or Resync; later ones go to Sub
	Missed        []*Event // with LastSeq: the events after it, in order
	Resync        *Tree    // with LastSeq older than the kept history
}

// SavedProject is one row of GET /projects: a project saved in the store.
type SavedProject struct {
	ProjectID  string    `json:"project_id"`
	Name       string    `json:"name"`
	TemplateID string    `json:"template_id"`
	UpdatedAt  time.Time `json:"updated_at"`
	NodeCount  int       `json:"node_count"`
}

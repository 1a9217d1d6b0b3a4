package actors

import (
	"fmt"

	"github.com/talus-tally/server/model/wire"
)

// Errors of the session layer, each with its wire code. Model errors
// (model.ErrNodeNotFound, ...) pass through unchanged.
var (
	ErrSessionNotFound = &wire.Error{Code: wire.CodeInvalidSession, Message: "actors: session not found"}
	ErrProjectNotFound = &wire.Error{Code: wire.CodeProjectNotFound, Message: "actors: project not found"}
	ErrNoProject       = &wire.Error{Code: wire.CodeNoProject, Message: "actors: session has no project"}
	// ErrUnavailable means no answer came in time, the caller gave up, or
	// the server is stopping. The outcome of a command that got it is
	// unknown: retry with its command_id.
	ErrUnavailable = &wire.Error{Code: wire.CodeUnavailable, Message: "actors: session unavailable"}
)

// BudgetSessions is the budget of sessions per server (Config.MaxSessions),
// as model.LimitError names it.
const BudgetSessions = "sessions"

// BudgetChangeBytes is the budget of one change's journal record (the
// store's MaxRecordSize).
const BudgetChangeBytes = "bytes_per_change"

// HistoryGoneError reports that events after a seq are no longer kept.
type HistoryGoneError struct {
	After uint64 // what was asked
	Seq   uint64 // the session's current seq
}

// Error says which seq was asked for and where the session is now.
func (e *HistoryGoneError) Error() string {
	return fmt.Sprintf("actors: history after seq %d is gone (current seq %d)", e.After, e.Seq)
}

// WireCode is HISTORY_GONE.
func (e *HistoryGoneError) WireCode() string { return wire.CodeHistoryGone }

// WireDetails tell the client where the session is, so it can resync.
func (e *HistoryGoneError) WireDetails() map[string]any {
	return map[string]any{"seq": e.Seq, "after_seq": e.After}
}

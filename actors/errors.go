package actors

import (
	"errors"
	"fmt"
)

// Errors of the session layer. Model errors (model.ErrNodeNotFound, ...)
// pass through unchanged.
var (
	ErrSessionNotFound = errors.New("actors: session not found")
	ErrProjectNotFound = errors.New("actors: project not found")
	ErrNoProject       = errors.New("actors: session has no project")
	// ErrUnavailable means no answer came in time, or the server is stopping.
	// The outcome of a command that got it is unknown: retry with its command_id.
	ErrUnavailable = errors.New("actors: session unavailable")
)

// HistoryGoneError reports that events after a seq are no longer kept.
type HistoryGoneError struct {
	After uint64 // what was asked
	Seq   uint64 // the session's current seq
}

// Error says which seq was asked for and where the session is now.
func (e *HistoryGoneError) Error() string {
	return fmt.Sprintf("actors: history after seq %d is gone (current seq %d)", e.After, e.Seq)
}

package actors

import (
	"errors"

	"github.com/talus-tally/server/model"
)

// Wire codes of SPEC §2 that the session layer produces.
const (
	CodeInvalidRequest   = "INVALID_REQUEST"
	CodeInvalidCommand   = "INVALID_COMMAND"
	CodeInvalidSession   = "INVALID_SESSION"
	CodeNodeNotFound     = "NODE_NOT_FOUND"
	CodeTemplateNotFound = "TEMPLATE_NOT_FOUND"
	CodeProjectNotFound  = "PROJECT_NOT_FOUND"
	CodeNoProject        = "NO_PROJECT"
	CodeNothingToUndo    = "NOTHING_TO_UNDO"
	CodeNothingToRedo    = "NOTHING_TO_REDO"
	CodeUnavailable      = "UNAVAILABLE"
	CodeHistoryGone      = "HISTORY_GONE"
	CodeInternal         = "INTERNAL_ERROR"
	// Codes the edges produce themselves: over a limit, and a socket
	// dropped for not reading its events.
	CodeRateLimited  = "RATE_LIMITED"
	CodeSlowConsumer = "SLOW_CONSUMER"
	CodeUnauthorized = "UNAUTHORIZED"
)

// Reasons a session gives a Subscriber in Closed.
const (
	ReasonSlowConsumer  = "SLOW_CONSUMER"
	ReasonSessionClosed = "SESSION_CLOSED"
	ReasonReplaced      = "REPLACED" // the same client id joined again with another inbox
)

// internalMessage is all a client learns about a bug; the error goes to the log.
const internalMessage = "internal error"

// wireCodes is the one table from errors to codes. Order matters: ErrInternal
// comes first so a panic whose value happens to wrap a domain error is still
// reported as the bug it is.
var wireCodes = []struct {
	is   func(error) bool
	code string
}{
	{sentinel(model.ErrInternal), CodeInternal},
	{typed[*model.InvalidCommandError], CodeInvalidCommand},
	{typed[*model.InvalidRequestError], CodeInvalidRequest},
	{typed[*HistoryGoneError], CodeHistoryGone},
	{sentinel(model.ErrNodeNotFound), CodeNodeNotFound},
	{sentinel(model.ErrTemplateNotFound), CodeTemplateNotFound},
	{sentinel(model.ErrNothingToUndo), CodeNothingToUndo},
	{sentinel(model.ErrNothingToRedo), CodeNothingToRedo},
	{sentinel(ErrSessionNotFound), CodeInvalidSession},
	{sentinel(ErrProjectNotFound), CodeProjectNotFound},
	{sentinel(ErrNoProject), CodeNoProject},
	{sentinel(ErrUnavailable), CodeUnavailable},
}

func sentinel(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func typed[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// Code returns the SPEC §2 code for err: the one mapping http and ws use.
// Errors it does not know (and nil) are INTERNAL_ERROR.
func Code(err error) string {
	if err == nil {
		return CodeInternal
	}
	for _, w := range wireCodes {
		if w.is(err) {
			return w.code
		}
	}
	return CodeInternal
}

// Message returns text about err that is safe to show a client: the error's
// own text for domain errors, a fixed phrase for INTERNAL_ERROR, whose
// details belong in the log only.
func Message(err error) string {
	if Code(err) == CodeInternal {
		return internalMessage
	}
	return err.Error()
}

package wire

import (
	"errors"
	"fmt"
	"strings"

	"github.com/talus-tally/server/model"
)

// The error codes of SPEC §2, and the two the socket side adds.
const (
	CodeInvalidRequest       = "INVALID_REQUEST"
	CodeInvalidCommand       = "INVALID_COMMAND"
	CodeInvalidSession       = "INVALID_SESSION"
	CodeNodeNotFound         = "NODE_NOT_FOUND"
	CodeTemplateNotFound     = "TEMPLATE_NOT_FOUND"
	CodeProjectNotFound      = "PROJECT_NOT_FOUND"
	CodeNotFound             = "NOT_FOUND" // no such route
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	CodeNoProject            = "NO_PROJECT"
	CodeNothingToUndo        = "NOTHING_TO_UNDO"
	CodeNothingToRedo        = "NOTHING_TO_REDO"
	CodeHistoryGone          = "HISTORY_GONE"
	CodePayloadTooLarge      = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeLimitExceeded        = "LIMIT_EXCEEDED"
	CodeRateLimited          = "RATE_LIMITED"
	CodeUnauthorized         = "UNAUTHORIZED"
	CodeForbiddenOrigin      = "FORBIDDEN_ORIGIN"
	CodeUnavailable          = "UNAVAILABLE"
	CodeInternal             = "INTERNAL_ERROR"
	// CodeSlowConsumer tells a socket it was dropped for not reading its
	// events; it never answers a request.
	CodeSlowConsumer = "SLOW_CONSUMER"
)

// statuses is the one table from code to HTTP status. The numbers are the
// contract's (SPEC §2); this package does not import net/http.
var statuses = map[string]int{
	CodeInvalidRequest:       400,
	CodeInvalidCommand:       400,
	CodeNothingToUndo:        400,
	CodeNothingToRedo:        400,
	CodeLimitExceeded:        400,
	CodeUnauthorized:         401,
	CodeForbiddenOrigin:      403,
	CodeInvalidSession:       404,
	CodeNodeNotFound:         404,
	CodeTemplateNotFound:     404,
	CodeProjectNotFound:      404,
	CodeNotFound:             404,
	CodeMethodNotAllowed:     405,
	CodeNoProject:            409,
	CodeHistoryGone:          410,
	CodePayloadTooLarge:      413,
	CodeUnsupportedMediaType: 415,
	CodeRateLimited:          429,
	CodeInternal:             500,
	CodeUnavailable:          503,
}

// Status returns the HTTP status of code; a code it does not know is 500.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return 500
}

// Codes lists every code with a status, for documents and tests.
func Codes() []string {
	out := make([]string, 0, len(statuses))
	for c := range statuses {
		out = append(out, c)
	}
	return out
}

// Messages of 5xx answers: the cause goes to the log, never to the client.
const (
	unavailableMessage = "the session did not answer in time or the server is shutting down; retry (with the same command_id for commands)"
	internalMessage    = "internal server error"
)

// Error is an error as a client sees it, and an error value in its own
// right: the edges raise it for what they refuse themselves (bad JSON, a
// foreign Origin), and layers above model declare their sentinels with it.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// WireCode returns the code.
func (e *Error) WireCode() string { return e.Code }

// WireDetails returns the details.
func (e *Error) WireDetails() map[string]any { return e.Details }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError is an INVALID_REQUEST about one field.
func FieldError(field, message string) *Error {
	return &Error{Code: CodeInvalidRequest, Message: message, Details: map[string]any{"field": field}}
}

// coded is an error that knows its code, like *Error.
type coded interface {
	error
	WireCode() string
}

// detailed is an error that carries details a client can act on.
type detailed interface {
	WireDetails() map[string]any
}

// modelCodes maps the domain's errors. ErrInternal comes first so that a
// panic whose value happens to wrap a domain error is reported as the bug
// it is.
var modelCodes = []struct {
	is   func(error) bool
	code string
}{
	{typed[*model.InvalidCommandError], CodeInvalidCommand},
	{typed[*model.InvalidRequestError], CodeInvalidRequest},
	{typed[*model.LimitError], CodeLimitExceeded},
	{sentinel(model.ErrNodeNotFound), CodeNodeNotFound},
	{sentinel(model.ErrTemplateNotFound), CodeTemplateNotFound},
	{sentinel(model.ErrNothingToUndo), CodeNothingToUndo},
	{sentinel(model.ErrNothingToRedo), CodeNothingToRedo},
}

func sentinel(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func typed[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// Code returns the code of err: model.ErrInternal first, then the first
// error in its chain that knows its code, then the domain's errors. Errors
// it does not know (and nil) are INTERNAL_ERROR.
func Code(err error) string {
	if err == nil || errors.Is(err, model.ErrInternal) {
		return CodeInternal
	}
	var c coded
	if errors.As(err, &c) {
		return c.WireCode()
	}
	for _, m := range modelCodes {
		if m.is(err) {
			return m.code
		}
	}
	return CodeInternal
}

// From returns the client's view of err: its code, a message safe to show
// (the error's own text, or a fixed phrase for a 5xx, whose cause belongs
// in the log only) and the details a client can act on.
func From(err error) Error {
	code := Code(err)
	switch Status(code) {
	case 503:
		return Error{Code: code, Message: unavailableMessage}
	case 500:
		return Error{Code: CodeInternal, Message: internalMessage}
	}
	return Error{Code: code, Message: err.Error(), Details: details(err)}
}

// details are the machine-readable parts of typed errors.
func details(err error) map[string]any {
	var d detailed
	var ic *model.InvalidCommandError
	var ir *model.InvalidRequestError
	var le *model.LimitError
	switch {
	case errors.As(err, &d):
		return d.WireDetails()
	case errors.As(err, &le):
		return map[string]any{"budget": le.Budget, "limit": le.Limit}
	case errors.As(err, &ic):
		return map[string]any{"rule": ic.Rule}
	case errors.As(err, &ir) && ir.Field != "":
		return map[string]any{"field": ir.Field}
	}
	return nil
}

// ErrorBody is the REST error reply: {"error": {code, message, details?}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// BearerToken returns the token of an Authorization header value that uses
// the Bearer scheme (RFC 6750; the scheme is case-insensitive).
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

package http

import (
	"errors"
	"fmt"
	nethttp "net/http"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
)

// Error codes this package produces itself; the rest come from actors.Code.
const (
	codeInvalidRequest   = "INVALID_REQUEST"
	codePayloadTooLarge  = "PAYLOAD_TOO_LARGE"
	codeRateLimited      = "RATE_LIMITED"
	codeUnauthorized     = "UNAUTHORIZED"
	codeNotFound         = "NOT_FOUND"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	codeUnavailable      = "UNAVAILABLE"
	codeInternal         = "INTERNAL_ERROR"
	codeHistoryGone      = "HISTORY_GONE"
)

// statusByCode is the one table from wire error code to HTTP status. A code
// missing here is a bug and answers 500.
var statusByCode = map[string]int{
	codeInvalidRequest:   nethttp.StatusBadRequest,
	"INVALID_COMMAND":    nethttp.StatusBadRequest,
	"INVALID_SESSION":    nethttp.StatusNotFound,
	"NODE_NOT_FOUND":     nethttp.StatusNotFound,
	"TEMPLATE_NOT_FOUND": nethttp.StatusNotFound,
	"PROJECT_NOT_FOUND":  nethttp.StatusNotFound,
	"NO_PROJECT":         nethttp.StatusConflict,
	"NOTHING_TO_UNDO":    nethttp.StatusBadRequest,
	"NOTHING_TO_REDO":    nethttp.StatusBadRequest,
	codePayloadTooLarge:  nethttp.StatusRequestEntityTooLarge,
	codeRateLimited:      nethttp.StatusTooManyRequests,
	codeUnauthorized:     nethttp.StatusUnauthorized,
	codeUnavailable:      nethttp.StatusServiceUnavailable,
	codeHistoryGone:      nethttp.StatusGone,
	codeNotFound:         nethttp.StatusNotFound,
	codeMethodNotAllowed: nethttp.StatusMethodNotAllowed,
	codeInternal:         nethttp.StatusInternalServerError,
}

// Messages for 5xx answers: the cause goes to the log, never to the client.
var serverMessages = map[string]string{
	codeUnavailable: "the session did not answer in time or the server is shutting down; retry (with the same command_id for commands)",
	codeInternal:    "internal server error",
}

// apiError is an error this package raises at the edge (bad JSON, missing
// field, body too large, ...), already in wire terms.
type apiError struct {
	code    string
	message string
	details map[string]any
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// badRequest is an INVALID_REQUEST with a formatted message.
func badRequest(format string, args ...any) error {
	return &apiError{code: codeInvalidRequest, message: fmt.Sprintf(format, args...)}
}

// errorBody is the wire shape of every error.
type errorBody struct {
	Error wireError `json:"error"`
}

type wireError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// toWire turns any error into its wire form and HTTP status.
func toWire(err error) (wireError, int) {
	var we wireError
	var ae *apiError
	var mbe *nethttp.MaxBytesError
	switch {
	case errors.As(err, &ae):
		we = wireError{Code: ae.code, Message: ae.message, Details: ae.details}
	case errors.As(err, &mbe):
		we = wireError{
			Code:    codePayloadTooLarge,
			Message: fmt.Sprintf("request body is larger than %d bytes", mbe.Limit),
			Details: map[string]any{"limit": mbe.Limit},
		}
	default:
		we = wireError{Code: actors.Code(err), Message: actors.Message(err), Details: details(err)}
	}
	status, ok := statusByCode[we.Code]
	if !ok {
		status = nethttp.StatusInternalServerError
		we.Code = codeInternal
	}
	if status >= 500 {
		we.Message = serverMessages[we.Code]
		if we.Message == "" {
			we.Message = serverMessages[codeInternal]
		}
		we.Details = nil
	}
	return we, status
}

// details adds the machine-readable parts of typed errors that a client can act on.
func details(err error) map[string]any {
	var hg *actors.HistoryGoneError
	var ic *model.InvalidCommandError
	var ir *model.InvalidRequestError
	switch {
	case errors.As(err, &hg):
		return map[string]any{"seq": hg.Seq, "after_seq": hg.After}
	case errors.As(err, &ic):
		return map[string]any{"rule": ic.Rule}
	case errors.As(err, &ir) && ir.Field != "":
		return map[string]any{"field": ir.Field}
	}
	return nil
}

// writeError answers err in the wire shape. Server-side failures are logged
// with their cause; client mistakes are not (the request log has the status).
func (s *Server) writeError(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	we, status := toWire(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", we.Code, "err", err)
	}
	switch status {
	case nethttp.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="talus"`)
	case nethttp.StatusTooManyRequests, nethttp.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	s.writeJSON(w, r, status, errorBody{Error: we})
}

func (s *Server) handleNotFound(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeError(w, r, &apiError{code: codeNotFound, message: "no route for " + r.Method + " " + r.URL.Path})
}

func (s *Server) handleMethodNotAllowed(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeError(w, r, &apiError{code: codeMethodNotAllowed, message: "method " + r.Method + " is not allowed on " + r.URL.Path})
}

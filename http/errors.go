package http

import (
	"errors"
	"fmt"
	nethttp "net/http"

	"github.com/talus-tally/server/model/wire"
)

// badRequest is an INVALID_REQUEST with a formatted message.
func badRequest(format string, args ...any) error {
	return wire.Errorf(wire.CodeInvalidRequest, format, args...)
}

// toWire turns any error into its wire form and HTTP status, with the one
// code table in wire; a body over the limit is the one error net/http
// raises itself.
func toWire(err error) (wire.Error, int) {
	var mbe *nethttp.MaxBytesError
	if errors.As(err, &mbe) {
		err = &wire.Error{
			Code:    wire.CodePayloadTooLarge,
			Message: fmt.Sprintf("request body is larger than %d bytes", mbe.Limit),
			Details: map[string]any{"limit": mbe.Limit},
		}
	}
	we := wire.From(err)
	return we, wire.Status(we.Code)
}

// writeError answers err in the wire shape. Server-side failures are logged
// with their cause; client mistakes are not (the request log has the status).
func (s *Server) writeError(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	we, status := toWire(err)
	if s.cfg.OnError != nil {
		budget, _ := we.Details["budget"].(string)
		s.cfg.OnError(we.Code, budget)
	}
	if status == nethttp.StatusRequestEntityTooLarge {
		// Read the rest first (bounded), so the client reads this answer
		// rather than a reset; then the connection is done.
		if b, ok := r.Body.(*cappedBody); ok {
			b.drain()
		}
		w.Header().Set("Connection", "close")
	}
	switch {
	case status >= 500 && r.Context().Err() != nil:
		// The client left (or timed out) before the answer: nothing is
		// wrong with the server, and nobody reads this 503.
		s.log.Info("request abandoned by its client", "method", r.Method, "path", r.URL.Path, "code", we.Code, "err", err)
	case status >= 500:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", we.Code, "err", err)
	}
	switch status {
	case nethttp.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="talus"`)
	case nethttp.StatusTooManyRequests, nethttp.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	s.writeJSON(w, r, status, wire.ErrorBody{Error: we})
}

func (s *Server) handleNotFound(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no route for %s %s", r.Method, r.URL.Path))
}

func (s *Server) handleMethodNotAllowed(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeError(w, r, wire.Errorf(wire.CodeMethodNotAllowed, "method %s is not allowed on %s", r.Method, r.URL.Path))
}

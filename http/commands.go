package http

import (
	"bytes"
	nethttp "net/http"
	"strings"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// parseExecute reads a POST /commands/execute body in either accepted shape
// (wire.ParseCommandRequest) and takes the session id from the
// X-Session-ID header when the body has none, as the seed does.
func parseExecute(r *nethttp.Request, body []byte) (wire.CommandRequest, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return wire.CommandRequest{}, badRequest("request body is empty; a JSON object is required")
	}
	req, err := wire.ParseCommandRequest(body)
	if err != nil {
		return req, err
	}
	if header := strings.TrimSpace(r.Header.Get("X-Session-ID")); header != "" {
		if req.SessionID != "" && req.SessionID != header {
			return req, badRequest("session_id in the body and X-Session-ID header differ")
		}
		req.SessionID = header
	}
	if req.SessionID == "" {
		return req, fieldError("session_id", "session_id is required (in the body or the X-Session-ID header)")
	}
	noteSession(r, req.SessionID)
	return req, nil
}

func (s *Server) handleExecute(w nethttp.ResponseWriter, r *nethttp.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := parseExecute(r, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cmd, err := model.DecodeCommand(req.CommandType, req.Data)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.sessions.Execute(r.Context(), req.SessionID, actors.ExecuteRequest{
		CommandID:    req.CommandID,
		Command:      cmd,
		IncludeGraph: req.IncludeGraph,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, res.Reply(req.IncludeGraph))
}

// fieldError is an INVALID_REQUEST about one field.
func fieldError(field, message string) error {
	return wire.FieldError(field, message)
}

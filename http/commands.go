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
		s.writeFailure(w, r, err, req.SessionID, nil, req.IncludeGraph)
		return
	}
	cmd, err := model.DecodeCommand(req.CommandType, req.Data)
	if err != nil {
		s.writeFailure(w, r, err, req.SessionID, nil, req.IncludeGraph)
		return
	}
	res, err := s.sessions.Execute(r.Context(), req.SessionID, actors.ExecuteRequest{
		CommandID:    req.CommandID,
		Command:      cmd,
		IncludeGraph: req.IncludeGraph,
	})
	if err != nil {
		s.writeFailure(w, r, err, req.SessionID, res, req.IncludeGraph)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, res.Reply(req.IncludeGraph))
}

// failureBody is a 4xx answer of execute, undo or redo: the error, and the
// graph as the session still holds it.
type failureBody struct {
	Error wire.Error  `json:"error"`
	Graph *wire.Graph `json:"graph,omitempty"`
}

// writeFailure answers a failed execute, undo or redo. A client's mistake
// (4xx) on a session with a project also carries the session's graph,
// unless the client said include_graph false: the original frontend renders
// whatever graph a reply holds, and would blank the project on an error
// otherwise. The session sends the graph with its own refusals (failed);
// for one the request never got that far, it is asked for.
func (s *Server) writeFailure(w nethttp.ResponseWriter, r *nethttp.Request, err error, sid string, failed *actors.Executed, withGraph bool) {
	we, status := toWire(err)
	if !withGraph || status >= 500 || sid == "" {
		s.writeError(w, r, err)
		return
	}
	var roots wire.Roots
	switch {
	case failed != nil && !failed.Roots.IsZero():
		roots = failed.Roots
	case failed == nil:
		if tree, terr := s.sessions.Tree(r.Context(), sid); terr == nil {
			roots = tree.Roots
		}
	}
	if roots.IsZero() {
		s.writeError(w, r, err)
		return
	}
	if s.cfg.OnError != nil {
		budget, _ := we.Details["budget"].(string)
		s.cfg.OnError(we.Code, budget)
	}
	g := wire.NewGraph(roots)
	s.writeJSON(w, r, status, failureBody{Error: we, Graph: &g})
}

// fieldError is an INVALID_REQUEST about one field.
func fieldError(field, message string) error {
	return wire.FieldError(field, message)
}

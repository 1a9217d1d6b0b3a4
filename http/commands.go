package http

import (
	"bytes"
	"encoding/json"
	nethttp "net/http"
	"strings"
	"unicode/utf8"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
)

// maxCommandIDLen bounds client-chosen command ids (SPEC §2).
const maxCommandIDLen = 128

// envelopeKeys are the keys of POST /commands/execute that are not command
// data in the seed's flat shape.
var envelopeKeys = map[string]bool{
	"session_id":    true,
	"command_type":  true,
	"command":       true,
	"data":          true,
	"include_graph": true,
	"command_id":    true,
}

// executeRequest is a decoded POST /commands/execute.
type executeRequest struct {
	SessionID    string
	CommandType  string
	Data         json.RawMessage
	IncludeGraph bool
	CommandID    string
}

// parseExecute reads both accepted shapes: {"session_id","command_type",
// "data":{...}} and the seed's {"command":"create_node", <data fields at top
// level>} with the session id in X-Session-ID.
func parseExecute(r *nethttp.Request, body []byte) (executeRequest, error) {
	var fields map[string]json.RawMessage
	if err := unmarshalJSON(body, &fields, decodeOptions{}); err != nil {
		return executeRequest{}, err
	}
	if fields == nil {
		return executeRequest{}, badRequest("request body must be a JSON object")
	}
	req := executeRequest{IncludeGraph: true}

	var err error
	if req.SessionID, err = stringField(fields, "session_id"); err != nil {
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

	typ, err := stringField(fields, "command_type")
	if err != nil {
		return req, err
	}
	alias, err := stringField(fields, "command")
	if err != nil {
		return req, err
	}
	switch {
	case typ != "" && alias != "" && typ != alias:
		return req, badRequest("command_type and command differ; send one of them")
	case typ == "":
		typ = alias
	}
	if typ == "" {
		return req, fieldError("command_type", "command_type is required")
	}
	req.CommandType = typ

	if req.CommandID, err = stringField(fields, "command_id"); err != nil {
		return req, err
	}
	if err := checkCommandID(req.CommandID); err != nil {
		return req, err
	}
	if raw, ok := fields["include_graph"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &req.IncludeGraph); err != nil {
			return req, fieldError("include_graph", "include_graph must be a boolean")
		}
	}

	if raw, ok := fields["data"]; ok && !isNull(raw) {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			return req, fieldError("data", "data must be an object")
		}
		for k := range fields {
			if !envelopeKeys[k] {
				return req, fieldError(k, "unknown field "+k+" (command fields go inside data)")
			}
		}
		req.Data = raw
		return req, nil
	}
	// The seed's shape: everything that is not envelope is command data.
	data := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		if !envelopeKeys[k] {
			data[k] = v
		}
	}
	req.Data, err = json.Marshal(data)
	return req, err
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
	s.writeJSON(w, r, nethttp.StatusOK, executedReply(res, req.IncludeGraph))
}

// executedJSON is the reply to a command, an undo or a redo.
type executedJSON struct {
	Success       bool       `json:"success"`
	CommandID     string     `json:"command_id"`
	CommandType   string     `json:"command_type"`
	Result        any        `json:"result"`
	NodeID        string     `json:"node_id,omitempty"`
	Seq           uint64     `json:"seq"`
	UndoAvailable bool       `json:"undo_available"`
	RedoAvailable bool       `json:"redo_available"`
	Graph         *graphJSON `json:"graph,omitempty"`
}

// graphJSON is the graph inside a command reply.
type graphJSON struct {
	Roots []model.TreeNode `json:"roots"`
}

func executedReply(res *actors.Executed, withGraph bool) executedJSON {
	out := executedJSON{
		Success:       true,
		CommandID:     res.CommandID,
		CommandType:   res.CommandType,
		Result:        res.Result,
		NodeID:        res.NodeID,
		Seq:           res.Seq,
		UndoAvailable: res.UndoAvailable,
		RedoAvailable: res.RedoAvailable,
	}
	if withGraph {
		out.Graph = &graphJSON{Roots: nonNilRoots(res.Roots)}
	}
	return out
}

func nonNilRoots(roots []model.TreeNode) []model.TreeNode {
	if roots == nil {
		return []model.TreeNode{}
	}
	return roots
}

// checkCommandID enforces the SPEC's bound on client command ids.
func checkCommandID(id string) error {
	if utf8.RuneCountInString(id) > maxCommandIDLen {
		return fieldError("command_id", "command_id must be at most 128 characters")
	}
	return nil
}

// stringField reads an optional string field; null counts as absent.
func stringField(fields map[string]json.RawMessage, key string) (string, error) {
	raw, ok := fields[key]
	if !ok || isNull(raw) {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fieldError(key, key+" must be a string")
	}
	return v, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// fieldError is an INVALID_REQUEST about one field.
func fieldError(field, message string) error {
	return &apiError{code: codeInvalidRequest, message: message, details: map[string]any{"field": field}}
}

package ws

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/socketio"
)

// hello is what a client said when it connected: a session to join at once,
// where it left off, and which event names it wants.
type hello struct {
	SessionID string
	LastSeq   *uint64
	Names     EventNames
}

// parseHello reads the CONNECT auth payload, falling back to the handshake
// query for each field the auth payload lacks.
func parseHello(hs socketio.Handshake, names EventNames) (hello, error) {
	var auth struct {
		SessionID string          `json:"session_id"`
		LastSeq   json.RawMessage `json:"last_seq"`
		Names     string          `json:"names"`
	}
	if a := bytes.TrimSpace(hs.Auth); len(a) > 0 && !bytes.Equal(a, []byte("null")) {
		if err := json.Unmarshal(a, &auth); err != nil {
			return hello{}, &model.InvalidRequestError{Field: "auth", Reason: "must be an object with string session_id, numeric last_seq and string names"}
		}
	}
	h := hello{SessionID: auth.SessionID, Names: names}
	if h.SessionID == "" {
		h.SessionID = hs.Query.Get("session_id")
	}
	asked := auth.Names
	if asked == "" {
		asked = hs.Query.Get("names")
	}
	if asked != "" {
		n, err := ParseEventNames(asked)
		if err != nil {
			return hello{}, &model.InvalidRequestError{Field: "names", Reason: "must be canonical, legacy or both"}
		}
		h.Names = n
	}
	var err error
	switch {
	case len(auth.LastSeq) > 0 && string(auth.LastSeq) != "null":
		h.LastSeq, err = parseSeq(string(auth.LastSeq))
	case hs.Query.Has("last_seq"):
		h.LastSeq, err = parseSeq(hs.Query.Get("last_seq"))
	}
	return h, err
}

// parseSeq reads a non-negative integer seq given as a JSON number or a
// query string.
func parseSeq(s string) (*uint64, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		// JSON may write an integer as 12.0 or 1.2e1.
		f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if ferr != nil || f < 0 || f != math.Trunc(f) || f > math.MaxUint64/2 {
			return nil, &model.InvalidRequestError{Field: "last_seq", Reason: "must be a non-negative integer"}
		}
		n = uint64(f)
	}
	return &n, nil
}

// payload returns an event's first argument, the JSON object the protocol
// puts its fields in. A missing or null argument is an empty object.
func payload(args []json.RawMessage) ([]byte, error) {
	if len(args) == 0 {
		return []byte("{}"), nil
	}
	p := bytes.TrimSpace(args[0])
	switch {
	case len(p) == 0 || bytes.Equal(p, []byte("null")):
		return []byte("{}"), nil
	case p[0] != '{':
		return nil, &model.InvalidRequestError{Reason: "the event's argument must be a JSON object"}
	}
	return p, nil
}

// joinArgs is the payload of join_session.
type joinArgs struct {
	SessionID string
	LastSeq   *uint64
}

// parseJoin reads join_session {session_id, last_seq?}.
func parseJoin(args []json.RawMessage) (joinArgs, error) {
	p, err := payload(args)
	if err != nil {
		return joinArgs{}, err
	}
	var raw struct {
		SessionID *string         `json:"session_id"`
		LastSeq   json.RawMessage `json:"last_seq"`
	}
	if err := json.Unmarshal(p, &raw); err != nil {
		return joinArgs{}, &model.InvalidRequestError{Field: "session_id", Reason: "must be a string"}
	}
	if raw.SessionID == nil || *raw.SessionID == "" {
		return joinArgs{}, &model.InvalidRequestError{Field: "session_id", Reason: "is required"}
	}
	j := joinArgs{SessionID: *raw.SessionID}
	if len(raw.LastSeq) > 0 && string(raw.LastSeq) != "null" {
		if j.LastSeq, err = parseSeq(string(raw.LastSeq)); err != nil {
			return joinArgs{}, err
		}
	}
	return j, nil
}

// parseSessionField reads an optional session_id from a payload, as
// leave_session, undo and redo send it.
func parseSessionField(p []byte) (sid, commandID string, err error) {
	sid, commandID, _, err = parseStep(p)
	return sid, commandID, err
}

// parseStep reads an undo or redo request: parseSessionField's fields and
// include_graph (true unless false).
func parseStep(p []byte) (sid, commandID string, withGraph bool, err error) {
	var raw struct {
		SessionID    string `json:"session_id"`
		CommandID    string `json:"command_id"`
		IncludeGraph *bool  `json:"include_graph"`
	}
	if err := json.Unmarshal(p, &raw); err != nil {
		return "", "", false, &model.InvalidRequestError{Reason: "session_id and command_id must be strings, include_graph a boolean"}
	}
	if err := wire.CheckCommandID(raw.CommandID); err != nil {
		return "", "", false, err
	}
	return raw.SessionID, raw.CommandID, raw.IncludeGraph == nil || *raw.IncludeGraph, nil
}

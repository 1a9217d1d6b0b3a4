package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/talus-tally/server/model"
)

// CommandRequest is a command as a client sends it, over REST or a socket,
// before its data is decoded into a Command.
type CommandRequest struct {
	SessionID    string
	CommandType  string
	CommandID    string
	Data         json.RawMessage // the command's fields, as one JSON object
	IncludeGraph bool            // true unless the client said false
}

// requestKeys are the keys of a command request that are not command data in
// the seed's flat shape.
var requestKeys = map[string]bool{
	"session_id":    true,
	"command_type":  true,
	"command":       true,
	"data":          true,
	"include_graph": true,
	"command_id":    true,
}

// ParseCommandRequest reads both accepted shapes of a command request:
// {"session_id", "command_type", "data": {...}} and the seed's
// {"command": "create_node", <data fields at top level>}. It checks the
// envelope only; DecodeCommand checks the data. Numbers in the data stay
// exact. Errors are *InvalidRequestError.
func ParseCommandRequest(body []byte) (CommandRequest, error) {
	req := CommandRequest{IncludeGraph: true}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return req, invalidRequest("", "a command must be a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, invalidRequest("", "a command must be a single JSON object")
	}

	var err error
	if req.SessionID, err = stringField(fields, "session_id"); err != nil {
		return req, err
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
		return req, invalidRequest("command", "command_type and command differ; send one of them")
	case typ == "":
		typ = alias
	}
	if typ == "" {
		return req, invalidRequest("command_type", "command_type is required")
	}
	req.CommandType = typ
	if req.CommandID, err = stringField(fields, "command_id"); err != nil {
		return req, err
	}
	if err := CheckCommandID(req.CommandID); err != nil {
		return req, err
	}
	if raw, ok := fields["include_graph"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &req.IncludeGraph); err != nil {
			return req, invalidRequest("include_graph", "must be a boolean")
		}
	}

	if raw, ok := fields["data"]; ok && !isNull(raw) {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			return req, invalidRequest("data", "must be an object")
		}
		for k := range fields {
			if !requestKeys[k] {
				return req, invalidRequest(k, "unknown field (command fields go inside data)")
			}
		}
		req.Data = raw
		return req, nil
	}
	// The seed's shape: everything that is not envelope is command data.
	data := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		if !requestKeys[k] {
			data[k] = v
		}
	}
	req.Data, err = json.Marshal(data)
	return req, err
}

// MaxCommandIDLen bounds a client-chosen command id (SPEC §2), in characters.
const MaxCommandIDLen = 128

// CheckCommandID refuses a client-chosen command id longer than
// MaxCommandIDLen characters with an *InvalidRequestError.
func CheckCommandID(id string) error {
	if utf8.RuneCountInString(id) > MaxCommandIDLen {
		return invalidRequest("command_id", "must be at most %d characters", MaxCommandIDLen)
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
		return "", invalidRequest(key, "must be a string")
	}
	return v, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func invalidRequest(field, format string, args ...any) error {
	return &model.InvalidRequestError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

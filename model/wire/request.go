package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
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

// Every request carries them: shared names.
func init() {
	for k := range requestKeys {
		jsonx.Intern(k)
	}
}

// ParseCommandRequest reads both accepted shapes of a command request:
// {"session_id", "command_type", "data": {...}} and the seed's
// {"command": "create_node", <data fields at top level>}. It checks the
// envelope only; DecodeCommand checks the data. Numbers in the data stay
// exact. Errors are *InvalidRequestError.
func ParseCommandRequest(body []byte) (CommandRequest, error) {
	req := CommandRequest{IncludeGraph: true}
	var small [8]jsonx.Field
	fields, err := jsonx.ReadObject(body, small[:0])
	switch {
	case errors.Is(err, jsonx.ErrDuplicate):
		return req, invalidRequest("", "a field is given twice")
	case errors.Is(err, jsonx.ErrTrailing):
		return req, invalidRequest("", "a command must be a single JSON object")
	case err != nil:
		return req, invalidRequest("", "a command must be a JSON object")
	}

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
	if raw, ok := jsonx.Lookup(fields, "include_graph"); ok {
		if req.IncludeGraph, ok = jsonx.Bool(raw); !ok {
			return req, invalidRequest("include_graph", "must be a boolean")
		}
	}

	if raw, ok := jsonx.Lookup(fields, "data"); ok {
		if raw[0] != '{' {
			return req, invalidRequest("data", "must be an object")
		}
		for _, f := range fields {
			if !requestKeys[f.Name] {
				return req, invalidRequest(f.Name, "unknown field (command fields go inside data)")
			}
		}
		req.Data = raw
		return req, nil
	}
	// The seed's shape: everything that is not envelope is command data.
	data := make([]byte, 0, len(body))
	data = append(data, '{')
	for _, f := range fields {
		if requestKeys[f.Name] {
			continue
		}
		data = jsonx.AppendKey(data, f.Name, len(data) == 1)
		data = append(data, f.Value...)
	}
	req.Data = append(data, '}')
	return req, nil
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
func stringField(fields []jsonx.Field, key string) (string, error) {
	raw, ok := jsonx.Lookup(fields, key)
	if !ok {
		return "", nil
	}
	v, ok := jsonx.String(raw)
	if !ok {
		return "", invalidRequest(key, "must be a string")
	}
	return v, nil
}

func invalidRequest(field, format string, args ...any) error {
	return &model.InvalidRequestError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

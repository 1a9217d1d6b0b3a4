package socketio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Binary is an event or ack argument sent as a binary attachment: it is
// replaced by a placeholder in the JSON and its bytes follow as a binary
// Engine.IO message. Only top-level arguments are inspected.
type Binary []byte

// AttachmentIndex reports whether arg is a binary placeholder
// ({"_placeholder":true,"num":N}) and, if so, which attachment it stands for.
func AttachmentIndex(arg json.RawMessage) (int, bool) {
	if jsonKind(arg) != '{' {
		return 0, false
	}
	var ph struct {
		Placeholder bool `json:"_placeholder"`
		Num         *int `json:"num"`
	}
	if json.Unmarshal(arg, &ph) != nil || !ph.Placeholder || ph.Num == nil || *ph.Num < 0 {
		return 0, false
	}
	return *ph.Num, true
}

// appendArgs appends the JSON array of args to b, with name first when
// named (events are named, acks are not), turning Binary arguments into placeholders. json.RawMessage
// arguments are written as they are.
func appendArgs(b []byte, named bool, name string, args []any) ([]byte, [][]byte, error) {
	var attachments [][]byte
	b = append(b, '[')
	if named {
		b = appendString(b, name)
	}
	for i, a := range args {
		if i > 0 || named {
			b = append(b, ',')
		}
		switch v := a.(type) {
		case Binary:
			b = append(b, `{"_placeholder":true,"num":`...)
			b = strconv.AppendInt(b, int64(len(attachments)), 10)
			b = append(b, '}')
			attachments = append(attachments, v)
		case json.RawMessage:
			if !json.Valid(v) {
				return nil, nil, fmt.Errorf("socketio: argument %d is not valid JSON", i)
			}
			b = append(b, v...)
		default:
			enc, err := json.Marshal(v)
			if err != nil {
				return nil, nil, fmt.Errorf("socketio: argument %d: %w", i, err)
			}
			b = append(b, enc...)
		}
	}
	return append(b, ']'), attachments, nil
}

// appendString appends s as a JSON string, without allocating when s needs
// no escaping (event names nearly never do).
func appendString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			enc, _ := json.Marshal(s) // a string always marshals
			return append(b, bytes.TrimSpace(enc)...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

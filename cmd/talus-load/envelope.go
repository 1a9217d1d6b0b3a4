package main

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// envelope is what the tool reads of an event: the fields every session
// event carries (and "code" of an error event).
type envelope struct {
	Event     string `json:"event"`
	SessionID string `json:"session_id"`
	Seq       uint64 `json:"seq"`
	CommandID string `json:"command_id"`
	Code      string `json:"code"`
}

// parseEnvelope reads the envelope's top-level fields of one event
// argument, which the socket client has already checked is valid JSON. It
// walks the object once, skipping the payload, so that the tool spends
// little CPU per event (it shares the machine with the server); anything
// unusual (escapes in a wanted string, a non-object) goes to encoding/json.
func parseEnvelope(b []byte) (envelope, error) {
	var e envelope
	if parseEnvelopeFast(b, &e) {
		return e, nil
	}
	e = envelope{}
	err := json.Unmarshal(b, &e)
	return e, err
}

func parseEnvelopeFast(b []byte, e *envelope) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i++
	for {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == '}' {
			return true
		}
		key, next, ok := plainString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, next)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		var dst *string
		switch key {
		case "event":
			dst = &e.Event
		case "session_id":
			dst = &e.SessionID
		case "command_id":
			dst = &e.CommandID
		case "code":
			dst = &e.Code
		case "seq":
			end := i
			for end < len(b) && b[end] >= '0' && b[end] <= '9' {
				end++
			}
			n, err := strconv.ParseUint(string(b[i:end]), 10, 64)
			if err != nil {
				return false
			}
			e.Seq, i = n, end
		}
		if dst != nil {
			if i < len(b) && b[i] == 'n' { // null
				i += 4
			} else {
				s, next, ok := plainString(b, i)
				if !ok {
					return false
				}
				*dst, i = s, next
			}
		} else if key != "seq" {
			if i = skipValue(b, i); i < 0 {
				return false
			}
		}
		i = skipSpace(b, i)
		switch {
		case i < len(b) && b[i] == ',':
			i++
		case i < len(b) && b[i] == '}':
			return true
		default:
			return false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a string without escapes at b[i]; ok is false for any
// other value.
func plainString(b []byte, i int) (s string, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	end := bytes.IndexByte(b[i+1:], '"')
	if end < 0 || bytes.IndexByte(b[i+1:i+1+end], '\\') >= 0 {
		return "", 0, false
	}
	return string(b[i+1 : i+1+end]), i + end + 2, true
}

// skipValue returns the index after the JSON value at b[i], or -1. The
// value is known to be valid JSON, so only strings and nesting matter.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return -1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return i // the end of the enclosing object: a scalar ended here
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		if depth == 0 && (b[i] == '"' || b[i] == '}' || b[i] == ']') {
			return i + 1
		}
	}
	if depth == 0 {
		return i
	}
	return -1
}

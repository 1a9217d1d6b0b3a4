package wire

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// TimeLayout is how the API writes every timestamp: RFC 3339 in UTC with
// milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Time formats t in TimeLayout, in UTC.
func Time(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Timestamp returns now as the API keeps it: UTC, to the millisecond, so
// the value a client reads is the value the server holds.
func Timestamp(now time.Time) time.Time { return now.UTC().Truncate(time.Millisecond) }

// EventHeader is the envelope every event carries.
type EventHeader struct {
	Name      string
	SessionID string
	ProjectID string // "" is null
	Seq       uint64
	Timestamp time.Time
	CommandID string // left out when ""
}

// AppendEvent appends an event's one wire form to b: the envelope fields,
// then the fields of payload, a JSON object (or null or empty for none), in
// one flat object. A payload that is not an object is kept whole under
// "data".
func AppendEvent(b []byte, h EventHeader, payload []byte) []byte {
	b = append(b, `{"event":`...)
	b = AppendString(b, h.Name)
	b = append(b, `,"session_id":`...)
	b = AppendString(b, h.SessionID)
	b = append(b, `,"project_id":`...)
	if h.ProjectID == "" {
		b = append(b, "null"...)
	} else {
		b = AppendString(b, h.ProjectID)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, h.Seq, 10)
	b = append(b, `,"timestamp":"`...)
	b = h.Timestamp.UTC().AppendFormat(b, TimeLayout)
	b = append(b, '"')
	if h.CommandID != "" {
		b = append(b, `,"command_id":`...)
		b = AppendString(b, h.CommandID)
	}
	p := trimSpace(payload)
	switch {
	case len(p) == 0, string(p) == "null", string(p) == "{}":
	case p[0] == '{':
		b = append(b, ',')
		return append(b, p[1:]...) // the payload's fields and its closing brace
	default:
		b = append(b, `,"data":`...)
		b = append(b, p...)
	}
	return append(b, '}')
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, as encoding/json writes it
// (HTML characters escaped, invalid UTF-8 as U+FFFD).
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

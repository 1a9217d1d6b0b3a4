package wire

import (
	"strconv"
	"time"

	"github.com/talus-tally/server/model/jsonx"
)

// TimeLayout is how the API writes every timestamp: RFC 3339 in UTC with
// milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Time formats t in TimeLayout, in UTC.
func Time(t time.Time) string { return t.UTC().Format(TimeLayout) }

// AppendTime appends t as Time writes it, without the layout interpreter
// of time.Format: every event carries a timestamp.
func AppendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeLayout)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return b
}

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
	b = appendHeader(b, h)
	return appendPayload(b, trimSpace(payload))
}

// AppendEventOf is AppendEvent for a payload value, encoded straight into
// b (through its jsonx.Appender when it has one): the form every live
// event takes, with no copy of the payload. On an error b holds the event
// without its payload.
func AppendEventOf(b []byte, h EventHeader, payload any) ([]byte, error) {
	out, _, err := AppendEventSplit(b, h, payload)
	return out, err
}

// AppendEventSplit is AppendEventOf that also says where the payload's
// part of the event starts: out[fields:] is "}" for an event without
// payload, else "," and the payload's fields and the closing brace. With
// PayloadOf it gives back the payload AppendEvent takes to rebuild the
// event, so a journal can keep an event without its envelope.
func AppendEventSplit(b []byte, h EventHeader, payload any) (out []byte, fields int, err error) {
	b = appendHeader(b, h)
	mark := len(b)
	if payload == nil {
		return append(b, '}'), mark, nil
	}
	out, err = jsonx.Append(b, payload)
	if err != nil {
		return append(out[:mark], '}'), mark, err
	}
	p := out[mark:]
	switch {
	case len(p) > 0 && p[0] == '{' && string(p) != "{}":
		out[mark] = ',' // the payload's fields follow the envelope's; its brace closes both
		return out, mark, nil
	case string(p) == "{}" || string(p) == "null":
		return append(out[:mark], '}'), mark, nil
	}
	data := append([]byte(nil), p...)
	return appendPayload(out[:mark], data), mark, nil
}

// AppendPayload appends to b the payload of an event whose payload part
// is tail (out[fields:] of AppendEventSplit) as an object, which
// AppendEvent turns back into the same event: {} for none, else the
// fields (a payload that was not an object is under "data").
func AppendPayload(b, tail []byte) []byte {
	if len(tail) < 2 || tail[0] != ',' {
		return append(b, "{}"...)
	}
	b = append(b, '{')
	return append(b, tail[1:]...)
}

func appendHeader(b []byte, h EventHeader) []byte {
	b = append(b, `{"event":`...)
	b = jsonx.AppendString(b, h.Name)
	b = append(b, `,"session_id":`...)
	b = jsonx.AppendString(b, h.SessionID)
	b = append(b, `,"project_id":`...)
	if h.ProjectID == "" {
		b = append(b, "null"...)
	} else {
		b = jsonx.AppendString(b, h.ProjectID)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, h.Seq, 10)
	b = append(b, `,"timestamp":"`...)
	b = AppendTime(b, h.Timestamp)
	b = append(b, '"')
	if h.CommandID != "" {
		b = append(b, `,"command_id":`...)
		b = jsonx.AppendString(b, h.CommandID)
	}
	return b
}

// appendPayload closes an event header with payload's fields.
func appendPayload(b, p []byte) []byte {
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

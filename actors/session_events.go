package actors

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// timestampLayout is RFC 3339 in UTC with milliseconds.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"

// emit numbers the next event and stages it; commit publishes what was
// staged. Every event of the session goes through here, so seqs have no gap.
func (s *session) emit(name, commandID string, data any) *Event {
	payload := s.encodePayload(name, data) // before numbering: it may fail
	s.seq++
	ev := &Event{
		Seq:       s.seq,
		Name:      name,
		SessionID: s.id,
		ProjectID: s.projectID,
		CommandID: commandID,
		Timestamp: time.Now().UTC().Truncate(time.Millisecond), // as the wire and the journal keep it
		Data:      data,
	}
	ev.JSON = encodeEvent(ev, payload)
	s.pending = append(s.pending, ev)
	return ev
}

// commit makes the staged events of the message being handled final: it
// journals them, unless persist already did with the change they describe,
// then appends them to the history and hands them to every subscriber.
// Delivering may stage more events (a slow subscriber's departure); the loop
// journals and publishes those too. The error is the journal's for the
// first batch: then nothing was published. Later failures are only logged:
// those events are dropped and their seqs reused, so the sequence stays
// gap-free and equal to the journal's.
func (s *session) commit() error {
	var first error
	for batch := 0; len(s.pending) > 0; batch++ {
		if !s.pendingDurable {
			if err := s.persist(&record{Kind: recEvents}, nil); err != nil {
				if batch == 0 {
					first = err
				}
				break
			}
		}
		s.publish()
	}
	if s.sinceCheckpoint >= s.cfg.CheckpointEvery {
		if err := s.checkpoint(); err != nil {
			s.log.Warn("checkpoint failed; the journal still holds everything", "err", err)
		}
	}
	return first
}

// publish appends one batch of staged events to the history and delivers it.
func (s *session) publish() {
	evs := s.pending
	s.pending, s.pendingDurable = nil, false
	for _, ev := range evs {
		s.history.push(ev)
		s.deliver(ev) // may stage session:disconnected events
	}
}

// encodePayload returns the JSON object of data's fields, or nil. A payload
// that cannot be encoded is a bug: the event still goes out, without it.
func (s *session) encodePayload(name string, data any) (out []byte) {
	if data == nil {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("event payload panicked while encoding", "event", name, "panic", p)
			out = nil
		}
	}()
	b, err := json.Marshal(data)
	if err != nil {
		s.log.Error("event payload does not encode", "event", name, "err", err)
		return nil
	}
	return b
}

// encodeEvent builds the one wire form of ev: the envelope fields followed
// by the payload's own fields, in one flat JSON object.
func encodeEvent(ev *Event, payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(160 + len(payload))
	b.WriteString(`{"event":`)
	writeString(&b, ev.Name)
	b.WriteString(`,"session_id":`)
	writeString(&b, ev.SessionID)
	b.WriteString(`,"project_id":`)
	if ev.ProjectID == "" {
		b.WriteString("null")
	} else {
		writeString(&b, ev.ProjectID)
	}
	b.WriteString(`,"seq":`)
	b.WriteString(strconv.FormatUint(ev.Seq, 10))
	b.WriteString(`,"timestamp":"`)
	b.WriteString(ev.Timestamp.Format(timestampLayout))
	b.WriteByte('"')
	if ev.CommandID != "" {
		b.WriteString(`,"command_id":`)
		writeString(&b, ev.CommandID)
	}
	switch p := bytes.TrimSpace(payload); {
	case len(p) == 0, bytes.Equal(p, []byte("null")), bytes.Equal(p, []byte("{}")):
	case p[0] == '{':
		b.WriteByte(',')
		b.Write(p[1:]) // the payload's fields and its closing brace
		return b.Bytes()
	default: // not an object: keep it whole
		b.WriteString(`,"data":`)
		b.Write(p)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// writeString writes s as a JSON string.
func writeString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always encodes (bad UTF-8 becomes U+FFFD)
	b.Write(q)
}

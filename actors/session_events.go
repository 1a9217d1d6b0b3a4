package actors

import (
	"sync"
	"time"

	"github.com/talus-tally/server/model/wire"
)

// emit numbers the next event and stages it; commit publishes what was
// staged. Every event of the session goes through here, so seqs have no gap.
func (s *session) emit(name, commandID string, data any) *Event {
	s.seq++
	ev := &Event{
		Seq:       s.seq,
		Name:      name,
		SessionID: s.id,
		ProjectID: s.projectID,
		CommandID: commandID,
		Timestamp: wire.Timestamp(time.Now()), // as the wire and the journal keep it
	}
	var fields int
	ev.JSON, fields = s.encodeEvent(ev, data)
	ev.fields = int32(fields)
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
	if s.sinceCheckpoint >= s.cfg.CheckpointEvery && s.journalSince >= s.checkpointBytes/2 {
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

// encodeEvent returns ev's wire form with data's fields, and where they
// start. A payload that cannot be encoded is a bug: the event still goes
// out, without it.
func (s *session) encodeEvent(ev *Event, data any) (out []byte, fields int) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("event payload panicked while encoding", "event", ev.Name, "panic", p)
			out = wire.AppendEvent(nil, ev.header(), nil)
			fields = len(out) - 1
		}
	}()
	buf := eventBufs.Get().(*[]byte)
	b, fields, err := wire.AppendEventSplit((*buf)[:0], ev.header(), data)
	if err != nil {
		s.log.Error("event payload does not encode", "event", ev.Name, "err", err)
	}
	// Events are kept (history, catch-up): each in a slice of its own size.
	out = append(make([]byte, 0, len(b)), b...)
	if *buf = b[:0]; cap(b) <= maxPooledRecord {
		eventBufs.Put(buf)
	}
	return out, fields
}

// eventBufs are the scratch buffers events are encoded in.
var eventBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// eventsAfter answers the events request: the kept events after seq, a
// page of at most limit events and maxBytes bytes (the first event always).
func (s *session) eventsAfter(seq uint64, limit, maxBytes int) (*EventsPage, error) {
	evs, ok := s.history.after(seq, s.seq)
	if !ok {
		return nil, &HistoryGoneError{After: seq, Seq: s.seq}
	}
	s.touch()
	page := &EventsPage{Seq: s.seq}
	size := 0
	for i, ev := range evs {
		size += len(ev.JSON)
		if i > 0 && (i == limit || size > maxBytes) {
			page.More = true
			break
		}
		page.Events = append(page.Events, ev)
	}
	return page, nil
}

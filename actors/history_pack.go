package actors

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"sync"
)

// packAbove is the size from which the history keeps an event deflated:
// the events that carry a whole graph (project:loaded) or a large batch.
// Every session keeps its project:loaded, and an idle one would otherwise
// hold its graph twice, as nodes and as that event's JSON; clients rarely
// ask for it again, and inflating it then costs less than it saves.
const packAbove = 2 << 10

var (
	packers   = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flate.BestSpeed); return w }}
	unpackers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// pack returns ev as the history keeps it: deflated when that saves a
// quarter or more, else ev itself.
func pack(ev *Event) *Event {
	if len(ev.JSON) < packAbove || len(ev.JSON) > math.MaxInt32 {
		return ev
	}
	var b bytes.Buffer
	w := packers.Get().(*flate.Writer)
	defer packers.Put(w)
	w.Reset(&b)
	if _, err := w.Write(ev.JSON); err != nil || w.Close() != nil || b.Len() > len(ev.JSON)*3/4 {
		return ev
	}
	return &Event{
		Seq: ev.Seq, Name: ev.Name, SessionID: ev.SessionID, ProjectID: ev.ProjectID, CommandID: ev.CommandID,
		Timestamp: ev.Timestamp, JSON: bytes.Clone(b.Bytes()), packed: true, fields: int32(len(ev.JSON)),
	}
}

// size is the length of ev's JSON as sent, packed or not: what the
// history's byte budget counts, as clients read it.
func (ev *Event) size() int {
	if ev.packed {
		return int(ev.fields)
	}
	return len(ev.JSON)
}

// unpack returns a kept event as it was sent: ev itself, or a new Event
// with its JSON inflated. The history deflated it itself, so failing to
// inflate is a bug (the session's recover answers it).
func unpack(ev *Event) *Event {
	if !ev.packed {
		return ev
	}
	r := unpackers.Get().(io.ReadCloser)
	defer unpackers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(ev.JSON), nil); err != nil {
		panic(fmt.Sprintf("actors: kept event %d: %v", ev.Seq, err))
	}
	js, err := io.ReadAll(r)
	if err != nil {
		panic(fmt.Sprintf("actors: kept event %d does not inflate: %v", ev.Seq, err))
	}
	return &Event{
		Seq: ev.Seq, Name: ev.Name, SessionID: ev.SessionID, ProjectID: ev.ProjectID, CommandID: ev.CommandID,
		Timestamp: ev.Timestamp, JSON: js,
	}
}

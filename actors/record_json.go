package actors

import (
	"strconv"
	"time"

	"github.com/talus-tally/server/model/jsonx"
	"github.com/talus-tally/server/model/wire"
)

// A journal record is written as
//
//	{"v":2,"kind":"command","at":"…","command_id":"…","command_type":"…",
//	 "ops":[…],"step":"…","node_id":"…","project_id":"…","events":[…]}
//
// (empty fields left out), by hand: it is written on every change. Each
// event is kept as [name, ms, payload] — its envelope's session, project
// and command id are the record's, its seq follows the one before (the
// last is the store.Record's Seq), and its timestamp is ms milliseconds
// after "at" cut to the millisecond — with a fourth element, its command
// id, when that is not the record's. An event that does not fit
// (another project) is kept whole, as the first records kept them all;
// replay reads both and rebuilds each event byte for byte
// (wire.AppendEvent).

// AppendJSON writes the record of session sid.
func (r *record) AppendJSON(b []byte, sid string) ([]byte, error) {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, recordVersion, 10)
	b = append(b, `,"kind":`...)
	b = jsonx.AppendString(b, r.Kind)
	b = append(b, `,"at":`...)
	b, err := jsonx.AppendTime(b, r.At)
	if err != nil {
		return b, err
	}
	b = appendField(b, "command_id", r.CommandID)
	b = appendField(b, "command_type", r.CommandType)
	if len(r.Ops) > 0 {
		b = append(b, `,"ops":[`...)
		for i := range r.Ops {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = r.Ops[i].AppendJSON(b); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	b = appendField(b, "step", r.Step)
	b = appendField(b, "node_id", r.NodeID)
	b = appendField(b, "project_id", r.ProjectID)
	b = append(b, `,"events":[`...)
	for i, ev := range r.Events {
		if i > 0 {
			b = append(b, ',')
		}
		if ev.fields == 0 || ev.SessionID != sid || ev.ProjectID != r.ProjectID {
			b = append(b, ev.JSON...)
			continue
		}
		b = append(b, '[')
		b = jsonx.AppendString(b, ev.Name)
		b = append(b, ',')
		b = strconv.AppendInt(b, ev.Timestamp.Sub(r.At.Truncate(time.Millisecond)).Milliseconds(), 10)
		b = append(b, ',')
		b = wire.AppendPayload(b, ev.JSON[ev.fields:])
		if ev.CommandID != r.CommandID {
			b = append(b, ',')
			b = jsonx.AppendString(b, ev.CommandID)
		}
		b = append(b, ']')
	}
	return append(b, "]}"...), nil
}

// appendField writes `,"name":value` unless value is empty.
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return jsonx.AppendString(b, value)
}

package actors

import (
	"encoding/json"

	"github.com/talus-tally/server/model/jsonx"
)

// AppendJSON writes the record as json.Marshal does (TestRecordMatches
// EncodingJSON), without its reflection and without re-checking the
// events, which the session encoded itself a moment ago.
func (r *record) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"kind":`...)
	b = jsonx.AppendString(b, r.Kind)
	b = append(b, `,"at":`...)
	b, err := jsonx.AppendTime(b, r.At)
	if err != nil {
		return b, err
	}
	if r.CommandID != "" {
		b = append(b, `,"command_id":`...)
		b = jsonx.AppendString(b, r.CommandID)
	}
	if r.CommandType != "" {
		b = append(b, `,"command_type":`...)
		b = jsonx.AppendString(b, r.CommandType)
	}
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
	if r.Step != "" {
		b = append(b, `,"step":`...)
		b = jsonx.AppendString(b, r.Step)
	}
	if r.Result != nil {
		res, err := json.Marshal(r.Result) // only with a command id: rare enough
		if err != nil {
			return b, err
		}
		b = append(b, `,"result":`...)
		b = append(b, res...)
	}
	b = append(b, `,"events":`...)
	if r.Events == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, ev := range r.Events {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, ev...)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

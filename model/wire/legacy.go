package wire

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/talus-tally/server/model/jsonx"
)

// The prototype's frontend listens for graph events without their "graph:"
// prefix and reads some fields by its own names. These helpers give it that
// form of an event, next to (never instead of) ours.

// LegacyName returns the event name the prototype's frontend listens for:
// graph events lose their "graph:" prefix ("graph:node-created" becomes
// "node-created"); other names are the same in both.
func LegacyName(name string) string { return strings.TrimPrefix(name, "graph:") }

// CanonicalName is the inverse of LegacyName for graph events, for clients
// (and tests) that read both.
func CanonicalName(name string) string {
	switch name {
	case "node-created", "node-deleted", "node-linked", "node-unlinked", "node-updated", "property-changed", "property-deleted":
		return "graph:" + name
	}
	return name
}

// LegacyFields returns an event's JSON object with the prototype's field
// names added beside ours: "id" beside "node_id" and "property_name" beside
// "property_id", each with the same value. A field already there is kept,
// and anything that is not such an object comes back as it was.
func LegacyFields(event []byte) []byte {
	var f struct {
		NodeID       json.RawMessage `json:"node_id"`
		PropertyID   json.RawMessage `json:"property_id"`
		ID           json.RawMessage `json:"id"`
		PropertyName json.RawMessage `json:"property_name"`
	}
	trimmed := bytes.TrimSpace(event)
	if len(trimmed) < 2 || trimmed[0] != '{' || json.Unmarshal(trimmed, &f) != nil {
		return event
	}
	var extra []byte
	add := func(name string, value json.RawMessage) {
		extra = append(extra, ',')
		extra = jsonx.AppendString(extra, name)
		extra = append(extra, ':')
		extra = append(extra, value...)
	}
	if f.NodeID != nil && f.ID == nil {
		add("id", f.NodeID)
	}
	if f.PropertyID != nil && f.PropertyName == nil {
		add("property_name", f.PropertyID)
	}
	if extra == nil {
		return event
	}
	body := bytes.TrimSpace(trimmed[1 : len(trimmed)-1])
	out := make([]byte, 0, len(trimmed)+len(extra))
	out = append(out, '{')
	if len(body) == 0 {
		extra = extra[1:] // no field before ours: no comma
	}
	out = append(out, body...)
	out = append(out, extra...)
	return append(out, '}')
}

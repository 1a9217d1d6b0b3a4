package wire

import (
	"strconv"

	"github.com/talus-tally/server/model/jsonx"
)

// ExecuteReply is the reply to a command, an undo or a redo: the REST body
// of POST /commands/execute, /undo and /redo, and the socket ack of
// execute_command, undo and redo.
type ExecuteReply struct {
	Success       bool   `json:"success"`
	CommandID     string `json:"command_id"`
	CommandType   string `json:"command_type"`
	Result        any    `json:"result"`
	NodeID        string `json:"node_id,omitempty"`
	Seq           uint64 `json:"seq"`
	UndoAvailable bool   `json:"undo_available"`
	RedoAvailable bool   `json:"redo_available"`
	IsDirty       bool   `json:"is_dirty"` // the project changed since it was last saved or loaded
	Graph         *Graph `json:"graph,omitempty"`
}

// Graph is a whole graph inside a reply or an event payload.
type Graph struct {
	Roots Roots `json:"roots"`
}

// NewGraph wraps roots, the zero Roots as the empty forest, so that an
// empty graph encodes as {"roots": []}.
func NewGraph(roots Roots) Graph {
	if roots.IsZero() {
		roots = emptyRoots
	}
	return Graph{Roots: roots}
}

// AppendJSON implements jsonx.Appender, as json.Marshal writes a Graph.
func (g Graph) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"roots":`...)
	b, _ = g.Roots.AppendJSON(b)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender, as json.Marshal writes the reply.
func (r ExecuteReply) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"success":`...)
	b = strconv.AppendBool(b, r.Success)
	b = append(b, `,"command_id":`...)
	b = jsonx.AppendString(b, r.CommandID)
	b = append(b, `,"command_type":`...)
	b = jsonx.AppendString(b, r.CommandType)
	b = append(b, `,"result":`...)
	b, err := jsonx.AppendValue(b, r.Result)
	if err != nil {
		return b, err
	}
	if r.NodeID != "" {
		b = append(b, `,"node_id":`...)
		b = jsonx.AppendString(b, r.NodeID)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, `,"undo_available":`...)
	b = strconv.AppendBool(b, r.UndoAvailable)
	b = append(b, `,"redo_available":`...)
	b = strconv.AppendBool(b, r.RedoAvailable)
	b = append(b, `,"is_dirty":`...)
	b = strconv.AppendBool(b, r.IsDirty)
	if r.Graph != nil {
		b = append(b, `,"graph":`...)
		if b, err = r.Graph.AppendJSON(b); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

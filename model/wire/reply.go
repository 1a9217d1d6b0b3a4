package wire

import "github.com/talus-tally/server/model"

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
	Roots []model.TreeNode `json:"roots"`
}

// NewGraph wraps roots, never nil, so that an empty graph encodes as
// {"roots": []}.
func NewGraph(roots []model.TreeNode) Graph {
	if roots == nil {
		roots = []model.TreeNode{}
	}
	return Graph{Roots: roots}
}

package actors

import "github.com/talus-tally/server/model"

// ExecutedReply is the wire form of Executed: the REST reply to a command,
// an undo or a redo, and the socket ack of the same requests.
type ExecutedReply struct {
	Success       bool   `json:"success"`
	CommandID     string `json:"command_id"`
	CommandType   string `json:"command_type"`
	Result        any    `json:"result"`
	NodeID        string `json:"node_id,omitempty"`
	Seq           uint64 `json:"seq"`
	UndoAvailable bool   `json:"undo_available"`
	RedoAvailable bool   `json:"redo_available"`
	Graph         *Graph `json:"graph,omitempty"`
}

// Reply returns the wire form of e; the graph is included when withGraph.
func (e *Executed) Reply(withGraph bool) ExecutedReply {
	out := ExecutedReply{
		Success:       true,
		CommandID:     e.CommandID,
		CommandType:   e.CommandType,
		Result:        e.Result,
		NodeID:        e.NodeID,
		Seq:           e.Seq,
		UndoAvailable: e.UndoAvailable,
		RedoAvailable: e.RedoAvailable,
	}
	if withGraph {
		roots := e.Roots
		if roots == nil {
			roots = []model.TreeNode{}
		}
		out.Graph = &Graph{Roots: roots}
	}
	return out
}

package model

import "encoding/json"

// Command types a client may send.
const (
	CmdCreateNode     = "CreateNode"
	CmdDeleteNode     = "DeleteNode"
	CmdUpdateProperty = "UpdateProperty"
	CmdDeleteProperty = "DeleteProperty"
	CmdRenameNode     = "RenameNode"
	CmdLinkNode       = "LinkNode"
	CmdUnlinkNode     = "UnlinkNode"
	CmdMoveNode       = "MoveNode"
	CmdApplyKit       = "ApplyKit"
	CmdBatch          = "Batch"
)

// Command is one client intent. Apply reads and changes the graph only
// through tx, whose primitives record the events and ops; if Apply returns
// an error or panics, everything it did is rolled back.
type Command interface {
	CommandType() string
	Apply(tx *Tx) (result any, err error)
}

// Applied is what applying a command (or an undo or redo) did.
type Applied struct {
	Events []Event // in order
	Ops    []Op    // applying Ops again redoes it; Invert(Ops) undoes it
	Result any     // the command's result (CreateNode: the new node id)
	NodeID string  // the node the command created or acted on, if one
}

// DecodeCommand builds a client command from its type, in CamelCase
// ("CreateNode") or the seed's snake_case ("create_node"), and its JSON data.
// Unknown types are an *InvalidCommandError; ill-typed data an
// *InvalidRequestError. It never panics on any input.
func DecodeCommand(commandType string, data json.RawMessage) (Command, error) { panic("unimplemented") }

// EncodeCommand returns the JSON form {"command_type", "data"} that
// DecodeCommand reads back into an equal command.
func EncodeCommand(c Command) ([]byte, error) { panic("unimplemented") }

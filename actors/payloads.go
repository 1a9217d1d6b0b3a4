package actors

import "github.com/talus-tally/server/model"

// Payloads of the events the session itself causes (the graph events carry
// model payloads). Their fields are merged into Event.JSON next to the
// envelope (event, session_id, project_id, seq, timestamp, command_id), so
// none of them repeats an envelope field.

// CommandExecuting is the payload of command:executing.
type CommandExecuting struct {
	CommandType string `json:"command_type"`
}

// CommandExecuted is the payload of command:executed.
type CommandExecuted struct {
	CommandType string `json:"command_type"`
	Result      any    `json:"result"`
}

// CommandFailed is the payload of command:failed.
type CommandFailed struct {
	CommandType string    `json:"command_type"`
	Error       WireError `json:"error"`
}

// WireError is an error as clients see it: a SPEC §2 code and a safe message.
type WireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// NewWireError returns the client view of err (see Code and Message).
func NewWireError(err error) WireError {
	return WireError{Code: Code(err), Message: Message(err)}
}

// CommandUndoRedo is the payload of command:undo and command:redo, sent
// after the graph events the step caused. CommandType is the type of the
// command undone or redone.
type CommandUndoRedo struct {
	CommandType string `json:"command_type"`
}

// SessionClient is the payload of session:connected and
// session:disconnected. ClientCount is the count after the change.
type SessionClient struct {
	ClientID    string `json:"client_id"`
	ClientCount int    `json:"client_count"`
}

// SessionClosed is the payload of session:closed.
type SessionClosed struct{}

// ProjectLoaded is the payload of project:loaded; the project id is the
// envelope's project_id.
type ProjectLoaded struct {
	Graph Graph `json:"graph"`
}

// Graph is a whole graph inside an event payload.
type Graph struct {
	Roots []model.TreeNode `json:"roots"`
}

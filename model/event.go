package model

// Event names, as sent to clients. wire.LegacyName maps them to the
// prototype's.
const (
	EventNodeCreated      = "graph:node-created"
	EventNodeDeleted      = "graph:node-deleted"
	EventNodeLinked       = "graph:node-linked"
	EventNodeUnlinked     = "graph:node-unlinked"
	EventNodeUpdated      = "graph:node-updated"
	EventPropertyChanged  = "graph:property-changed"
	EventPropertyDeleted  = "graph:property-deleted"
	EventCommandExecuting = "command:executing"
	EventCommandExecuted  = "command:executed"
	EventCommandFailed    = "command:failed"
	EventCommandUndo      = "command:undo"
	EventCommandRedo      = "command:redo"
	EventSessionConnected = "session:connected"
	EventSessionLeft      = "session:disconnected"
	EventSessionClosed    = "session:closed"
	EventProjectSaved     = "project:saved"
	EventProjectLoaded    = "project:loaded"
)

// Event is one concrete change a command caused. Data is one of the payload
// types below; it holds copies, never pointers into the graph.
type Event struct {
	Name string
	Data any
}

// NodeCreated is the payload of graph:node-created. The node is repeated
// flat (node_id, name, ...) for the prototype's clients.
type NodeCreated struct {
	Node     CreatedNode `json:"node"`
	NodeID   string      `json:"node_id"`
	Name     string      `json:"name"`
	Type     string      `json:"blueprint_type_id"`
	ParentID *string     `json:"parent_id"`
	Index    int         `json:"index"`
}

// CreatedNode is the node inside NodeCreated. Index is its position among
// its parent's children (or among the roots).
type CreatedNode struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"blueprint_type_id"`
	ParentID   *string        `json:"parent_id"`
	Index      int            `json:"index"`
	Properties map[string]any `json:"properties"`
}

// NodeDeleted is the payload of graph:node-deleted: the subtree rooted at
// NodeID is gone. DeletedIDs lists the whole subtree.
type NodeDeleted struct {
	NodeID     string   `json:"node_id"`
	ParentID   *string  `json:"parent_id"`
	Index      int      `json:"index"`
	DeletedIDs []string `json:"deleted_ids"`
}

// NodeLinked is the payload of graph:node-linked: a root became the child of
// ParentID at Index.
type NodeLinked struct {
	ParentID string `json:"parent_id"`
	ChildID  string `json:"child_id"`
	Index    int    `json:"index"`
}

// NodeUnlinked is the payload of graph:node-unlinked: ChildID left ParentID
// and became a root at RootIndex among the roots (appended, unless an undo
// puts it back where it was).
type NodeUnlinked struct {
	ParentID  string `json:"parent_id"`
	ChildID   string `json:"child_id"`
	RootIndex int    `json:"root_index"`
}

// NodeUpdated is the payload of graph:node-updated.
type NodeUpdated struct {
	NodeID  string            `json:"node_id"`
	Changes map[string]Change `json:"changes"`
}

// Change is an old and new value pair inside NodeUpdated.
type Change struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// PropertyChanged is the payload of graph:property-changed. OldValue is null
// when the property was absent.
type PropertyChanged struct {
	NodeID     string `json:"node_id"`
	PropertyID string `json:"property_id"`
	OldValue   any    `json:"old_value"`
	NewValue   any    `json:"new_value"`
}

// PropertyDeleted is the payload of graph:property-deleted.
type PropertyDeleted struct {
	NodeID     string `json:"node_id"`
	PropertyID string `json:"property_id"`
	OldValue   any    `json:"old_value"`
}

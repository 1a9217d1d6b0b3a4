package model

// OpKind names a primitive change.
type OpKind string

// The primitive changes every command is made of. Each has an exact inverse.
const (
	OpAdd     OpKind = "add"      // Nodes (parents first) appear; Nodes[0] under ParentID at Index
	OpRemove  OpKind = "remove"   // the subtree at NodeID goes; Nodes holds it, for the inverse
	OpSetProp OpKind = "set_prop" // Prop of NodeID: Old (HadOld) -> New
	OpDelProp OpKind = "del_prop" // Prop of NodeID removed; Old holds it
	OpRename  OpKind = "rename"   // OldName -> NewName
	OpAttach  OpKind = "attach"   // root NodeID goes under ParentID at Index
	OpDetach  OpKind = "detach"   // NodeID leaves ParentID (child Index) and becomes a root at RootIndex
)

// Op is one primitive change, as plain data: it can be journaled, replayed
// and inverted. Nodes holds copies (with their children lists) so an add or
// remove restores a subtree exactly.
type Op struct {
	Kind      OpKind `json:"op"`
	NodeID    string `json:"node_id,omitempty"`
	ParentID  string `json:"parent_id,omitempty"`
	Index     int    `json:"index"`
	RootIndex int    `json:"root_index"`
	Nodes     []Node `json:"nodes,omitempty"`
	Prop      string `json:"prop,omitempty"`
	Old       any    `json:"old,omitempty"`
	HadOld    bool   `json:"had_old,omitempty"`
	New       any    `json:"new,omitempty"`
	OldName   string `json:"old_name,omitempty"`
	NewName   string `json:"new_name,omitempty"`
}

// Invert returns the ops that undo ops: each inverted, in reverse order.
func Invert(ops []Op) []Op { panic("unimplemented") }

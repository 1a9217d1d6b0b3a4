package model

// CreateNode adds a node. Without ParentID the graph must be empty or Type
// must be the template's root type.
type CreateNode struct {
	ParentID   string         `json:"parent_id,omitempty"`
	Type       string         `json:"blueprint_type_id"`
	Name       string         `json:"name,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
	Index      *int           `json:"index,omitempty"`
}

// CommandType implements Command.
func (CreateNode) CommandType() string { return CmdCreateNode }

// Apply implements Command; the result is the new node's id.
func (c CreateNode) Apply(tx *Tx) (any, error) {
	return tx.Create(c.ParentID, c.Type, c.Name, c.Properties, c.Index)
}

// DeleteNode removes a node and its whole subtree.
type DeleteNode struct {
	NodeID string `json:"node_id"`
}

// CommandType implements Command.
func (DeleteNode) CommandType() string { return CmdDeleteNode }

// Apply implements Command.
func (c DeleteNode) Apply(tx *Tx) (any, error) { return c.NodeID, tx.Delete(c.NodeID) }

// UpdateProperty sets one property to a typed, validated value.
type UpdateProperty struct {
	NodeID     string `json:"node_id"`
	PropertyID string `json:"property_id"`
	Value      any    `json:"value"`
}

// CommandType implements Command.
func (UpdateProperty) CommandType() string { return CmdUpdateProperty }

// Apply implements Command.
func (c UpdateProperty) Apply(tx *Tx) (any, error) {
	return c.NodeID, tx.SetProperty(c.NodeID, c.PropertyID, c.Value)
}

// DeleteProperty removes one property that is set.
type DeleteProperty struct {
	NodeID     string `json:"node_id"`
	PropertyID string `json:"property_id"`
}

// CommandType implements Command.
func (DeleteProperty) CommandType() string { return CmdDeleteProperty }

// Apply implements Command.
func (c DeleteProperty) Apply(tx *Tx) (any, error) {
	return c.NodeID, tx.DeleteProperty(c.NodeID, c.PropertyID)
}

// RenameNode gives a node a new, non-blank name.
type RenameNode struct {
	NodeID string `json:"node_id"`
	Name   string `json:"name"`
}

// CommandType implements Command.
func (RenameNode) CommandType() string { return CmdRenameNode }

// Apply implements Command.
func (c RenameNode) Apply(tx *Tx) (any, error) { return c.NodeID, tx.Rename(c.NodeID, c.Name) }

// LinkNode attaches a parentless node under a parent at Index (nil appends).
type LinkNode struct {
	ParentID string `json:"parent_id"`
	ChildID  string `json:"child_id"`
	Index    *int   `json:"index,omitempty"`
}

// CommandType implements Command.
func (LinkNode) CommandType() string { return CmdLinkNode }

// Apply implements Command.
func (c LinkNode) Apply(tx *Tx) (any, error) {
	return c.ChildID, tx.Link(c.ParentID, c.ChildID, c.Index)
}

// UnlinkNode detaches a child from its parent; it becomes the last root.
type UnlinkNode struct {
	ParentID string `json:"parent_id"`
	ChildID  string `json:"child_id"`
}

// CommandType implements Command.
func (UnlinkNode) CommandType() string { return CmdUnlinkNode }

// Apply implements Command.
func (c UnlinkNode) Apply(tx *Tx) (any, error) { return c.ChildID, tx.Unlink(c.ParentID, c.ChildID) }

// MoveNode reparents or reorders a node in one step. Index counts the new
// parent's children without the moved node; nil appends.
type MoveNode struct {
	NodeID      string `json:"node_id"`
	NewParentID string `json:"new_parent_id"`
	Index       *int   `json:"index,omitempty"`
}

// CommandType implements Command.
func (MoveNode) CommandType() string { return CmdMoveNode }

// Apply implements Command. A root is only linked; a child is unlinked
// first, and the transaction puts it back if the link breaks a rule.
func (c MoveNode) Apply(tx *Tx) (any, error) {
	n, err := tx.g.need(c.NodeID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.g.need(c.NewParentID); err != nil {
		return nil, err
	}
	if n.ParentID != "" {
		if err := tx.Unlink(n.ParentID, c.NodeID); err != nil {
			return nil, err
		}
	}
	if err := tx.Link(c.NewParentID, c.NodeID, c.Index); err != nil {
		return nil, err
	}
	return c.NodeID, nil
}

// ApplyKit deep-copies the kit root's children (new ids, parents first)
// under the target, after the target's children.
type ApplyKit struct {
	TargetID  string `json:"target_id"`
	KitRootID string `json:"kit_root_id"`
}

// CommandType implements Command.
func (ApplyKit) CommandType() string { return CmdApplyKit }

// Apply implements Command; the result is the ids of the copied top-level nodes.
func (c ApplyKit) Apply(tx *Tx) (any, error) {
	kit, err := tx.g.need(c.KitRootID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.g.need(c.TargetID); err != nil {
		return nil, err
	}
	// The whole copy must fit before a node of it is made.
	size := 0
	for _, id := range kit.Children {
		size += tx.g.subtreeSize(id)
	}
	if err := tx.g.limits.checkNodes(len(tx.g.nodes), size); err != nil {
		return nil, err
	}
	// Copy every subtree before pasting any: the target may sit inside the
	// kit, and a kit must never copy its own copies.
	subtrees := make([][]Node, 0, len(kit.Children))
	for _, id := range kit.Children {
		subtrees = append(subtrees, tx.g.subtree(id))
	}
	out := make([]string, 0, len(subtrees))
	for _, nodes := range subtrees {
		nid, err := tx.paste(nodes, c.TargetID)
		if err != nil {
			return nil, err
		}
		out = append(out, nid)
	}
	return out, nil
}

// Batch applies its commands in order as one all-or-nothing step.
type Batch struct {
	Commands []Command `json:"commands"`
}

// CommandType implements Command.
func (Batch) CommandType() string { return CmdBatch }

// Apply implements Command; the result lists the parts' results.
func (c Batch) Apply(tx *Tx) (any, error) {
	if len(c.Commands) == 0 {
		return nil, invalidCommand("batch", "a batch needs at least one command")
	}
	if n := c.size(); n > tx.g.limits.MaxBatch {
		return nil, limitError(BudgetBatch, tx.g.limits.MaxBatch, "a batch of %d commands", n)
	}
	out := make([]any, 0, len(c.Commands))
	for i, cmd := range c.Commands {
		if cmd == nil {
			return nil, invalidRequest("commands", "command %d is missing", i)
		}
		r, err := cmd.Apply(tx)
		if err != nil {
			return nil, wrapPart(i, cmd, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// size counts the batch's commands, those of nested batches included.
func (c Batch) size() int {
	n := 0
	for _, cmd := range c.Commands {
		n++
		switch b := cmd.(type) {
		case Batch:
			n += b.size()
		case *Batch:
			n += b.size()
		}
	}
	return n
}

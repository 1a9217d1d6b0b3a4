package model

import (
	"fmt"
	"slices"
	"strings"
)

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
func Invert(ops []Op) []Op {
	out := make([]Op, 0, len(ops))
	for i := len(ops) - 1; i >= 0; i-- {
		out = append(out, invertOp(ops[i]))
	}
	return out
}

func invertOp(op Op) Op {
	switch op.Kind {
	case OpAdd:
		id := ""
		if len(op.Nodes) > 0 {
			id = op.Nodes[0].ID
		}
		return Op{Kind: OpRemove, NodeID: id, ParentID: op.ParentID, Index: op.Index, Nodes: op.Nodes}
	case OpRemove:
		return Op{Kind: OpAdd, NodeID: op.NodeID, ParentID: op.ParentID, Index: op.Index, Nodes: op.Nodes}
	case OpSetProp:
		if op.HadOld {
			return Op{Kind: OpSetProp, NodeID: op.NodeID, Prop: op.Prop, Old: op.New, HadOld: true, New: op.Old}
		}
		return Op{Kind: OpDelProp, NodeID: op.NodeID, Prop: op.Prop, Old: op.New}
	case OpDelProp:
		return Op{Kind: OpSetProp, NodeID: op.NodeID, Prop: op.Prop, New: op.Old}
	case OpRename:
		return Op{Kind: OpRename, NodeID: op.NodeID, OldName: op.NewName, NewName: op.OldName}
	case OpAttach:
		return Op{Kind: OpDetach, NodeID: op.NodeID, ParentID: op.ParentID, Index: op.Index, RootIndex: op.RootIndex}
	case OpDetach:
		return Op{Kind: OpAttach, NodeID: op.NodeID, ParentID: op.ParentID, Index: op.Index, RootIndex: op.RootIndex}
	default:
		return op // do rejects unknown kinds, so an unknown op stays an error both ways
	}
}

// do applies one primitive op to g, after checking it fits the graph. It
// returns the op completed from the live graph (old values, positions,
// removed subtree), which is what its exact inverse needs. On error g is
// unchanged. Every change to a graph's nodes goes through here, so this is
// where its version moves.
func (g *Graph) do(op Op) (Op, error) {
	done, err := g.apply(op)
	if err == nil {
		g.version++
	}
	return done, err
}

func (g *Graph) apply(op Op) (Op, error) {
	switch op.Kind {
	case OpAdd:
		return g.doAdd(op)
	case OpRemove:
		n, err := g.need(op.NodeID)
		if err != nil {
			return op, err
		}
		op.ParentID = n.ParentID
		op.Index = g.position(n)
		op.Nodes = g.subtree(n.ID)
		g.detachFrom(n, op.Index)
		for _, c := range op.Nodes {
			delete(g.nodes, c.ID)
		}
		return op, nil
	case OpSetProp:
		n, err := g.need(op.NodeID)
		if err != nil {
			return op, err
		}
		id, v, err := g.canonicalStored(n.Type, op.Prop, op.New)
		if err != nil {
			return op, err
		}
		op.New = v
		op.Old, op.HadOld = n.props.get(id)
		n.props.set(id, v)
		return op, nil
	case OpDelProp:
		n, err := g.need(op.NodeID)
		if err != nil {
			return op, err
		}
		old, ok := n.props.get(op.Prop)
		if !ok {
			return op, invalidCommand("not_set", "property %q of node %q is not set", op.Prop, op.NodeID)
		}
		op.Old = old
		n.props.del(op.Prop)
		return op, nil
	case OpRename:
		n, err := g.need(op.NodeID)
		if err != nil {
			return op, err
		}
		if isBlank(op.NewName) {
			return op, invalidCommand("name", "a node name cannot be empty")
		}
		op.OldName = n.Name
		n.Name = op.NewName
		return op, nil
	case OpAttach:
		return g.doAttach(op)
	case OpDetach:
		n, err := g.need(op.NodeID)
		if err != nil {
			return op, err
		}
		if n.ParentID == "" || (op.ParentID != "" && op.ParentID != n.ParentID) {
			return op, invalidCommand("not_a_child", "node %q is not a child of %q", op.NodeID, op.ParentID)
		}
		if op.RootIndex < 0 || op.RootIndex > len(g.roots) {
			return op, invalidCommand("index", "root index %d is out of range 0..%d", op.RootIndex, len(g.roots))
		}
		op.ParentID = n.ParentID
		op.Index = g.position(n)
		g.detachFrom(n, op.Index)
		n.ParentID = ""
		g.roots = slices.Insert(g.roots, op.RootIndex, n.ID)
		return op, nil
	default:
		return op, fmt.Errorf("%w: unknown op %q", ErrInternal, op.Kind)
	}
}

func (g *Graph) doAdd(op Op) (Op, error) {
	if len(op.Nodes) == 0 {
		return op, fmt.Errorf("%w: add without nodes", ErrInternal)
	}
	var siblings []string
	if op.ParentID == "" {
		siblings = g.roots
	} else {
		p, err := g.need(op.ParentID)
		if err != nil {
			return op, err
		}
		siblings = p.Children
	}
	if op.Index < 0 || op.Index > len(siblings) {
		return op, invalidCommand("index", "index %d is out of range 0..%d", op.Index, len(siblings))
	}
	// The subtree must be self-consistent and new, or the graph would be corrupted.
	in := make(map[string]*Node, len(op.Nodes))
	refs := 0
	for i := range op.Nodes {
		n := &op.Nodes[i]
		if n.ID == "" || in[n.ID] != nil || g.nodes[n.ID] != nil {
			return op, invalidCommand("id", "node id %q is empty or already used", n.ID)
		}
		if _, ok := g.tmpl.NodeType(n.Type); !ok {
			return op, invalidCommand("unknown_type", "unknown node type %q", n.Type)
		}
		if i == 0 {
			if n.ParentID != op.ParentID {
				return op, fmt.Errorf("%w: add: subtree root parent %q, op parent %q", ErrInternal, n.ParentID, op.ParentID)
			}
			if p := g.nodes[op.ParentID]; p != nil && !g.allows(p, n.Type) {
				return op, invalidCommand("allowed_children", "a %q cannot hold a %q", p.Type, n.Type)
			}
		} else if p := in[n.ParentID]; p == nil || !slices.Contains(p.Children, n.ID) {
			return op, fmt.Errorf("%w: add: node %q comes before its parent or is not its child", ErrInternal, n.ID)
		}
		in[n.ID] = n
		refs += len(n.Children)
	}
	if refs != len(op.Nodes)-1 {
		return op, fmt.Errorf("%w: add: children lists do not match the nodes", ErrInternal)
	}
	// Copy, with values in canonical form (a journal may hand back 12 as
	// json.Number); the graph and the recorded op then share nothing.
	nodes := make([]Node, len(op.Nodes))
	kept := make([]node, len(op.Nodes))
	for i := range op.Nodes {
		c := op.Nodes[i].clone()
		var p props
		if len(c.Properties) > 0 {
			p = make(props, 0, len(c.Properties))
		}
		for k, v := range c.Properties {
			id, cv, err := g.canonicalStored(c.Type, k, v)
			if err != nil {
				return op, err
			}
			c.Properties[k] = cv
			p = append(p, prop{id: id, value: cv})
		}
		slices.SortFunc(p, func(a, b prop) int { return strings.Compare(a.id, b.id) })
		nodes[i] = c
		kept[i] = node{ID: c.ID, Type: c.Type, Name: c.Name, ParentID: c.ParentID, Children: append([]string{}, c.Children...), props: p, CreatedAt: c.CreatedAt}
	}
	for i := range kept {
		g.nodes[kept[i].ID] = &kept[i]
	}
	op.Nodes = nodes
	top := op.Nodes[0].ID
	if op.ParentID == "" {
		g.roots = slices.Insert(g.roots, op.Index, top)
	} else {
		p := g.nodes[op.ParentID]
		p.Children = slices.Insert(p.Children, op.Index, top)
	}
	op.NodeID = top
	return op, nil
}

func (g *Graph) doAttach(op Op) (Op, error) {
	n, err := g.need(op.NodeID)
	if err != nil {
		return op, err
	}
	p, err := g.need(op.ParentID)
	if err != nil {
		return op, err
	}
	if n.ParentID != "" {
		return op, invalidCommand("already_linked", "node %q already has parent %q; unlink or move it", n.ID, n.ParentID)
	}
	if !g.allows(p, n.Type) {
		return op, invalidCommand("allowed_children", "a %q cannot hold a %q", p.Type, n.Type)
	}
	if g.isAncestorOrSelf(n.ID, p) {
		return op, invalidCommand("cycle", "linking %q under %q would make a cycle", n.ID, p.ID)
	}
	if op.Index < 0 || op.Index > len(p.Children) {
		return op, invalidCommand("index", "index %d is out of range 0..%d", op.Index, len(p.Children))
	}
	op.RootIndex = g.position(n)
	g.detachFrom(n, op.RootIndex)
	n.ParentID = p.ID
	p.Children = slices.Insert(p.Children, op.Index, n.ID)
	return op, nil
}

func (g *Graph) need(id string) (*node, error) {
	if n, ok := g.nodes[id]; ok {
		return n, nil
	}
	return nil, notFound(id)
}

func notFound(id string) error { return fmt.Errorf("node %q: %w", id, ErrNodeNotFound) }

// position returns n's index among its siblings (or among the roots).
func (g *Graph) position(n *node) int {
	if n.ParentID == "" {
		return slices.Index(g.roots, n.ID)
	}
	return slices.Index(g.nodes[n.ParentID].Children, n.ID)
}

// detachFrom removes n from its sibling list at i (from position).
func (g *Graph) detachFrom(n *node, i int) {
	if n.ParentID == "" {
		g.roots = slices.Delete(g.roots, i, i+1)
		return
	}
	p := g.nodes[n.ParentID]
	p.Children = slices.Delete(p.Children, i, i+1)
}

// isAncestorOrSelf reports whether id is n or one of n's ancestors. It walks
// up, so it costs the depth of n, not the size of the graph.
func (g *Graph) isAncestorOrSelf(id string, n *node) bool {
	for steps := 0; n != nil && steps <= len(g.nodes); steps++ {
		if n.ID == id {
			return true
		}
		if n.ParentID == "" {
			return false
		}
		n = g.nodes[n.ParentID]
	}
	return false
}

// subtree returns copies of the subtree at id, parents first (pre-order).
// subtreeSize counts the nodes of the subtree at id without copying them.
func (g *Graph) subtreeSize(id string) int {
	n := 0
	stack := []string{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		stack = append(stack, g.nodes[cur].Children...)
	}
	return n
}

func (g *Graph) subtree(id string) []Node {
	var out []Node
	stack := []string{id}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := g.nodes[cur]
		out = append(out, n.export())
		for i := len(n.Children) - 1; i >= 0; i-- {
			stack = append(stack, n.Children[i])
		}
	}
	return out
}

// opEvents returns the client events a completed op causes.
func opEvents(op Op) []Event {
	switch op.Kind {
	case OpAdd:
		pos := make(map[string]int, len(op.Nodes))
		for _, n := range op.Nodes {
			for i, c := range n.Children {
				pos[c] = i
			}
		}
		evs := make([]Event, 0, len(op.Nodes))
		for i, n := range op.Nodes {
			idx := pos[n.ID]
			if i == 0 {
				idx = op.Index
			}
			parent := optional(n.ParentID)
			evs = append(evs, Event{Name: EventNodeCreated, Data: NodeCreated{
				Node:   CreatedNode{ID: n.ID, Name: n.Name, Type: n.Type, ParentID: parent, Index: idx, Properties: cloneProps(n.Properties)},
				NodeID: n.ID, Name: n.Name, Type: n.Type, ParentID: optional(n.ParentID), Index: idx,
			}})
		}
		return evs
	case OpRemove:
		ids := make([]string, len(op.Nodes))
		for i, n := range op.Nodes {
			ids[i] = n.ID
		}
		return []Event{{Name: EventNodeDeleted, Data: NodeDeleted{NodeID: op.NodeID, ParentID: optional(op.ParentID), Index: op.Index, DeletedIDs: ids}}}
	case OpSetProp:
		var old any
		if op.HadOld {
			old = op.Old
		}
		return []Event{{Name: EventPropertyChanged, Data: PropertyChanged{NodeID: op.NodeID, PropertyID: op.Prop, OldValue: old, NewValue: op.New}}}
	case OpDelProp:
		return []Event{{Name: EventPropertyDeleted, Data: PropertyDeleted{NodeID: op.NodeID, PropertyID: op.Prop, OldValue: op.Old}}}
	case OpRename:
		return []Event{{Name: EventNodeUpdated, Data: NodeUpdated{NodeID: op.NodeID, Changes: map[string]Change{"name": {Old: op.OldName, New: op.NewName}}}}}
	case OpAttach:
		return []Event{{Name: EventNodeLinked, Data: NodeLinked{ParentID: op.ParentID, ChildID: op.NodeID, Index: op.Index}}}
	case OpDetach:
		return []Event{{Name: EventNodeUnlinked, Data: NodeUnlinked{ParentID: op.ParentID, ChildID: op.NodeID, RootIndex: op.RootIndex}}}
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// allows reports whether parent's type may hold a child of type childType.
func (g *Graph) allows(parent *node, childType string) bool {
	nt, ok := g.tmpl.NodeType(parent.Type)
	return ok && nt.Allows(childType)
}

// canonicalStored returns v in canonical form for a property of typ, so
// replayed ops cannot smuggle in what a command would refuse, and the
// property's id as the template holds it (nodes keep that string, not one
// of their own).
func (g *Graph) canonicalStored(typ, prop string, v any) (string, any, error) {
	nt, ok := g.tmpl.NodeType(typ)
	if !ok {
		return "", nil, invalidCommand("unknown_type", "unknown node type %q", typ)
	}
	def, ok := nt.Property(prop)
	if !ok {
		return "", nil, invalidCommand("unknown_property", "node type %q has no property %q", typ, prop)
	}
	cv, err := canonicalValue(def, v)
	return def.ID, cv, err
}

package model

import (
	"fmt"
	"reflect"
)

// Tx is a command's view of the graph while it runs. Reads see the command's
// own changes. Every mutating method validates, changes the graph, records
// the Op and its event, and returns a typed error without changing anything
// when a rule is broken.
type Tx struct {
	g      *Graph
	ops    []Op
	events []Event
}

// Apply runs cmd in a transaction. On error (or panic, reported as an error
// wrapping ErrInternal) the graph is exactly as before.
func (g *Graph) Apply(cmd Command) (applied Applied, err error) {
	if cmd == nil || (reflect.ValueOf(cmd).Kind() == reflect.Pointer && reflect.ValueOf(cmd).IsNil()) {
		return Applied{}, invalidRequest("command", "missing command")
	}
	tx := &Tx{g: g}
	defer func() {
		if r := recover(); r != nil {
			tx.rollback()
			applied, err = Applied{}, fmt.Errorf("%w: command %T panicked: %v", ErrInternal, cmd, r)
		}
	}()
	result, err := cmd.Apply(tx)
	if err != nil {
		tx.rollback()
		return Applied{}, err
	}
	a := Applied{Events: tx.events, Ops: tx.ops, Result: result}
	switch c := cmd.(type) {
	case ApplyKit:
		a.NodeID = c.TargetID
	case *ApplyKit:
		a.NodeID = c.TargetID
	default:
		if s, ok := result.(string); ok {
			a.NodeID = s
		}
	}
	return a, nil
}

// ApplyOps replays recorded ops (a redo, or Invert(ops) for an undo) in a
// transaction and returns the events they cause.
func (g *Graph) ApplyOps(ops []Op) (applied Applied, err error) {
	tx := &Tx{g: g}
	defer func() {
		if r := recover(); r != nil {
			tx.rollback()
			applied, err = Applied{}, fmt.Errorf("%w: replaying ops panicked: %v", ErrInternal, r)
		}
	}()
	for _, op := range ops {
		if err := tx.record(op); err != nil {
			tx.rollback()
			return Applied{}, err
		}
	}
	a := Applied{Events: tx.events, Ops: tx.ops}
	if len(tx.ops) > 0 {
		a.NodeID = tx.ops[0].NodeID
	}
	return a, nil
}

// record applies op and keeps the completed op and its events.
func (tx *Tx) record(op Op) error {
	done, err := tx.g.do(op)
	if err != nil {
		return err
	}
	tx.ops = append(tx.ops, done)
	tx.events = append(tx.events, opEvents(done)...)
	return nil
}

// rollback undoes every op the transaction applied, newest first. The
// inverses of ops that just succeeded cannot fail unless the graph code has
// a bug; then the error is all we can report.
func (tx *Tx) rollback() {
	for i := len(tx.ops) - 1; i >= 0; i-- {
		if _, err := tx.g.do(invertOp(tx.ops[i])); err != nil {
			panic(fmt.Sprintf("model: rollback failed: %v", err))
		}
	}
	tx.ops, tx.events = nil, nil
}

// Template returns the graph's template.
func (tx *Tx) Template() *Template { return tx.g.tmpl }

// Node returns a copy of the node with id.
func (tx *Tx) Node(id string) (NodeView, bool) { return tx.g.Node(id) }

// Roots returns the root ids, in order.
func (tx *Tx) Roots() []string { return tx.g.Roots() }

// Len returns the number of nodes.
func (tx *Tx) Len() int { return len(tx.g.nodes) }

func (tx *Tx) nodeType(n *node) *NodeType {
	nt, ok := tx.g.tmpl.NodeType(n.Type)
	if !ok {
		// GraphFromFile and Create check types, so a node's type always exists.
		panic(fmt.Sprintf("node %q has unknown type %q", n.ID, n.Type))
	}
	return nt
}

// Create adds a node of typeID under parentID ("" for a root) at index (nil
// appends) with the type's defaults overlaid by props, and returns its id.
// An empty name takes the type's label.
func (tx *Tx) Create(parentID, typeID, name string, props map[string]any, index *int) (string, error) {
	g := tx.g
	nt, ok := g.tmpl.NodeType(typeID)
	if !ok && typeID == g.tmpl.ID {
		// The prototype's client names the template where it means its root type.
		nt, ok = g.tmpl.RootType(), true
	}
	if !ok {
		return "", invalidCommand("unknown_type", "template %q has no node type %q", g.tmpl.ID, typeID)
	}
	siblings := g.roots
	if parentID == "" {
		if len(g.nodes) > 0 && nt.ID != g.tmpl.RootType().ID {
			return "", invalidCommand("root", "only a %q node can be created without a parent", g.tmpl.RootType().ID)
		}
	} else {
		p, err := g.need(parentID)
		if err != nil {
			return "", err
		}
		if pt := tx.nodeType(p); !pt.Allows(nt.ID) {
			return "", invalidCommand("allowed_children", "a %q cannot hold a %q (allowed: %v)", pt.ID, nt.ID, pt.AllowedChildren)
		}
		siblings = p.Children
	}
	at, err := insertIndex(index, len(siblings))
	if err != nil {
		return "", err
	}
	if err := g.limits.checkNodes(len(g.nodes), 1); err != nil {
		return "", err
	}
	if err := g.limits.CheckName(name); err != nil {
		return "", err
	}
	values := nt.defaults()
	for k, v := range props {
		def, ok := nt.Property(k)
		if !ok {
			return "", invalidCommand("unknown_property", "node type %q has no property %q", nt.ID, k)
		}
		if v == nil {
			continue // a form's unset field: the property simply starts absent
		}
		cv, err := canonicalValue(def, v)
		if err != nil {
			return "", err
		}
		if err := g.limits.checkValue(k, cv); err != nil {
			return "", err
		}
		if checkRequired(def, cv) != nil {
			// Required never blocks creation: an empty required field stays unset.
			delete(values, k)
			continue
		}
		values[k] = cv
	}
	if isBlank(name) {
		name = nt.Label
	}
	id := g.newID()
	n := Node{ID: id, Type: nt.ID, Name: name, ParentID: parentID, Children: []string{}, Properties: values, CreatedAt: g.now()}
	if err := tx.record(Op{Kind: OpAdd, ParentID: parentID, Index: at, Nodes: []Node{n}}); err != nil {
		return "", err
	}
	return id, nil
}

func insertIndex(index *int, n int) (int, error) {
	if index == nil {
		return n, nil
	}
	if *index < 0 || *index > n {
		return 0, invalidCommand("index", "index %d is out of range 0..%d", *index, n)
	}
	return *index, nil
}

// Delete removes the node and its whole subtree.
func (tx *Tx) Delete(nodeID string) error {
	return tx.record(Op{Kind: OpRemove, NodeID: nodeID})
}

// SetProperty sets a property to a value checked against the node type and
// stored in canonical form. An empty value (see clears) removes the
// property instead, and "name" on a type without such a property renames
// the node: both are what the prototype's frontend sends.
func (tx *Tx) SetProperty(nodeID, propID string, value any) error {
	n, err := tx.g.need(nodeID)
	if err != nil {
		return err
	}
	nt := tx.nodeType(n)
	def, ok := nt.Property(propID)
	if !ok && propID == NameProperty {
		// The prototype's frontend renames a node by setting its "name"
		// property; a type without a property of that name means the name.
		name, isString := value.(string)
		if !isString {
			return invalidCommand("value", "a node's name is a string")
		}
		return tx.Rename(nodeID, name)
	}
	if !ok {
		return invalidCommand("unknown_property", "node type %q has no property %q", nt.ID, propID)
	}
	if clears(def, value) {
		// Emptying a field clears it: null, or "" where "" is not a value
		// of the type. Clearing what is not set changes nothing.
		if _, set := n.props.get(propID); !set {
			return nil
		}
		if def.Required {
			return invalidCommand("required", "property %q is required and cannot be cleared", propID)
		}
		return tx.record(Op{Kind: OpDelProp, NodeID: nodeID, Prop: propID})
	}
	v, err := canonicalValue(def, value)
	if err != nil {
		return err
	}
	if err := tx.g.limits.checkValue(propID, v); err != nil {
		return err
	}
	if err := checkRequired(def, v); err != nil {
		return err
	}
	return tx.record(Op{Kind: OpSetProp, NodeID: nodeID, Prop: propID, New: v})
}

// NameProperty is the property id the prototype's frontend sets to rename
// a node (SetProperty treats it as a rename unless the type has one).
const NameProperty = "name"

// clears reports whether value empties a property instead of setting it:
// null always, "" for every type but text (where "" is a value).
func clears(def *PropertyDef, value any) bool {
	if value == nil {
		return true
	}
	s, ok := value.(string)
	return ok && s == "" && def.Type != TypeText
}

// DeleteProperty removes a property that is set. A required property that is
// set cannot be removed.
func (tx *Tx) DeleteProperty(nodeID, propID string) error {
	n, err := tx.g.need(nodeID)
	if err != nil {
		return err
	}
	nt := tx.nodeType(n)
	def, ok := nt.Property(propID)
	if !ok {
		return invalidCommand("unknown_property", "node type %q has no property %q", nt.ID, propID)
	}
	if _, set := n.props.get(propID); set && def.Required {
		return invalidCommand("required", "property %q is required and cannot be deleted", propID)
	}
	return tx.record(Op{Kind: OpDelProp, NodeID: nodeID, Prop: propID})
}

// Rename gives the node a new, non-blank name.
func (tx *Tx) Rename(nodeID, name string) error {
	if _, err := tx.g.need(nodeID); err != nil {
		return err
	}
	if isBlank(name) {
		return invalidCommand("name", "a node name cannot be empty")
	}
	if err := tx.g.limits.CheckName(name); err != nil {
		return err
	}
	return tx.record(Op{Kind: OpRename, NodeID: nodeID, NewName: name})
}

// Link attaches the root childID under parentID at index (nil appends),
// keeping the template's child rules and the forest acyclic.
func (tx *Tx) Link(parentID, childID string, index *int) error {
	g := tx.g
	p, err := g.need(parentID)
	if err != nil {
		return err
	}
	c, err := g.need(childID)
	if err != nil {
		return err
	}
	if parentID == childID {
		return invalidCommand("cycle", "a node cannot be its own parent")
	}
	if c.ParentID != "" {
		return invalidCommand("already_linked", "node %q already has parent %q; unlink or move it", childID, c.ParentID)
	}
	if pt := tx.nodeType(p); !pt.Allows(c.Type) {
		return invalidCommand("allowed_children", "a %q cannot hold a %q (allowed: %v)", pt.ID, c.Type, pt.AllowedChildren)
	}
	at, err := insertIndex(index, len(p.Children))
	if err != nil {
		return err
	}
	return tx.record(Op{Kind: OpAttach, NodeID: childID, ParentID: parentID, Index: at})
}

// Unlink detaches childID from parentID; it becomes the last root.
func (tx *Tx) Unlink(parentID, childID string) error {
	g := tx.g
	if _, err := g.need(parentID); err != nil {
		return err
	}
	c, err := g.need(childID)
	if err != nil {
		return err
	}
	if c.ParentID != parentID {
		return invalidCommand("not_a_child", "node %q is not a child of %q", childID, parentID)
	}
	return tx.record(Op{Kind: OpDetach, NodeID: childID, ParentID: parentID, RootIndex: len(g.roots)})
}

// Copy deep-copies the subtree at srcID (new ids, new creation time, same
// names and properties) and appends the copy under parentID. It returns the
// new id of the copied subtree's root.
func (tx *Tx) Copy(srcID, parentID string) (string, error) {
	if _, err := tx.g.need(srcID); err != nil {
		return "", err
	}
	if err := tx.g.limits.checkNodes(len(tx.g.nodes), tx.g.subtreeSize(srcID)); err != nil {
		return "", err // before a single node is copied
	}
	return tx.paste(tx.g.subtree(srcID), parentID)
}

// paste adds fresh copies of nodes (a subtree, parents first, as subtree
// returns it) under parentID.
func (tx *Tx) paste(nodes []Node, parentID string) (string, error) {
	g := tx.g
	p, err := g.need(parentID)
	if err != nil {
		return "", err
	}
	if pt := tx.nodeType(p); !pt.Allows(nodes[0].Type) {
		return "", invalidCommand("allowed_children", "a %q cannot hold a %q (allowed: %v)", pt.ID, nodes[0].Type, pt.AllowedChildren)
	}
	if err := g.limits.checkNodes(len(g.nodes), len(nodes)); err != nil {
		return "", err
	}
	ids := make(map[string]string, len(nodes))
	for _, n := range nodes {
		ids[n.ID] = g.newID()
	}
	now := g.now()
	out := make([]Node, len(nodes))
	for i, src := range nodes {
		n := src.clone()
		n.ID = ids[src.ID]
		n.ParentID = ids[src.ParentID]
		if i == 0 {
			n.ParentID = parentID
		}
		for j, c := range n.Children {
			n.Children[j] = ids[c]
		}
		n.CreatedAt = now
		out[i] = n
	}
	if err := tx.record(Op{Kind: OpAdd, ParentID: parentID, Index: len(p.Children), Nodes: out}); err != nil {
		return "", err
	}
	return out[0].ID, nil
}

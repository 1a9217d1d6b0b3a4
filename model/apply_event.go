package model

import (
	"encoding/json"
	"fmt"
	"slices"
)

// ApplyEvent returns roots changed by one graph event, as a client holding
// the tree would change it. Applying, in order, the events that follow the
// tree's seq gives the tree the server holds. Data may be the payload type,
// a pointer to it, or its decoded JSON. Non-graph events leave the tree as
// it is. roots is not modified.
func ApplyEvent(roots []TreeNode, ev Event) ([]TreeNode, error) {
	name := ev.Name
	f := newForest(roots)
	var err error
	switch name {
	case EventNodeCreated:
		var d NodeCreated
		if err = payload(ev.Data, &d); err == nil {
			err = f.create(d)
		}
	case EventNodeDeleted:
		var d NodeDeleted
		if err = payload(ev.Data, &d); err == nil {
			err = f.remove(d.NodeID)
		}
	case EventNodeLinked:
		var d NodeLinked
		if err = payload(ev.Data, &d); err == nil {
			err = f.move(d.ChildID, d.ParentID, d.Index)
		}
	case EventNodeUnlinked:
		var d NodeUnlinked
		if err = payload(ev.Data, &d); err == nil {
			err = f.move(d.ChildID, "", d.RootIndex)
		}
	case EventNodeUpdated:
		var d NodeUpdated
		if err = payload(ev.Data, &d); err == nil {
			err = f.rename(d)
		}
	case EventPropertyChanged:
		var d PropertyChanged
		if err = payload(ev.Data, &d); err == nil {
			err = f.setProp(d.NodeID, d.PropertyID, d.NewValue, true)
		}
	case EventPropertyDeleted:
		var d PropertyDeleted
		if err = payload(ev.Data, &d); err == nil {
			err = f.setProp(d.NodeID, d.PropertyID, nil, false)
		}
	default:
		return cloneTree(roots), nil
	}
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", ev.Name, err)
	}
	return f.tree(), nil
}

// payload fills dst from data: the payload value, a pointer to it, or any
// value whose JSON has the payload's shape.
func payload[T any](data any, dst *T) error {
	switch d := data.(type) {
	case T:
		*dst = d
		return nil
	case *T:
		if d == nil {
			return fmt.Errorf("nil payload")
		}
		*dst = *d
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

type fnode struct {
	TreeNode
	parent   string
	children []string
}

type forest struct {
	nodes map[string]*fnode
	roots []string
}

func newForest(roots []TreeNode) *forest {
	f := &forest{nodes: map[string]*fnode{}}
	var add func(t TreeNode, parent string) string
	add = func(t TreeNode, parent string) string {
		n := &fnode{TreeNode: TreeNode{ID: t.ID, Name: t.Name, Type: t.Type, Properties: cloneProps(t.Properties)}, parent: parent}
		f.nodes[t.ID] = n
		for _, c := range t.Children {
			n.children = append(n.children, add(c, t.ID))
		}
		return t.ID
	}
	for _, r := range roots {
		f.roots = append(f.roots, add(r, ""))
	}
	return f
}

func (f *forest) tree() []TreeNode {
	var build func(id string) TreeNode
	build = func(id string) TreeNode {
		n := f.nodes[id]
		t := n.TreeNode
		t.Children = make([]TreeNode, 0, len(n.children))
		for _, c := range n.children {
			t.Children = append(t.Children, build(c))
		}
		return t
	}
	out := make([]TreeNode, 0, len(f.roots))
	for _, r := range f.roots {
		out = append(out, build(r))
	}
	return out
}

func (f *forest) siblings(parent string) (*[]string, error) {
	if parent == "" {
		return &f.roots, nil
	}
	p, ok := f.nodes[parent]
	if !ok {
		return nil, notFound(parent)
	}
	return &p.children, nil
}

func insertAt(list *[]string, i int, id string) error {
	if i < 0 || i > len(*list) {
		return fmt.Errorf("index %d out of range 0..%d", i, len(*list))
	}
	*list = slices.Insert(*list, i, id)
	return nil
}

func (f *forest) create(d NodeCreated) error {
	id := d.Node.ID
	if id == "" {
		id = d.NodeID
	}
	if _, ok := f.nodes[id]; ok || id == "" {
		return fmt.Errorf("node %q already exists", id)
	}
	parent := ""
	if d.Node.ParentID != nil {
		parent = *d.Node.ParentID
	}
	sib, err := f.siblings(parent)
	if err != nil {
		return err
	}
	if err := insertAt(sib, d.Node.Index, id); err != nil {
		return err
	}
	props := cloneProps(d.Node.Properties)
	f.nodes[id] = &fnode{TreeNode: TreeNode{ID: id, Name: d.Node.Name, Type: d.Node.Type, Properties: props}, parent: parent}
	return nil
}

func (f *forest) unhook(id string) (*fnode, error) {
	n, ok := f.nodes[id]
	if !ok {
		return nil, notFound(id)
	}
	sib, err := f.siblings(n.parent)
	if err != nil {
		return nil, err
	}
	i := slices.Index(*sib, id)
	if i < 0 {
		return nil, fmt.Errorf("node %q missing from its parent", id)
	}
	*sib = slices.Delete(*sib, i, i+1)
	return n, nil
}

func (f *forest) remove(id string) error {
	n, err := f.unhook(id)
	if err != nil {
		return err
	}
	stack := []*fnode{n}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		delete(f.nodes, cur.ID)
		for _, c := range cur.children {
			stack = append(stack, f.nodes[c])
		}
	}
	return nil
}

func (f *forest) move(id, parent string, index int) error {
	sib, err := f.siblings(parent)
	if err != nil {
		return err
	}
	n, err := f.unhook(id)
	if err != nil {
		return err
	}
	if err := insertAt(sib, index, id); err != nil {
		return err
	}
	n.parent = parent
	return nil
}

func (f *forest) rename(d NodeUpdated) error {
	n, ok := f.nodes[d.NodeID]
	if !ok {
		return notFound(d.NodeID)
	}
	if c, ok := d.Changes["name"]; ok {
		s, ok := c.New.(string)
		if !ok {
			return fmt.Errorf("name change without a string")
		}
		n.Name = s
	}
	return nil
}

func (f *forest) setProp(id, prop string, v any, set bool) error {
	n, ok := f.nodes[id]
	if !ok {
		return notFound(id)
	}
	if set {
		n.Properties[prop] = v
	} else {
		delete(n.Properties, prop)
	}
	return nil
}

func cloneTree(roots []TreeNode) []TreeNode {
	out := make([]TreeNode, len(roots))
	for i, r := range roots {
		out[i] = TreeNode{ID: r.ID, Name: r.Name, Type: r.Type, Properties: cloneProps(r.Properties), Children: cloneTree(r.Children)}
	}
	return out
}

package model

import (
	"strconv"

	"github.com/talus-tally/server/model/jsonx"
)

// Ops are journaled with every command; they write their own JSON, exactly
// json.Marshal's (TestOpsMatchEncodingJSON).

// AppendJSON implements jsonx.Appender.
func (op Op) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"op":`...)
	b = jsonx.AppendString(b, string(op.Kind))
	if op.NodeID != "" {
		b = append(b, `,"node_id":`...)
		b = jsonx.AppendString(b, op.NodeID)
	}
	if op.ParentID != "" {
		b = append(b, `,"parent_id":`...)
		b = jsonx.AppendString(b, op.ParentID)
	}
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, int64(op.Index), 10)
	b = append(b, `,"root_index":`...)
	b = strconv.AppendInt(b, int64(op.RootIndex), 10)
	var err error
	if len(op.Nodes) > 0 {
		b = append(b, `,"nodes":[`...)
		for i := range op.Nodes {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = op.Nodes[i].AppendJSON(b); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	if op.Prop != "" {
		b = append(b, `,"prop":`...)
		b = jsonx.AppendString(b, op.Prop)
	}
	if op.Old != nil {
		b = append(b, `,"old":`...)
		if b, err = jsonx.AppendValue(b, op.Old); err != nil {
			return b, err
		}
	}
	if op.HadOld {
		b = append(b, `,"had_old":true`...)
	}
	if op.New != nil {
		b = append(b, `,"new":`...)
		if b, err = jsonx.AppendValue(b, op.New); err != nil {
			return b, err
		}
	}
	if op.OldName != "" {
		b = append(b, `,"old_name":`...)
		b = jsonx.AppendString(b, op.OldName)
	}
	if op.NewName != "" {
		b = append(b, `,"new_name":`...)
		b = jsonx.AppendString(b, op.NewName)
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (n Node) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, n.ID)
	b = append(b, `,"blueprint_type_id":`...)
	b = jsonx.AppendString(b, n.Type)
	b = append(b, `,"name":`...)
	b = jsonx.AppendString(b, n.Name)
	if n.ParentID != "" {
		b = append(b, `,"parent_id":`...)
		b = jsonx.AppendString(b, n.ParentID)
	}
	b = append(b, `,"children":`...)
	b, _ = jsonx.AppendValue(b, n.Children)
	b = append(b, `,"properties":`...)
	b, err := jsonx.AppendValue(b, n.Properties)
	if err != nil {
		return b, err
	}
	b = append(b, `,"created_at":`...)
	if b, err = jsonx.AppendTime(b, n.CreatedAt); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender: the node and its subtree.
func (n TreeNode) AppendJSON(b []byte) ([]byte, error) {
	b = appendNodeHead(b, n.ID, n.Name, n.Type)
	b = append(b, `,"properties":`...)
	b, err := jsonx.AppendValue(b, n.Properties)
	if err != nil {
		return b, err
	}
	b = append(b, `,"children":`...)
	if b, err = AppendTree(b, n.Children); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendTree writes nodes as a JSON array (null when nil), as json.Marshal
// writes a []TreeNode.
func AppendTree(b []byte, nodes []TreeNode) ([]byte, error) {
	if nodes == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	var err error
	for i := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = nodes[i].AppendJSON(b); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// AppendTree writes the forest as AppendTree(b, g.Tree()) would, straight
// from the live nodes: no copy of the graph is made to encode it.
func (g *Graph) AppendTree(b []byte) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i, id := range g.roots {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = g.appendSubtree(b, g.nodes[id]); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendSubtree writes n and its subtree as a TreeNode writes itself.
func (g *Graph) appendSubtree(b []byte, n *node) ([]byte, error) {
	b = appendNodeHead(b, n.ID, n.Name, n.Type)
	b = append(b, `,"properties":`...)
	b, err := n.props.appendJSON(b)
	if err != nil {
		return b, err
	}
	b = append(b, `,"children":[`...)
	for i, c := range n.Children {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = g.appendSubtree(b, g.nodes[c]); err != nil {
			return b, err
		}
	}
	return append(b, "]}"...), nil
}

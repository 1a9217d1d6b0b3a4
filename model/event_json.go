package model

import "github.com/talus-tally/server/model/jsonx"

// The event payloads write their own JSON (jsonx.Appender): every command
// emits some, and encoding/json's reflection was a large share of a
// command's cost. Each writes exactly what json.Marshal writes for it;
// TestEventPayloadsMatchEncodingJSON holds them to that.

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return jsonx.AppendString(b, *s)
}

func appendInt(b []byte, i int) []byte {
	v, _ := jsonx.AppendValue(b, i)
	return v
}

// AppendJSON implements jsonx.Appender.
func (e NodeCreated) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"node":`...)
	b, err := e.Node.AppendJSON(b)
	if err != nil {
		return b, err
	}
	b = append(b, `,"node_id":`...)
	b = jsonx.AppendString(b, e.NodeID)
	b = append(b, `,"name":`...)
	b = jsonx.AppendString(b, e.Name)
	b = append(b, `,"blueprint_type_id":`...)
	b = jsonx.AppendString(b, e.Type)
	b = append(b, `,"parent_id":`...)
	b = appendOptString(b, e.ParentID)
	b = append(b, `,"index":`...)
	b = appendInt(b, e.Index)
	return append(b, '}'), nil
}

// appendNodeHead writes how every node object of the wire begins — a
// created node, a tree node, a subtree from the live graph — so the three
// cannot drift: {"id", "name", "blueprint_type_id" and the comma-led rest
// to follow.
func appendNodeHead(b []byte, id, name, typ string) []byte {
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, id)
	b = append(b, `,"name":`...)
	b = jsonx.AppendString(b, name)
	b = append(b, `,"blueprint_type_id":`...)
	return jsonx.AppendString(b, typ)
}

// AppendJSON implements jsonx.Appender.
func (n CreatedNode) AppendJSON(b []byte) ([]byte, error) {
	b = appendNodeHead(b, n.ID, n.Name, n.Type)
	b = append(b, `,"parent_id":`...)
	b = appendOptString(b, n.ParentID)
	b = append(b, `,"index":`...)
	b = appendInt(b, n.Index)
	b = append(b, `,"properties":`...)
	b, err := jsonx.AppendValue(b, n.Properties)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (e NodeDeleted) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"node_id":`...)
	b = jsonx.AppendString(b, e.NodeID)
	b = append(b, `,"parent_id":`...)
	b = appendOptString(b, e.ParentID)
	b = append(b, `,"index":`...)
	b = appendInt(b, e.Index)
	b = append(b, `,"deleted_ids":`...)
	b, err := jsonx.AppendValue(b, e.DeletedIDs)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (e NodeLinked) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"parent_id":`...)
	b = jsonx.AppendString(b, e.ParentID)
	b = append(b, `,"child_id":`...)
	b = jsonx.AppendString(b, e.ChildID)
	b = append(b, `,"index":`...)
	b = appendInt(b, e.Index)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (e NodeUnlinked) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"parent_id":`...)
	b = jsonx.AppendString(b, e.ParentID)
	b = append(b, `,"child_id":`...)
	b = jsonx.AppendString(b, e.ChildID)
	b = append(b, `,"root_index":`...)
	b = appendInt(b, e.RootIndex)
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (e NodeUpdated) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"node_id":`...)
	b = jsonx.AppendString(b, e.NodeID)
	b = append(b, `,"changes":`...)
	if e.Changes == nil {
		b = append(b, "null"...)
		return append(b, '}'), nil
	}
	changes := make(map[string]any, len(e.Changes))
	for k, c := range e.Changes {
		changes[k] = c
	}
	b, err := jsonx.AppendValue(b, changes) // sorted keys, as encoding/json
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (c Change) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"old":`...)
	b, err := jsonx.AppendValue(b, c.Old)
	if err != nil {
		return b, err
	}
	b = append(b, `,"new":`...)
	if b, err = jsonx.AppendValue(b, c.New); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (e PropertyChanged) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"node_id":`...)
	b = jsonx.AppendString(b, e.NodeID)
	b = append(b, `,"property_id":`...)
	b = jsonx.AppendString(b, e.PropertyID)
	b = append(b, `,"old_value":`...)
	b, err := jsonx.AppendValue(b, e.OldValue)
	if err != nil {
		return b, err
	}
	b = append(b, `,"new_value":`...)
	if b, err = jsonx.AppendValue(b, e.NewValue); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON implements jsonx.Appender.
func (e PropertyDeleted) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"node_id":`...)
	b = jsonx.AppendString(b, e.NodeID)
	b = append(b, `,"property_id":`...)
	b = jsonx.AppendString(b, e.PropertyID)
	b = append(b, `,"old_value":`...)
	b, err := jsonx.AppendValue(b, e.OldValue)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

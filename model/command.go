package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

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

// maxBatchDepth bounds nested batches, which no real client needs deeply.
const maxBatchDepth = 16

// commandTypes maps both spellings of each command type to the canonical one.
var commandTypes = map[string]string{
	CmdCreateNode: CmdCreateNode, "create_node": CmdCreateNode,
	CmdDeleteNode: CmdDeleteNode, "delete_node": CmdDeleteNode,
	CmdUpdateProperty: CmdUpdateProperty, "update_property": CmdUpdateProperty,
	CmdDeleteProperty: CmdDeleteProperty, "delete_property": CmdDeleteProperty,
	CmdRenameNode: CmdRenameNode, "rename_node": CmdRenameNode,
	CmdLinkNode: CmdLinkNode, "link_node": CmdLinkNode,
	CmdUnlinkNode: CmdUnlinkNode, "unlink_node": CmdUnlinkNode,
	CmdMoveNode: CmdMoveNode, "move_node": CmdMoveNode,
	CmdApplyKit: CmdApplyKit, "apply_kit": CmdApplyKit,
	CmdBatch: CmdBatch, "batch": CmdBatch,
}

// CanonicalCommandType returns the CamelCase form of a command type in
// either spelling, and whether it is known.
func CanonicalCommandType(t string) (string, bool) {
	c, ok := commandTypes[t]
	return c, ok
}

// DecodeCommand builds a client command from its type, in CamelCase
// ("CreateNode") or the seed's snake_case ("create_node"), and its JSON data.
// Unknown types are an *InvalidCommandError; ill-typed data an
// *InvalidRequestError. Unknown fields in data are ignored. It never panics
// on any input.
func DecodeCommand(commandType string, data json.RawMessage) (cmd Command, err error) {
	defer func() {
		if r := recover(); r != nil {
			cmd, err = nil, invalidRequest("data", "unreadable command data")
		}
	}()
	return decodeCommand(commandType, data, 0)
}

func decodeCommand(commandType string, data json.RawMessage, depth int) (Command, error) {
	t, ok := commandTypes[commandType]
	if !ok {
		if !utf8.ValidString(commandType) || len(commandType) > 64 {
			commandType = "?"
		}
		return nil, invalidCommand("unknown_command", "unknown command type %q", commandType)
	}
	f, err := readFields(data)
	if err != nil {
		return nil, err
	}
	switch t {
	case CmdCreateNode:
		var c CreateNode
		err = firstErr(f.str("parent_id", false, &c.ParentID), f.str("blueprint_type_id", true, &c.Type),
			f.str("name", false, &c.Name), f.props("properties", &c.Properties), f.index("index", &c.Index))
		return c, err
	case CmdDeleteNode:
		var c DeleteNode
		return c, f.str("node_id", true, &c.NodeID)
	case CmdUpdateProperty:
		var c UpdateProperty
		if err := firstErr(f.str("node_id", true, &c.NodeID), f.str("property_id", true, &c.PropertyID)); err != nil {
			return nil, err
		}
		key := "value"
		if raw, ok := f["value"]; !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			if _, ok := f["new_value"]; ok {
				key = "new_value"
			}
		}
		raw, ok := f[key]
		if !ok {
			return nil, invalidRequest("value", "missing")
		}
		v, err := decodeAny(raw)
		if err != nil {
			return nil, invalidRequest(key, "%s", err)
		}
		if v == nil {
			return nil, invalidRequest(key, "must not be null; use DeleteProperty to clear a property")
		}
		c.Value = v
		return c, nil
	case CmdDeleteProperty:
		var c DeleteProperty
		return c, firstErr(f.str("node_id", true, &c.NodeID), f.str("property_id", true, &c.PropertyID))
	case CmdRenameNode:
		var c RenameNode
		return c, firstErr(f.str("node_id", true, &c.NodeID), f.str("name", true, &c.Name))
	case CmdLinkNode:
		var c LinkNode
		return c, firstErr(f.str("parent_id", true, &c.ParentID), f.str("child_id", true, &c.ChildID), f.index("index", &c.Index))
	case CmdUnlinkNode:
		var c UnlinkNode
		return c, firstErr(f.str("parent_id", true, &c.ParentID), f.str("child_id", true, &c.ChildID))
	case CmdMoveNode:
		var c MoveNode
		return c, firstErr(f.str("node_id", true, &c.NodeID), f.str("new_parent_id", true, &c.NewParentID), f.index("index", &c.Index))
	case CmdApplyKit:
		var c ApplyKit
		return c, firstErr(f.str("target_id", true, &c.TargetID), f.str("kit_root_id", true, &c.KitRootID))
	default: // CmdBatch
		return decodeBatch(f, depth)
	}
}

func decodeBatch(f fields, depth int) (Command, error) {
	if depth >= maxBatchDepth {
		return nil, invalidRequest("commands", "batches nest deeper than %d", maxBatchDepth)
	}
	raw, ok := f["commands"]
	if !ok {
		return nil, invalidRequest("commands", "missing")
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || parts == nil {
		return nil, invalidRequest("commands", "want an array of {command_type, data}")
	}
	c := Batch{Commands: make([]Command, 0, len(parts))}
	for i, p := range parts {
		pf, err := readFields(p)
		if err != nil {
			return nil, invalidRequest(fmt.Sprintf("commands[%d]", i), "want an object {command_type, data}")
		}
		var typ string
		if err := pf.str("command_type", false, &typ); err != nil {
			return nil, invalidRequest(fmt.Sprintf("commands[%d].command_type", i), "want a string")
		}
		if typ == "" {
			if err := pf.str("command", false, &typ); err != nil || typ == "" {
				return nil, invalidRequest(fmt.Sprintf("commands[%d].command_type", i), "missing")
			}
		}
		data, ok := pf["data"]
		if !ok {
			data = p // the seed's style: fields next to the type
		}
		sub, err := decodeCommand(typ, data, depth+1)
		if err != nil {
			return nil, wrapPart(i, nil, err)
		}
		c.Commands = append(c.Commands, sub)
	}
	return c, nil
}

// wrapPart names the batch part an error came from, keeping the error's type
// reachable through errors.As.
func wrapPart(i int, cmd Command, err error) error {
	if cmd == nil {
		return fmt.Errorf("batch command %d: %w", i, err)
	}
	return fmt.Errorf("batch command %d (%s): %w", i, cmd.CommandType(), err)
}

// fields is a command's data object, decoded one level deep.
type fields map[string]json.RawMessage

func readFields(data json.RawMessage) (fields, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return fields{}, nil
	}
	var f fields
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, invalidRequest("data", "want a JSON object")
	}
	if f == nil {
		f = fields{}
	}
	return f, nil
}

// str reads a string field. A null counts as absent.
func (f fields) str(key string, required bool, dst *string) error {
	raw, ok := f[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if required {
			return invalidRequest(key, "missing")
		}
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return invalidRequest(key, "want a string")
	}
	if required && *dst == "" {
		return invalidRequest(key, "must not be empty")
	}
	return nil
}

func (f fields) index(key string, dst **int) error {
	raw, ok := f[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	var i int
	if err := json.Unmarshal(raw, &i); err != nil {
		return invalidRequest(key, "want an integer")
	}
	*dst = &i
	return nil
}

func (f fields) props(key string, dst *map[string]any) error {
	raw, ok := f[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	v, err := decodeAny(raw)
	if err != nil {
		return invalidRequest(key, "%s", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidRequest(key, "want an object of property values")
	}
	if len(m) > 0 {
		*dst = m
	}
	return nil
}

// decodeAny decodes one JSON value with numbers kept as json.Number, so a
// currency value keeps every digit it was sent with.
func decodeAny(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON")
	}
	return v, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// EncodeCommand returns the JSON form {"command_type", "data"} that
// DecodeCommand reads back into an equal command.
func EncodeCommand(c Command) ([]byte, error) {
	v, err := commandJSON(c)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

type encodedCommand struct {
	Type string `json:"command_type"`
	Data any    `json:"data"`
}

func commandJSON(c Command) (encodedCommand, error) {
	if c == nil {
		return encodedCommand{}, invalidRequest("command", "missing command")
	}
	switch b := c.(type) {
	case Batch:
		return batchJSON(b)
	case *Batch:
		if b == nil {
			return encodedCommand{}, invalidRequest("command", "missing command")
		}
		return batchJSON(*b)
	}
	return encodedCommand{Type: c.CommandType(), Data: c}, nil
}

func batchJSON(b Batch) (encodedCommand, error) {
	parts := make([]encodedCommand, 0, len(b.Commands))
	for _, sub := range b.Commands {
		e, err := commandJSON(sub)
		if err != nil {
			return encodedCommand{}, err
		}
		parts = append(parts, e)
	}
	return encodedCommand{Type: CmdBatch, Data: map[string]any{"commands": parts}}, nil
}

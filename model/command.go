package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/talus-tally/server/model/jsonx"
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
	var small [8]jsonx.Field
	f, err := readFields(data, small[:0])
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
		if !f.present("value") {
			if _, ok := f.raw("new_value"); ok {
				key = "new_value"
			}
		}
		raw, ok := f.raw(key)
		if !ok {
			return nil, invalidRequest("value", "missing")
		}
		v, err := decodeAny(raw)
		if err != nil {
			return nil, invalidRequest(key, "%s", err)
		}
		c.Value = v // null clears the property (Tx.SetProperty)
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
	raw, ok := f.raw("commands")
	if !ok {
		return nil, invalidRequest("commands", "missing")
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || parts == nil {
		return nil, invalidRequest("commands", "want an array of {command_type, data}")
	}
	c := Batch{Commands: make([]Command, 0, len(parts))}
	for i, p := range parts {
		pf, err := readFields(p, nil)
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
		data, ok := pf.raw("data")
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

// fields is a command's data object, read one level deep.
type fields []jsonx.Field

// The names of command fields are read from every command: shared.
func init() {
	jsonx.Intern("node_id", "parent_id", "blueprint_type_id", "name", "properties", "index", "property_id",
		"value", "new_value", "child_id", "new_parent_id", "commands", "command", "command_type", "data", "target_id", "kit_root_id")
}

func readFields(data json.RawMessage, buf fields) (fields, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || jsonx.IsNull(data) {
		return buf, nil
	}
	f, err := jsonx.ReadObject(data, buf)
	switch {
	case errors.Is(err, jsonx.ErrDuplicate):
		return nil, invalidRequest("data", "a field is given twice")
	case err != nil:
		return nil, invalidRequest("data", "want a JSON object")
	}
	return f, nil
}

// raw returns the value of key as sent, null included.
func (f fields) raw(key string) ([]byte, bool) {
	for _, fl := range f {
		if fl.Name == key {
			return fl.Value, true
		}
	}
	return nil, false
}

// present reports whether key is there and not null.
func (f fields) present(key string) bool {
	_, ok := jsonx.Lookup(f, key)
	return ok
}

// str reads a string field. A null counts as absent.
func (f fields) str(key string, required bool, dst *string) error {
	raw, ok := jsonx.Lookup(f, key)
	if !ok {
		if required {
			return invalidRequest(key, "missing")
		}
		return nil
	}
	s, ok := jsonx.String(raw)
	if !ok {
		return invalidRequest(key, "want a string")
	}
	if required && s == "" {
		return invalidRequest(key, "must not be empty")
	}
	*dst = s
	return nil
}

func (f fields) index(key string, dst **int) error {
	raw, ok := jsonx.Lookup(f, key)
	if !ok {
		return nil
	}
	i, ok := jsonx.Int(raw)
	if !ok {
		return invalidRequest(key, "want an integer")
	}
	*dst = &i
	return nil
}

func (f fields) props(key string, dst *map[string]any) error {
	raw, ok := jsonx.Lookup(f, key)
	if !ok {
		return nil
	}
	if raw[0] != '{' {
		return invalidRequest(key, "want an object of property values")
	}
	// One level by hand, each value as decodeAny reads it: linear in the
	// input however deep a value nests.
	var small [8]jsonx.Field
	members, err := jsonx.ReadObject(raw, small[:0])
	if err != nil {
		return invalidRequest(key, "%s", err)
	}
	if len(members) == 0 {
		return nil
	}
	m := make(map[string]any, len(members))
	for _, p := range members {
		v, err := decodeAny(p.Value)
		if err != nil {
			return invalidRequest(key+"."+p.Name, "%s", err)
		}
		m[p.Name] = v
	}
	*dst = m
	return nil
}

// decodeAny decodes one JSON value with numbers kept as json.Number, so a
// currency value keeps every digit it was sent with. The common scalars
// are read directly; objects and arrays go through encoding/json.
func decodeAny(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 {
		switch c := raw[0]; {
		case c == '"':
			if s, ok := jsonx.String(raw); ok {
				return s, nil
			}
		case c == '-' || ('0' <= c && c <= '9'):
			if jsonx.IsNumber(raw) {
				return json.Number(raw), nil
			}
		case c == 't' || c == 'f':
			if b, ok := jsonx.Bool(raw); ok {
				return b, nil
			}
		case c == 'n' && jsonx.IsNull(raw):
			return nil, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON")
	}
	if dec.More() {
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

package model

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeCommand(t *testing.T) {
	tests := []struct {
		typ, data string
		want      Command
	}{
		{"CreateNode", `{"parent_id":"p","blueprint_type_id":"phase","name":"A","properties":{"cost":12.50},"index":1}`,
			CreateNode{ParentID: "p", Type: "phase", Name: "A", Properties: map[string]any{"cost": json.Number("12.50")}, Index: intp(1)}},
		{"create_node", `{"command":"create_node","blueprint_type_id":"restomod","name":"Engine Block","parent_id":null}`,
			CreateNode{Type: "restomod", Name: "Engine Block"}},
		{"delete_node", `{"node_id":"n"}`, DeleteNode{NodeID: "n"}},
		{"UpdateProperty", `{"node_id":"n","property_id":"p","value":"v"}`, UpdateProperty{NodeID: "n", PropertyID: "p", Value: "v"}},
		{"update_property", `{"node_id":"n","property_id":"p","new_value":3}`, UpdateProperty{NodeID: "n", PropertyID: "p", Value: json.Number("3")}},
		{"DeleteProperty", `{"node_id":"n","property_id":"p"}`, DeleteProperty{NodeID: "n", PropertyID: "p"}},
		{"rename_node", `{"node_id":"n","name":"x","extra":true}`, RenameNode{NodeID: "n", Name: "x"}},
		{"LinkNode", `{"parent_id":"p","child_id":"c","index":0}`, LinkNode{ParentID: "p", ChildID: "c", Index: intp(0)}},
		{"unlink_node", `{"parent_id":"p","child_id":"c"}`, UnlinkNode{ParentID: "p", ChildID: "c"}},
		{"MoveNode", `{"node_id":"n","new_parent_id":"p"}`, MoveNode{NodeID: "n", NewParentID: "p"}},
		{"apply_kit", `{"target_id":"t","kit_root_id":"k"}`, ApplyKit{TargetID: "t", KitRootID: "k"}},
		{"Batch", `{"commands":[{"command_type":"RenameNode","data":{"node_id":"n","name":"x"}},{"command":"delete_node","node_id":"m"},{"command_type":"batch","data":{"commands":[]}}]}`,
			Batch{Commands: []Command{RenameNode{NodeID: "n", Name: "x"}, DeleteNode{NodeID: "m"}, Batch{Commands: []Command{}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			got, err := DecodeCommand(tc.typ, json.RawMessage(tc.data))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			b, err := EncodeCommand(got)
			require.NoError(t, err)
			var env struct {
				Type string          `json:"command_type"`
				Data json.RawMessage `json:"data"`
			}
			require.NoError(t, json.Unmarshal(b, &env))
			again, err := DecodeCommand(env.Type, env.Data)
			require.NoError(t, err)
			assert.Equal(t, got, again)
		})
	}
}

func TestDecodeCommandErrors(t *testing.T) {
	tests := []struct {
		name, typ, data string
		field           string // InvalidRequestError field; "" for an InvalidCommandError
	}{
		{"unknown type", "FlyAway", `{}`, ""},
		{"not an object", "DeleteNode", `[1]`, "data"},
		{"not json", "DeleteNode", `{`, "data"},
		{"missing node id", "DeleteNode", `{}`, "node_id"},
		{"null data", "DeleteNode", `null`, "node_id"},
		{"ill-typed node id", "DeleteNode", `{"node_id":5}`, "node_id"},
		{"missing type", "CreateNode", `{"name":"x"}`, "blueprint_type_id"},
		{"fractional index", "CreateNode", `{"blueprint_type_id":"x","index":1.5}`, "index"},
		{"properties not object", "CreateNode", `{"blueprint_type_id":"x","properties":[1]}`, "properties"},
		{"missing value", "UpdateProperty", `{"node_id":"n","property_id":"p"}`, "value"},
		{"empty name", "RenameNode", `{"node_id":"n","name":""}`, "name"},
		{"batch without commands", "Batch", `{}`, "commands"},
		{"batch commands not array", "Batch", `{"commands":{}}`, "commands"},
		{"batch part without type", "Batch", `{"commands":[{"data":{}}]}`, "commands[0].command_type"},
		{"batch part bad", "Batch", `{"commands":[{"command_type":"DeleteNode","data":{}}]}`, "node_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCommand(tc.typ, json.RawMessage(tc.data))
			require.Error(t, err)
			if tc.field == "" {
				var ic *InvalidCommandError
				require.ErrorAs(t, err, &ic)
				assert.Equal(t, "unknown_command", ic.Rule)
				return
			}
			var ir *InvalidRequestError
			require.ErrorAs(t, err, &ir)
			assert.Equal(t, tc.field, ir.Field)
		})
	}
	deep := `{"command_type":"DeleteNode","data":{"node_id":"n"}}`
	for range 40 {
		deep = `{"command_type":"Batch","data":{"commands":[` + deep + `]}}`
	}
	_, err := DecodeCommand("Batch", json.RawMessage(`{"commands":[`+deep+`]}`))
	var ir *InvalidRequestError
	require.ErrorAs(t, err, &ir)
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add("CreateNode", []byte(`{"parent_id":"p","blueprint_type_id":"phase","name":"A","properties":{"cost":"12.50","x":[1,{"y":null}]},"index":1}`))
	f.Add("update_property", []byte(`{"node_id":"n","property_id":"p","new_value":1e400}`))
	f.Add("Batch", []byte(`{"commands":[{"command_type":"MoveNode","data":{"node_id":"n","new_parent_id":"p","index":-3}}]}`))
	f.Add("LinkNode", []byte(`{"parent_id":"\ud800","child_id":"c"}`))
	f.Add("ApplyKit", []byte(`{"target_id":"t","kit_root_id":"k","target_id":"u"}`))
	f.Add("nope", []byte(`{}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		cmd, err := DecodeCommand(typ, data)
		if err != nil {
			return
		}
		b, err := EncodeCommand(cmd)
		require.NoError(t, err)
		var env struct {
			Type string          `json:"command_type"`
			Data json.RawMessage `json:"data"`
		}
		require.NoError(t, json.Unmarshal(b, &env))
		again, err := DecodeCommand(env.Type, env.Data)
		require.NoError(t, err)
		require.Equal(t, cmd, again)
	})
}

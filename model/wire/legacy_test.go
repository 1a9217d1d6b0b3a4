package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLegacyFields(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"property", `{"event":"graph:property-changed","node_id":"n1","property_id":"status","new_value":"Done"}`,
			`{"event":"graph:property-changed","node_id":"n1","property_id":"status","new_value":"Done","id":"n1","property_name":"status"}`},
		{"node only", `{"node_id":"n1","deleted_ids":["n1"]}`, `{"node_id":"n1","deleted_ids":["n1"],"id":"n1"}`},
		{"already named", `{"node_id":"n1","id":"other"}`, `{"node_id":"n1","id":"other"}`},
		{"nothing to add", `{"parent_id":"p","child_id":"c"}`, `{"parent_id":"p","child_id":"c"}`},
		{"not an object", `[1,2]`, `[1,2]`},
		{"not JSON", `{"node_id":`, `{"node_id":`},
		{"spaces kept valid", " { \"node_id\" : \"n\" } ", `{"node_id" : "n","id":"n"}`},
		{"escaped id", `{"node_id":"a\"<b"}`, `{"node_id":"a\"<b","id":"a\"<b"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(LegacyFields([]byte(tc.in))))
		})
	}
}

// FuzzLegacyFields: whatever an event holds, its legacy form is valid JSON
// when the event is, and keeps every field of it.
func FuzzLegacyFields(f *testing.F) {
	f.Add([]byte(`{"node_id":"n","property_id":"p"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"node_id":null,"property_id":7}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := LegacyFields(in)
		var before map[string]any
		if json.Unmarshal(in, &before) != nil {
			return
		}
		var after map[string]any
		require.NoError(t, json.Unmarshal(out, &after), "%s", out)
		for k, v := range before {
			if k == "id" || k == "property_name" {
				continue // a duplicate key in the input: either copy may win
			}
			assert.Equal(t, v, after[k], k)
		}
		if v, ok := before["node_id"]; ok {
			assert.Contains(t, after, "id")
			if _, had := before["id"]; !had {
				assert.Equal(t, v, after["id"])
			}
		}
	})
}

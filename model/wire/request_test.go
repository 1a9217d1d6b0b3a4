package wire

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

func TestParseCommandRequest(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    CommandRequest
		wantErr string // the field an *model.InvalidRequestError names; "-" for none
	}{
		{"documented", `{"session_id":"s","command_type":"RenameNode","data":{"node_id":"n","name":"x"},"command_id":"c","include_graph":false}`,
			CommandRequest{SessionID: "s", CommandType: "RenameNode", CommandID: "c", Data: json.RawMessage(`{"node_id":"n","name":"x"}`)}, ""},
		{"seed shape", `{"command":"create_node","blueprint_type_id":"restomod","name":"Engine Block"}`,
			CommandRequest{CommandType: "create_node", IncludeGraph: true, Data: json.RawMessage(`{"blueprint_type_id":"restomod","name":"Engine Block"}`)}, ""},
		{"exact numbers", `{"command_type":"UpdateProperty","node_id":"n","property_id":"cost","value":12345678901234567890.01}`,
			CommandRequest{CommandType: "UpdateProperty", IncludeGraph: true, Data: json.RawMessage(`{"node_id":"n","property_id":"cost","value":12345678901234567890.01}`)}, ""},
		{"no type", `{"data":{}}`, CommandRequest{}, "command_type"},
		{"types differ", `{"command":"a","command_type":"b"}`, CommandRequest{}, "command"},
		{"data not object", `{"command":"a","data":[1]}`, CommandRequest{}, "data"},
		{"stray field beside data", `{"command":"a","data":{},"node_id":"n"}`, CommandRequest{}, "node_id"},
		{"ill-typed graph flag", `{"command":"a","include_graph":"yes"}`, CommandRequest{}, "include_graph"},
		{"ill-typed session", `{"command":"a","session_id":7}`, CommandRequest{}, "session_id"},
		{"long command id", `{"command":"a","command_id":"` + strings.Repeat("x", MaxCommandIDLen+1) + `"}`, CommandRequest{}, "command_id"},
		{"not an object", `[1,2]`, CommandRequest{}, "-"},
		{"two values", `{"command":"a"} {}`, CommandRequest{}, "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCommandRequest([]byte(tc.body))
			if tc.wantErr != "" {
				var ire *model.InvalidRequestError
				require.ErrorAs(t, err, &ire)
				if tc.wantErr != "-" {
					assert.Equal(t, tc.wantErr, ire.Field)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want.SessionID, got.SessionID)
			assert.Equal(t, tc.want.CommandType, got.CommandType)
			assert.Equal(t, tc.want.CommandID, got.CommandID)
			assert.Equal(t, tc.want.IncludeGraph, got.IncludeGraph)
			assert.JSONEq(t, string(tc.want.Data), string(got.Data))
		})
	}
	got, err := ParseCommandRequest([]byte(`{"command":"UpdateProperty","value":0.10000000000000000001}`))
	require.NoError(t, err)
	assert.Contains(t, string(got.Data), "0.10000000000000000001", "numbers must reach DecodeCommand unrounded")
}

// FuzzParseCommandRequest: any input is refused with an *model.InvalidRequestError
// or gives a typed request whose data is one JSON object.
func FuzzParseCommandRequest(f *testing.F) {
	f.Add([]byte(`{"session_id":"s","command_type":"CreateNode","data":{"blueprint_type_id":"phase"}}`))
	f.Add([]byte(`{"command":"create_node","blueprint_type_id":"restomod","name":"Engine Block"}`))
	f.Add([]byte(`{"data":null,"command":"x","include_graph":null}`))
	f.Add([]byte(`{"command":"x","data":{"a":1},"b":2}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"session_id":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := ParseCommandRequest(body)
		if err != nil {
			var ire *model.InvalidRequestError
			require.ErrorAs(t, err, &ire)
			return
		}
		require.NotEmpty(t, got.CommandType)
		var data map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got.Data, &data))
		require.NotNil(t, data)
	})
}

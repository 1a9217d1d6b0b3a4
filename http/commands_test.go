package http

import (
	"encoding/json"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/talus-tally/server/model/wire"
)

func TestParseExecuteShapes(t *testing.T) {
	tests := []struct {
		name   string
		header string
		body   string
		want   wire.CommandRequest
	}{
		{
			"documented",
			"",
			`{"session_id":"s1","command_type":"RenameNode","data":{"node_id":"n","name":"x"},"command_id":"c1","include_graph":false}`,
			wire.CommandRequest{SessionID: "s1", CommandType: "RenameNode", Data: json.RawMessage(`{"node_id":"n","name":"x"}`), CommandID: "c1"},
		},
		{
			"seed",
			"s2",
			`{"command":"create_node","blueprint_type_id":"restomod","name":"Engine Block"}`,
			wire.CommandRequest{SessionID: "s2", CommandType: "create_node", IncludeGraph: true, Data: json.RawMessage(`{"blueprint_type_id":"restomod","name":"Engine Block"}`)},
		},
		{
			"header and body agree, numbers kept exact",
			"s3",
			`{"session_id":"s3","command_type":"UpdateProperty","node_id":"n","property_id":"cost","value":12345678901234567890.01}`,
			wire.CommandRequest{SessionID: "s3", CommandType: "UpdateProperty", IncludeGraph: true, Data: json.RawMessage(`{"node_id":"n","property_id":"cost","value":12345678901234567890.01}`)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/commands/execute", nil)
			if tc.header != "" {
				r.Header.Set("X-Session-ID", tc.header)
			}
			got, err := parseExecute(r, []byte(tc.body))
			require.NoError(t, err)
			assert.Equal(t, tc.want.SessionID, got.SessionID)
			assert.Equal(t, tc.want.CommandType, got.CommandType)
			assert.Equal(t, tc.want.CommandID, got.CommandID)
			assert.Equal(t, tc.want.IncludeGraph, got.IncludeGraph)
			assert.JSONEq(t, string(tc.want.Data), string(got.Data))
			if strings.Contains(tc.body, "12345678901234567890.01") {
				assert.Contains(t, string(got.Data), "12345678901234567890.01")
			}
		})
	}
}

// FuzzParseExecute: any body is either refused as INVALID_REQUEST or gives a
// request with a session, a command type and data that is a JSON object.
func FuzzParseExecute(f *testing.F) {
	f.Add([]byte(`{"session_id":"s","command_type":"CreateNode","data":{"blueprint_type_id":"phase"}}`), "")
	f.Add([]byte(`{"command":"create_node","blueprint_type_id":"restomod","name":"Engine Block"}`), "s")
	f.Add([]byte(`{"session_id":"a","command":"x"}`), "b")
	f.Add([]byte(`{"data":null,"command":"x","include_graph":null}`), "s")
	f.Add([]byte(`[]`), "")
	f.Add([]byte(`{"session_id":1}`), "")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		r := httptest.NewRequest("POST", "/api/v1/commands/execute", nil)
		r.Header.Set("X-Session-ID", strings.Map(func(c rune) rune {
			if c < 0x20 || c == 0x7f {
				return -1
			}
			return c
		}, header))
		got, err := parseExecute(r, body)
		if err != nil {
			we, status := toWire(err)
			require.Equal(t, nethttp.StatusBadRequest, status)
			require.Equal(t, wire.CodeInvalidRequest, we.Code)
			return
		}
		require.NotEmpty(t, got.SessionID)
		require.NotEmpty(t, got.CommandType)
		var data map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got.Data, &data))
		require.NotNil(t, data)
	})
}

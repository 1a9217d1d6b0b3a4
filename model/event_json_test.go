package model

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model/jsonx"
)

// TestEventPayloadsMatchEncodingJSON: each payload's own JSON is what
// json.Marshal writes for it, byte for byte, so clients and the journal
// see no difference.
func TestEventPayloadsMatchEncodingJSON(t *testing.T) {
	parent := "p<&>1"
	payloads := []jsonx.Appender{
		NodeCreated{Node: CreatedNode{ID: "n1", Name: "Body \"shell\"", Type: "phase", ParentID: &parent, Index: 2,
			Properties: map[string]any{"status": "Planned", "cost": json.Number("12.50"), "tags": []any{"a", 1.5}}},
			NodeID: "n1", Name: "Body \"shell\"", Type: "phase", ParentID: &parent, Index: 2},
		NodeCreated{Node: CreatedNode{ID: "r", Type: "project_root"}, NodeID: "r"},
		NodeDeleted{NodeID: "n1", ParentID: &parent, Index: 0, DeletedIDs: []string{"n1", "n2"}},
		NodeDeleted{NodeID: "n1"},
		NodeLinked{ParentID: "p", ChildID: "c", Index: 3},
		NodeUnlinked{ParentID: "p", ChildID: "c", RootIndex: -1},
		NodeUpdated{NodeID: "n", Changes: map[string]Change{"name": {Old: "a", New: "b"}, "index": {Old: 1, New: nil}}},
		NodeUpdated{NodeID: "n"},
		PropertyChanged{NodeID: "n", PropertyID: "cost", OldValue: nil, NewValue: json.Number("1e3")},
		PropertyChanged{NodeID: "n", PropertyID: "when", OldValue: "2026-01-01", NewValue: map[string]any{"b": true, "a": nil}},
		PropertyDeleted{NodeID: "n", PropertyID: "x", OldValue: 0.1},
	}
	for i, p := range payloads {
		t.Run(fmt.Sprintf("%d %T", i, p), func(t *testing.T) {
			want, err := json.Marshal(p)
			require.NoError(t, err)
			got, err := p.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

package actors

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
)

// TestPayloadsMatchEncodingJSON: the session's payloads write what
// json.Marshal writes for them, byte for byte.
func TestPayloadsMatchEncodingJSON(t *testing.T) {
	for i, p := range []jsonx.Appender{
		CommandExecuting{CommandType: "CreateNode"},
		CommandExecuted{CommandType: "CreateNode", Result: "n<1>"},
		CommandExecuted{CommandType: "Batch", Result: []any{"a", nil}},
		CommandExecuted{CommandType: "RenameNode"},
		CommandUndoRedo{CommandType: "MoveNode"},
		SessionClient{ClientID: "c\u2028", ClientCount: 3},
		ProjectSaved{SavedAt: "2026-12-02T10:00:00.000Z"},
	} {
		t.Run(fmt.Sprintf("%d %T", i, p), func(t *testing.T) {
			want, err := json.Marshal(p)
			require.NoError(t, err)
			got, err := p.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestRecordMatchesEncodingJSON: a journal record's own JSON is
// json.Marshal's, so records written before and after read the same.
func TestRecordMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 11, 12, 13456789, time.UTC)
	evs := []json.RawMessage{json.RawMessage(`{"event":"graph:node-updated","seq":1}`), json.RawMessage(`{"event":"command:executed","seq":2}`)}
	for i, r := range []record{
		{Kind: recCommand, At: at, CommandID: "c-1", CommandType: "RenameNode",
			Ops:    []model.Op{{Kind: model.OpRename, NodeID: "n", OldName: "a", NewName: "b"}},
			Result: &Executed{CommandID: "c-1", CommandType: "RenameNode", Seq: 2, UndoAvailable: true}, Events: evs},
		{Kind: recUndo, At: at, Step: "c-1", Events: evs[:1]},
		{Kind: recEvents, At: at, Events: []json.RawMessage{}},
		{Kind: recEvents, At: at},
	} {
		t.Run(fmt.Sprint(i, r.Kind), func(t *testing.T) {
			want, err := json.Marshal(&r)
			require.NoError(t, err)
			got, err := r.AppendJSON(nil)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

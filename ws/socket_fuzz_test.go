package ws_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// FuzzSocketPolling sends what a hostile client could as one polling POST
// — Engine.IO packets, Socket.IO packets with binary attachments, and
// every socket event the server handles, with "$SID" and "$ROOT" standing
// for a real session and its root node — to a real socket layer over real
// session actors. The server answers 200 or 400 (a broken payload closes
// the connection), never dies, and the session stays exact: its events,
// applied in order to the project it started as, give the graph it holds.
func FuzzSocketPolling(f *testing.F) {
	bin := "b" + base64.StdEncoding.EncodeToString([]byte{1, 2, 3})
	for _, s := range []string{
		`40/graph,{"session_id":"$SID"}`,
		`40/graph,` + "\x1e" + `42/graph,1["join_session",{"session_id":"$SID","last_seq":0}]`,
		`40/graph,{"session_id":"$SID"}` + "\x1e" + `42/graph,2["execute_command",{"command_type":"CreateNode","data":{"parent_id":"$ROOT","blueprint_type_id":"phase","name":"P"}}]` +
			"\x1e" + `42/graph,3["undo",{}]` + "\x1e" + `42/graph,4["redo",{"include_graph":false}]`,
		`40/graph,{"session_id":"$SID","names":"both"}` + "\x1e" + `42/graph,["execute_command",{"command_type":"Batch","data":{"commands":[{"command_type":"RenameNode","data":{"node_id":"$ROOT","name":"x"}},{"command_type":"DeleteNode","data":{"node_id":"$ROOT"}}]}}]`,
		`40/graph,{"session_id":"$SID"}` + "\x1e" + `42/graph,["execute_command",{"command_type":"UpdateProperty","data":{"node_id":"$ROOT","property_id":"budget","value":"12.50"}}]` + "\x1e" + `42/graph,["leave_session",{"session_id":"$SID"}]`,
		`40` + "\x1e" + `42["join_session",{"session_id":"$SID"}]` + "\x1e" + `42["ping"]` + "\x1e" + `41`,
		`40/graph,` + "\x1e" + `451-/graph,5["execute_command",{"_placeholder":true,"num":0}]` + "\x1e" + bin,
		`40/graph,` + "\x1e" + `452-/graph,["join_session",{"_placeholder":true,"num":0}]` + "\x1e" + bin + "\x1e" + `42/graph,["ping"]`,
		`40/graph,` + "\x1e" + bin,
		`40/graph,{"last_seq":"x"}`, `40/nope,`, `2`, `3`, `6`, `1`, `4hello`, ``, "\x1e", `42/graph,[]`, `49`,
		`40/graph,` + "\x1e" + `43/graph,1[]` + "\x1e" + `44/graph,{}`,
		`40/graph,` + "\x1e" + `42/graph,["undo",{"session_id":"$SID","command_id":"` + strings.Repeat("c", 200) + `"}]`,
	} {
		f.Add([]byte(s))
	}
	fx := start(f, ws.Config{})
	base := fx.url + "/socket.io/"
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := fx.sessions.CreateProject(ctx(t), "", "restomod", "Fuzz")
		require.NoError(t, err)
		defer func() { _ = fx.sessions.Close(ctx(t), p.SessionID) }()
		roots, err := p.Roots.Nodes()
		require.NoError(t, err)
		msg := strings.NewReplacer("$SID", p.SessionID, "$ROOT", roots[0].ID).Replace(string(body))

		open := eiotest.Handshake(t, base)
		status, answer := eiotest.Post(t, base, open.SID, msg)
		require.Contains(t, []int{200, 400}, status, answer)
		status, answer = eiotest.Post(t, base, open.SID, "1") // goodbye, unless the server already ended it
		require.Contains(t, []int{200, 400}, status, answer)

		tree, err := fx.sessions.Tree(ctx(t), p.SessionID)
		require.NoError(t, err, "the session still answers")
		roots, err = p.Roots.Nodes()
		require.NoError(t, err)
		for after := p.Seq; after < tree.Seq; {
			page, err := fx.sessions.EventsAfter(ctx(t), p.SessionID, after, 0)
			require.NoError(t, err)
			require.NotEmpty(t, page.Events)
			for _, ev := range page.Events {
				require.Equal(t, after+1, ev.Seq, "no gap")
				after = ev.Seq
				if ev.Seq > tree.Seq {
					break // later than the graph read: a command still in flight
				}
				roots, err = model.ApplyEvent(roots, model.Event{Name: ev.Name, Data: json.RawMessage(ev.JSON)})
				require.NoError(t, err, "%s", ev.JSON)
			}
		}
		held, err := tree.Roots.Nodes()
		require.NoError(t, err)
		require.Equal(t, canonRoots(t, held), canonRoots(t, roots), "the events tell the graph")
	})
}

// canonRoots is a tree as JSON sees it (numbers as float64), with empty
// and missing maps and lists alike, so trees that took different roads
// compare.
func canonRoots(tb testing.TB, roots []model.TreeNode) []model.TreeNode {
	tb.Helper()
	b, err := json.Marshal(roots)
	require.NoError(tb, err)
	var out []model.TreeNode
	require.NoError(tb, json.Unmarshal(b, &out))
	var fix func([]model.TreeNode) []model.TreeNode
	fix = func(ns []model.TreeNode) []model.TreeNode {
		if ns == nil {
			ns = []model.TreeNode{}
		}
		for i := range ns {
			if ns[i].Properties == nil {
				ns[i].Properties = map[string]any{}
			}
			ns[i].Children = fix(ns[i].Children)
		}
		return ns
	}
	return fix(out)
}

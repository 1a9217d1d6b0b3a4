package actors

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// fuzzSession is a bare session (no actor) with a small restomod project.
func fuzzSession(tb testing.TB) (*session, string) {
	tb.Helper()
	cfg := Config{Catalog: testCatalog(tb), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}.withDefaults()
	s := newSession(sessionArgs{id: "11111111-1111-4111-8111-111111111111", cfg: cfg, created: time.Now().UTC()})
	tmpl, ok := cfg.Catalog.Get("restomod")
	require.True(tb, ok)
	g, root := model.NewProject(tmpl, "Fuzz")
	s.tmpl, s.graph, s.projectID = tmpl, g, "p1"
	return s, root
}

// FuzzReplay feeds journal records to a session being restored: a record
// is applied or refused, never a panic, and an applied one keeps the seqs
// consecutive.
func FuzzReplay(f *testing.F) {
	s, root := fuzzSession(f)
	s.emit(model.EventCommandExecuting, "c1", CommandExecuting{CommandType: model.CmdRenameNode})
	applied, err := s.graph.Apply(model.RenameNode{NodeID: root, Name: "Renamed"})
	require.NoError(f, err)
	for _, ev := range applied.Events {
		s.emit(ev.Name, "c1", ev.Data)
	}
	rec := record{Kind: recCommand, CommandID: "c1", CommandType: model.CmdRenameNode, Ops: applied.Ops, ProjectID: s.projectID, Events: s.pending}
	good, err := rec.AppendJSON(nil, s.id)
	require.NoError(f, err)
	f.Add(good, s.seq)
	first := storedRecord{Kind: recCommand, CommandID: "c1", CommandType: model.CmdRenameNode, Ops: applied.Ops, Result: &Executed{CommandID: "c1"}}
	for _, ev := range s.pending {
		first.Events = append(first.Events, ev.JSON)
	}
	old, err := json.Marshal(first) // as the first records were written
	require.NoError(f, err)
	f.Add(old, s.seq)
	f.Add([]byte(`{"v":2,"kind":"events","command_id":"c","events":[["x",0,{}],["y",-3,{"a":1},""]]}`), uint64(2))
	f.Add([]byte(`{"kind":"undo","step":"c1","events":[]}`), uint64(0))
	f.Add([]byte(`{"kind":"events","events":[{"event":"x","seq":1}]}`), uint64(1))
	f.Add([]byte(`{"kind":"command","ops":[{"op":"remove","node_id":"nope"}],"events":[]}`), uint64(0))
	f.Add([]byte(`not json`), uint64(1))

	f.Fuzz(func(t *testing.T, data []byte, seq uint64) {
		s, _ := fuzzSession(t)
		if err := s.replay(store.Record{SessionID: s.id, Seq: seq, Data: data}); err != nil {
			return
		}
		evs, ok := s.history.after(0, s.seq)
		require.True(t, ok)
		for i, ev := range evs {
			require.Equal(t, uint64(i+1), ev.Seq)
		}
	})
}

// FuzzRestoreState feeds checkpoint states to a session being restored:
// refused or taken, never a panic; a real state round-trips.
func FuzzRestoreState(f *testing.F) {
	s, _ := fuzzSession(f)
	s.emit(model.EventProjectLoaded, "", ProjectLoaded{Graph: wire.NewGraph(s.encodedRoots())})
	s.publish()
	good, err := s.encodeState()
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{255, 255, 255, 255, '{'})
	f.Add(append([]byte{2, 0, 0, 0}, `{}{}`...))

	f.Fuzz(func(t *testing.T, state []byte) {
		r, _ := fuzzSession(t)
		r.graph, r.tmpl, r.projectID = nil, nil, ""
		if err := r.restoreState(state); err != nil {
			return
		}
		again, err := r.encodeState()
		require.NoError(t, err)
		r2, _ := fuzzSession(t)
		r2.graph, r2.tmpl, r2.projectID = nil, nil, ""
		require.NoError(t, r2.restoreState(again), "a restored state encodes to one that restores")
		require.Equal(t, r.seq, r2.seq)
		require.Equal(t, r.roots(), r2.roots())
	})
}

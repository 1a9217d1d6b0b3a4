package actors

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// TestProjectBudgets: the model's limits reach every way into a session:
// commands, the project name, imports; each refusal is LIMIT_EXCEEDED with
// the budget named, and changes nothing.
func TestProjectBudgets(t *testing.T) {
	s := start(t, Config{Limits: model.Limits{MaxNodes: 4, MaxNameBytes: 10, MaxValueBytes: 20, MaxBatch: 4}})
	ctx := context.Background()
	_, err := s.CreateProject(ctx, "", "restomod", strings.Repeat("n", 11))
	requireLimit(t, err, model.BudgetNameBytes)

	sid, root := project(t, s)
	before := tree(t, s, sid)
	for name, cmd := range map[string]model.Command{
		model.BudgetNameBytes:  model.RenameNode{NodeID: root, Name: strings.Repeat("x", 11)},
		model.BudgetValueBytes: model.UpdateProperty{NodeID: root, PropertyID: "vehicle", Value: strings.Repeat("v", 21)},
		model.BudgetBatch: model.Batch{Commands: []model.Command{
			model.RenameNode{NodeID: root, Name: "a"}, model.RenameNode{NodeID: root, Name: "b"},
			model.RenameNode{NodeID: root, Name: "c"}, model.RenameNode{NodeID: root, Name: "d"}, model.RenameNode{NodeID: root, Name: "e"},
		}},
		model.BudgetNodes: model.Batch{Commands: []model.Command{
			model.CreateNode{ParentID: root, Type: "phase"}, model.CreateNode{ParentID: root, Type: "phase"},
			model.CreateNode{ParentID: root, Type: "phase"}, model.CreateNode{ParentID: root, Type: "phase"},
		}},
	} {
		_, err := s.Execute(ctx, sid, ExecuteRequest{Command: cmd})
		requireLimit(t, err, name)
	}
	assert.Equal(t, before.Roots, tree(t, s, sid).Roots, "nothing changed")

	big := `{"version":"1.0","template_id":"restomod","nodes":{` +
		`"r":{"id":"r","type":"project_root","name":"Car","children":["a","b","c","d","e"],"properties":{}},` +
		`"a":{"id":"a","type":"phase","name":"a","children":[],"properties":{},"parent_id":"r"},` +
		`"b":{"id":"b","type":"phase","name":"b","children":[],"properties":{},"parent_id":"r"},` +
		`"c":{"id":"c","type":"phase","name":"c","children":[],"properties":{},"parent_id":"r"},` +
		`"d":{"id":"d","type":"phase","name":"d","children":[],"properties":{},"parent_id":"r"},` +
		`"e":{"id":"e","type":"phase","name":"e","children":[],"properties":{},"parent_id":"r"}}}`
	_, err = s.ImportProject(ctx, []byte(big), "")
	requireLimit(t, err, model.BudgetNodes)
}

func requireLimit(tb testing.TB, err error, budget string) {
	tb.Helper()
	require.Error(tb, err)
	assert.Equal(tb, wire.CodeLimitExceeded, wire.Code(err), "%v", err)
	assert.Equal(tb, budget, wire.From(err).Details["budget"], "%v", err)
}

// TestSessionBudget: a server holds at most MaxSessions sessions.
func TestSessionBudget(t *testing.T) {
	s := start(t, Config{MaxSessions: 2})
	ctx := context.Background()
	a, err := s.Create(ctx)
	require.NoError(t, err)
	_, err = s.Create(ctx)
	require.NoError(t, err)
	_, err = s.Create(ctx)
	requireLimit(t, err, BudgetSessions)
	_, err = s.CreateProject(ctx, "", "restomod", "One too many")
	requireLimit(t, err, BudgetSessions)
	require.NoError(t, s.Close(ctx, a))
	_, err = s.Create(ctx)
	require.NoError(t, err, "room again once one closed")
}

// TestHistoryAndUndoBytes: the event history and the undo stack are
// bounded in bytes as well as in count: large changes push the oldest out,
// the newest always stays.
func TestHistoryAndUndoBytes(t *testing.T) {
	s := start(t, Config{HistoryBytes: 64 << 10, UndoBytes: 64 << 10, Limits: model.Limits{MaxNameBytes: 40 << 10}})
	ctx := context.Background()
	sid, root := project(t, s)
	for i := range 10 {
		_, err := s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: strings.Repeat(string(rune('a'+i)), 30<<10)}})
		require.NoError(t, err)
	}
	info, err := s.Info(ctx, sid)
	require.NoError(t, err)
	_, err = s.EventsAfter(ctx, sid, 0, 0)
	var gone *HistoryGoneError
	require.ErrorAs(t, err, &gone, "the oldest events were dropped for bytes")
	kept, _, err := allEventsAfter(ctx, s, sid, info.Seq-3)
	require.NoError(t, err, "the newest are kept")
	assert.Len(t, kept, 3)

	undone := 0
	for ; undone < 10; undone++ {
		if _, err := s.Undo(ctx, sid, "", true); err != nil {
			require.ErrorIs(t, err, model.ErrNothingToUndo)
			break
		}
	}
	assert.Greater(t, undone, 0)
	assert.Less(t, undone, 10, "older steps were dropped for bytes")
}

// TestEventsPages: a page holds at most limit events, and says whether more
// follow; reading page after page gives every kept event once, in order.
func TestEventsPages(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	for i := range 10 {
		createPhase(t, s, sid, root, "p"+string(rune('0'+i)))
	}
	page, err := s.EventsAfter(ctx, sid, 0, 7)
	require.NoError(t, err)
	assert.Len(t, page.Events, 7)
	assert.True(t, page.More)
	var seqs []uint64
	after := uint64(0)
	for {
		p, err := s.EventsAfter(ctx, sid, after, 7)
		require.NoError(t, err)
		for _, ev := range p.Events {
			seqs = append(seqs, ev.Seq)
		}
		if !p.More {
			assert.Equal(t, p.Seq, seqs[len(seqs)-1])
			break
		}
		after = p.Events[len(p.Events)-1].Seq
	}
	for i, q := range seqs {
		assert.Equal(t, uint64(i+1), q)
	}
	_, err = s.EventsAfter(ctx, sid, 0, MaxEventsLimit+1)
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
}

// TestListPages: sessions are listed in the order they were made, a page
// at a time; a session closed between pages does not disturb the next.
func TestListPages(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	var made []string
	for range 7 {
		sid, err := s.Create(ctx)
		require.NoError(t, err)
		made = append(made, sid)
	}
	first, err := s.List(ctx, "", 3)
	require.NoError(t, err)
	assert.Equal(t, 7, first.Total)
	require.NotEmpty(t, first.Next)
	require.NoError(t, s.Close(ctx, made[3])) // the first of the next page
	var got []string
	for _, row := range first.Sessions {
		got = append(got, row.SessionID)
	}
	cursor := first.Next
	for cursor != "" {
		page, err := s.List(ctx, cursor, 3)
		require.NoError(t, err)
		for _, row := range page.Sessions {
			got = append(got, row.SessionID)
		}
		cursor = page.Next
	}
	assert.Equal(t, append(append([]string{}, made[:3]...), made[4:]...), got)

	_, err = s.List(ctx, "not-a-cursor", 3)
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
	_, err = s.List(ctx, "", MaxListLimit+1)
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
}

// TestCommandPastDeadlineTakenBack: a command that starts in time but
// finishes after its asker's deadline (the asker was told UNAVAILABLE) is
// taken back: no change, no event, and a retry with its id runs it once.
func TestCommandPastDeadlineTakenBack(t *testing.T) {
	s := start(t, Config{RequestTimeout: waitLimit})
	sid, root := project(t, s)
	before := tree(t, s, sid)
	started, release := make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(ctx, sid, ExecuteRequest{CommandID: "slow", Command: blocking{NodeID: root, started: started, release: release}})
		done <- err
	}()
	<-started
	require.ErrorIs(t, <-done, ErrUnavailable, "the asker gave up")
	close(release) // it finishes, too late
	after := tree(t, s, sid)
	assert.Equal(t, before.Roots, after.Roots, "taken back")
	assert.Equal(t, before.Seq, after.Seq, "its events were never numbered")
	evs, _, err := allEventsAfter(context.Background(), s, sid, 0)
	require.NoError(t, err)
	for _, ev := range evs {
		assert.NotEqual(t, "slow", ev.CommandID)
	}
}

package actors

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

func TestCreateInfoList(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()

	empty, err := s.Create(ctx)
	require.NoError(t, err)
	u, err := uuid.Parse(empty)
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(4), u.Version())

	in, err := s.Info(ctx, empty)
	require.NoError(t, err)
	assert.Equal(t, empty, in.SessionID)
	assert.False(t, in.HasProject)
	assert.Nil(t, in.ProjectID)
	assert.Zero(t, in.NodeCount)
	assert.Zero(t, in.Seq)
	assert.False(t, in.CreatedAt.IsZero())

	p, err := s.CreateProject(ctx, "", "restomod", "Mustang")
	require.NoError(t, err)
	assert.NotEqual(t, empty, p.SessionID)
	assert.Equal(t, "restomod", p.TemplateID)
	assert.Equal(t, "Mustang", p.Name)
	assert.Equal(t, uint64(1), p.Seq, "project:loaded is the first event")
	require.Len(t, forest(t, p.Roots), 1)
	assert.Equal(t, "project_root", forest(t, p.Roots)[0].Type)
	assert.Equal(t, "Mustang", forest(t, p.Roots)[0].Name)

	in, err = s.Info(ctx, p.SessionID)
	require.NoError(t, err)
	assert.True(t, in.HasProject)
	require.NotNil(t, in.ProjectID)
	assert.Equal(t, p.ProjectID, *in.ProjectID)
	assert.Equal(t, 1, in.NodeCount)
	assert.Equal(t, uint64(1), in.Seq)

	found, err := s.FindProject(ctx, p.ProjectID)
	require.NoError(t, err)
	assert.Equal(t, p.SessionID, found)
	_, err = s.FindProject(ctx, "nope")
	assert.ErrorIs(t, err, ErrProjectNotFound)

	list, err := listAll(ctx, s)
	require.NoError(t, err)
	ids := []string{}
	for _, row := range list {
		ids = append(ids, row.SessionID)
	}
	assert.ElementsMatch(t, []string{empty, p.SessionID}, ids)
	assert.Equal(t, empty, list[0].SessionID, "oldest first")
	assert.True(t, list[1].HasProject)
}

func TestCreateProjectInExistingSession(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	first, err := s.Info(ctx, sid)
	require.NoError(t, err)
	require.True(t, first.UndoAvailable)

	p, err := s.CreateProject(ctx, sid, "book", "")
	require.NoError(t, err)
	assert.Equal(t, sid, p.SessionID)
	assert.NotEqual(t, *first.ProjectID, p.ProjectID)
	assert.NotEmpty(t, p.Name, "a blank name takes the root type's label")

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, p.ProjectID, *in.ProjectID)
	assert.False(t, in.UndoAvailable, "a new project starts a new undo history")
	assert.Equal(t, 1, in.NodeCount)

	_, err = s.FindProject(ctx, *first.ProjectID)
	assert.ErrorIs(t, err, ErrProjectNotFound, "the old project is no longer open")
	found, err := s.FindProject(ctx, p.ProjectID)
	require.NoError(t, err)
	assert.Equal(t, sid, found)
}

func TestCreateProjectUnknownTemplate(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	_, err := s.CreateProject(ctx, "", "no-such-template", "x")
	require.ErrorIs(t, err, model.ErrTemplateNotFound)
	list, err := listAll(ctx, s)
	require.NoError(t, err)
	assert.Empty(t, list, "no session is left behind")

	sid, err := s.Create(ctx)
	require.NoError(t, err)
	_, err = s.CreateProject(ctx, sid, "no-such-template", "x")
	require.ErrorIs(t, err, model.ErrTemplateNotFound)
	assert.Equal(t, wire.CodeTemplateNotFound, wire.Code(err))
}

func TestUnknownSessions(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	for _, sid := range []string{
		"",
		"not-a-uuid",
		uuid.NewString(),                       // well formed, never created
		"{" + uuid.NewString() + "}",           // parses, but not canonical
		"registry",                             // the registry's own name
		"../" + uuid.NewString(),               // path tricks
		"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", // upper case is not canonical
	} {
		t.Run(sid, func(t *testing.T) {
			_, err := s.Info(ctx, sid)
			assert.ErrorIs(t, err, ErrSessionNotFound)
			assert.Equal(t, wire.CodeInvalidSession, wire.Code(err))
			_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: "x", Name: "y"}})
			assert.ErrorIs(t, err, ErrSessionNotFound)
		})
	}
}

func TestNoProject(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, err := s.Create(ctx)
	require.NoError(t, err)

	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: "x", Name: "y"}})
	assert.ErrorIs(t, err, ErrNoProject)
	_, err = s.Undo(ctx, sid, "", true)
	assert.ErrorIs(t, err, ErrNoProject)
	_, err = s.Redo(ctx, sid, "", true)
	assert.ErrorIs(t, err, ErrNoProject)
	_, err = s.Tree(ctx, sid)
	assert.ErrorIs(t, err, ErrNoProject)
	_, err = s.Node(ctx, sid, "x")
	assert.ErrorIs(t, err, ErrNoProject)
	_, err = s.Search(ctx, sid, model.SearchQuery{})
	assert.ErrorIs(t, err, ErrNoProject)
	assert.Equal(t, wire.CodeNoProject, wire.Code(err))

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Zero(t, in.Seq, "refused requests cause no events")
}

func TestNodeAndSearch(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	body := createPhase(t, s, sid, root, "Body work")
	createPhase(t, s, sid, root, "Engine")

	n, err := s.Node(ctx, sid, body.NodeID)
	require.NoError(t, err)
	assert.Equal(t, "Body work", n.Name)
	require.NotNil(t, n.ParentID)
	assert.Equal(t, root, *n.ParentID)

	_, err = s.Node(ctx, sid, "missing")
	assert.ErrorIs(t, err, model.ErrNodeNotFound)
	assert.Equal(t, wire.CodeNodeNotFound, wire.Code(err))

	res, err := s.Search(ctx, sid, model.SearchQuery{Query: "body"})
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.Equal(t, body.NodeID, res[0].ID)
	assert.Equal(t, []string{"Mustang", "Body work"}, res[0].Path)
}

func TestClose(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	other, _ := project(t, s)
	q, _ := joinQueue(t, s, sid, "c1", 16)
	createPhase(t, s, sid, root, "Body")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)

	require.NoError(t, s.Close(ctx, sid))

	evs := takeUntil(t, q, model.EventSessionClosed)
	last := evs[len(evs)-1]
	assert.Equal(t, in.Seq+1, last.Seq)
	select {
	case <-q.Done():
	case <-time.After(waitLimit):
		t.Fatal("subscriber not let go")
	}
	assert.Equal(t, ReasonSessionClosed, q.Reason())

	_, err = s.Info(ctx, sid)
	assert.ErrorIs(t, err, ErrSessionNotFound)
	_, err = s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: "x"}})
	assert.ErrorIs(t, err, ErrSessionNotFound)
	assert.ErrorIs(t, s.Close(ctx, sid), ErrSessionNotFound)
	_, err = s.FindProject(ctx, *in.ProjectID)
	assert.ErrorIs(t, err, ErrProjectNotFound)

	_, err = s.Info(ctx, other)
	assert.NoError(t, err, "other sessions live on")
	list, err := listAll(ctx, s)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, other, list[0].SessionID)
}

func TestCleanup(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	watched, _ := project(t, s)
	idle, _ := project(t, s)
	empty, err := s.Create(ctx)
	require.NoError(t, err)
	joinQueue(t, s, watched, "c1", 16)

	removed, active, err := s.Cleanup(ctx, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 0, removed, "all were active within the hour")
	assert.Equal(t, 3, active)

	removed, active, err = s.Cleanup(ctx, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 2, removed)
	assert.Equal(t, 1, active, "a watched session stays")

	for _, sid := range []string{idle, empty} {
		_, err := s.Info(ctx, sid)
		assert.ErrorIs(t, err, ErrSessionNotFound)
	}
	_, err = s.Info(ctx, watched)
	assert.NoError(t, err)
}

func TestStop(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, _ := project(t, s)
	q, _ := joinQueue(t, s, sid, "c1", 16)

	require.NoError(t, s.Stop(ctx))
	require.NoError(t, s.Stop(ctx), "stopping twice is fine")

	select {
	case <-q.Done():
	case <-time.After(waitLimit):
		t.Fatal("subscriber not told")
	}
	assert.Equal(t, ReasonShutdown, q.Reason())
	_, err := s.Info(ctx, sid)
	assert.ErrorIs(t, err, ErrUnavailable)
	_, err = s.Create(ctx)
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.Equal(t, wire.CodeUnavailable, wire.Code(err))
}

func TestCanceledContext(t *testing.T) {
	s := start(t, Config{})
	sid, _ := project(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Info(ctx, sid)
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.True(t, errors.Is(err, context.Canceled))
}

func TestDeadline(t *testing.T) {
	s := &Client{cfg: Config{RequestTimeout: time.Second}}
	past, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Minute))
	defer cancel()
	soon, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	late, cancel3 := context.WithTimeout(context.Background(), time.Hour)
	defer cancel3()

	pastDL, _ := past.Deadline()
	assert.Equal(t, pastDL, s.deadline(past), "ctx's deadline when sooner, even if passed")
	soonDL, _ := soon.Deadline()
	assert.Equal(t, soonDL, s.deadline(soon))
	for _, ctx := range []context.Context{context.Background(), late} {
		before := time.Now()
		got := s.deadline(ctx)
		after := time.Now()
		assert.False(t, got.Before(before.Add(time.Second)), "the configured timeout")
		assert.False(t, got.After(after.Add(time.Second)))
	}
}

package actors

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// TestSaveLoadExport: save writes the live project, load opens the saved
// copy (in a new session or an existing one), export gives the live state
// while a session has it open.
func TestSaveLoadExport(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	pid := *in.ProjectID
	q, _ := joinQueue(t, s, sid, "c1", 64)
	saved := tree(t, s, sid)

	savedAt, err := s.SaveProject(ctx, sid, pid)
	require.NoError(t, err)
	ev := takeUntil(t, q, model.EventProjectSaved)
	last := ev[len(ev)-1]
	var payload map[string]any
	require.NoError(t, json.Unmarshal(last.JSON, &payload))
	assert.Equal(t, pid, payload["project_id"])
	assert.Equal(t, savedAt.Format(wire.TimeLayout), payload["saved_at"])

	list, err := s.ListProjects(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, SavedProject{ProjectID: pid, Name: "Mustang", TemplateID: "restomod", UpdatedAt: savedAt, NodeCount: 2}, list[0])

	_, err = s.SaveProject(ctx, sid, "other-project")
	assert.ErrorIs(t, err, ErrProjectNotFound)

	// Changes after the save show in the live project and its export only.
	createPhase(t, s, sid, root, "Engine")
	live := tree(t, s, sid)
	p, err := s.Project(ctx, pid)
	require.NoError(t, err)
	assert.Equal(t, sid, p.SessionID)
	assert.Equal(t, live.Roots, p.Roots)
	file, err := s.ExportProject(ctx, pid)
	require.NoError(t, err)
	requireFileTree(t, file, live.Roots)

	// Load into a new session: the saved state, same project id, new history.
	loaded, err := s.LoadProject(ctx, pid, "")
	require.NoError(t, err)
	assert.NotEqual(t, sid, loaded.SessionID)
	assert.Equal(t, pid, loaded.ProjectID)
	assert.Equal(t, "Mustang", loaded.Name)
	assert.Equal(t, saved.Roots, loaded.Roots)
	assert.Equal(t, uint64(1), loaded.Seq, "project:loaded is its first event")
	in, err = s.Info(ctx, loaded.SessionID)
	require.NoError(t, err)
	assert.False(t, in.UndoAvailable)

	// Load into the first session: its graph is replaced, undo starts over.
	loaded, err = s.LoadProject(ctx, pid, sid)
	require.NoError(t, err)
	assert.Equal(t, sid, loaded.SessionID)
	assert.Equal(t, saved.Roots, loaded.Roots)
	evs := takeUntil(t, q, model.EventProjectLoaded)
	assert.Equal(t, loaded.Seq, evs[len(evs)-1].Seq)
	assert.Equal(t, pid, evs[len(evs)-1].ProjectID)
	in, err = s.Info(ctx, sid)
	require.NoError(t, err)
	assert.False(t, in.UndoAvailable)
	assert.False(t, in.RedoAvailable)

	_, err = s.LoadProject(ctx, "missing", "")
	assert.ErrorIs(t, err, ErrProjectNotFound)
	assert.Equal(t, wire.CodeProjectNotFound, wire.Code(err))
}

// TestSavedProjectWithoutSession: once no session has it open, a project
// is read from its saved copy; deleting that copy makes it unknown.
func TestSavedProjectWithoutSession(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	pid := *in.ProjectID
	want := tree(t, s, sid)
	_, err = s.SaveProject(ctx, sid, pid)
	require.NoError(t, err)
	require.NoError(t, s.Close(ctx, sid))

	p, err := s.Project(ctx, pid)
	require.NoError(t, err)
	assert.Equal(t, &Project{ProjectID: pid, TemplateID: "restomod", Name: "Mustang", Roots: want.Roots}, p)
	file, err := s.ExportProject(ctx, pid)
	require.NoError(t, err)
	requireFileTree(t, file, want.Roots)

	require.NoError(t, s.DeleteProject(ctx, pid))
	assert.ErrorIs(t, s.DeleteProject(ctx, pid), ErrProjectNotFound)
	_, err = s.Project(ctx, pid)
	assert.ErrorIs(t, err, ErrProjectNotFound)
	_, err = s.ExportProject(ctx, pid)
	assert.ErrorIs(t, err, ErrProjectNotFound)
	list, err := s.ListProjects(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
}

// TestImport: an exported file imports as a new project with the same
// tree; the prototype's own files import too.
func TestImport(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	file, err := s.ExportProject(ctx, *in.ProjectID)
	require.NoError(t, err)

	p, err := s.ImportProject(ctx, file, "")
	require.NoError(t, err)
	assert.NotEqual(t, *in.ProjectID, p.ProjectID, "an import is a new project")
	assert.NotEqual(t, sid, p.SessionID)
	assert.Equal(t, tree(t, s, sid).Roots, p.Roots)
	found, err := s.FindProject(ctx, p.ProjectID)
	require.NoError(t, err)
	assert.Equal(t, p.SessionID, found)

	proto, err := os.ReadFile(filepath.Join("..", "model", "testdata", "prototype_minimal.json"))
	require.NoError(t, err)
	p, err = s.ImportProject(ctx, proto, sid)
	require.NoError(t, err)
	assert.Equal(t, sid, p.SessionID)
	assert.Equal(t, "restomod", p.TemplateID)
	assert.Equal(t, "1969 Camaro", p.Name)
	assert.Len(t, forest(t, p.Roots), 2, "the root and a loose part")
}

// TestImportHostile: a malformed or hostile file is INVALID_REQUEST with
// its reason, and changes nothing: not the target session, and no session
// is left behind.
func TestImportHostile(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	before := observe(t, s, sid)

	files := map[string][]byte{
		"not json":      []byte(`{"version":`),
		"not an object": []byte(`[1,2,3]`),
		"no nodes":      []byte(`{"version":"1.0","templates":["restomod.yaml"],"nodes":{}}`),
		"trailing data": []byte(`{"version":"1.0","templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root","name":"R"}}} x`),
		"bad version":   []byte(`{"version":"9.0","templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root","name":"R"}}}`),
	}
	hostile, err := filepath.Glob(filepath.Join("..", "model", "testdata", "hostile_*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, hostile)
	for _, path := range hostile {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		files[filepath.Base(path)] = b
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			for _, target := range []string{"", sid} {
				_, err := s.ImportProject(ctx, file, target)
				var bad *model.InvalidRequestError
				require.True(t, errors.As(err, &bad), "got %v", err)
				assert.NotEmpty(t, bad.Reason)
				assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
			}
		})
	}
	requireSameState(t, before, observe(t, s, sid))
	list, err := listAll(ctx, s)
	require.NoError(t, err)
	assert.Len(t, list, 1, "no session was left behind")
}

// TestProjectsWithoutStore: with no data directory there are no saved
// projects, and saving says why it cannot.
func TestProjectsWithoutStore(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, _ := project(t, s)
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	_, err = s.SaveProject(ctx, sid, *in.ProjectID)
	assert.ErrorIs(t, err, ErrUnavailable)
	list, err := s.ListProjects(ctx)
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = s.LoadProject(ctx, *in.ProjectID, "")
	assert.ErrorIs(t, err, ErrProjectNotFound)
	file, err := s.ExportProject(ctx, *in.ProjectID)
	require.NoError(t, err, "a live project exports without a store")
	requireFileTree(t, file, tree(t, s, sid).Roots)
}

// requireFileTree checks that a project file holds the tree roots.
func requireFileTree(tb testing.TB, file []byte, roots wire.Roots) {
	tb.Helper()
	g, _, err := readProjectFile(file, testCatalog(tb), model.Limits{}.WithDefaults())
	require.NoError(tb, err)
	require.Equal(tb, forest(tb, roots), g.Tree())
}

// TestSaveSurvivesRestart: saved projects are in the store, not in memory.
func TestSaveSurvivesRestart(t *testing.T) {
	cfg := Config{}
	s, st := startDurable(t, t.TempDir(), cfg)
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "Body")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	want := tree(t, s, sid)
	savedAt, err := s.SaveProject(ctx, sid, *in.ProjectID)
	require.NoError(t, err)
	require.NoError(t, s.Close(ctx, sid))

	s, _ = restart(t, s, st, cfg)
	list, err := s.ListProjects(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.True(t, savedAt.Equal(list[0].UpdatedAt))
	assert.WithinDuration(t, time.Now(), list[0].UpdatedAt, time.Hour)
	p, err := s.LoadProject(ctx, *in.ProjectID, "")
	require.NoError(t, err)
	assert.Equal(t, want.Roots, p.Roots)
}

// TestProjectOpenInTwoSessions: a saved project loaded into several
// sessions is found in the one that opened it last of those still having
// it; closing one keeps the others.
func TestProjectOpenInTwoSessions(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	first, _ := project(t, s)
	in, err := s.Info(ctx, first)
	require.NoError(t, err)
	pid := *in.ProjectID
	_, err = s.SaveProject(ctx, first, pid)
	require.NoError(t, err)
	a, err := s.LoadProject(ctx, pid, "")
	require.NoError(t, err)
	b, err := s.LoadProject(ctx, pid, "")
	require.NoError(t, err)

	found := func() string {
		t.Helper()
		sid, err := s.FindProject(ctx, pid)
		if errors.Is(err, ErrProjectNotFound) {
			return ""
		}
		require.NoError(t, err)
		return sid
	}
	assert.Equal(t, b.SessionID, found(), "the last to open it")
	require.NoError(t, s.Close(ctx, a.SessionID))
	assert.Equal(t, b.SessionID, found(), "closing another keeps it")
	require.NoError(t, s.Close(ctx, b.SessionID))
	assert.Equal(t, first, found(), "closing the newest falls back to the one before")
	_, err = s.CreateProject(ctx, first, "book", "")
	require.NoError(t, err)
	assert.Equal(t, "", found(), "no session has it open")
	p, err := s.Project(ctx, pid)
	require.NoError(t, err)
	assert.Empty(t, p.SessionID, "the saved copy")
}

// TestProjectNodeSearch: node and search reads of a project come from the
// session that has it open (unsaved changes included), else from the
// saved copy, else PROJECT_NOT_FOUND; a session that opened another
// project meanwhile no longer answers for it.
func TestProjectNodeSearch(t *testing.T) {
	s, _ := startDurable(t, t.TempDir(), Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	body := createPhase(t, s, sid, root, "Body")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	pid := *in.ProjectID
	_, err = s.SaveProject(ctx, sid, pid)
	require.NoError(t, err)
	engine := createPhase(t, s, sid, root, "Engine") // not saved

	names := func(rs []model.SearchResult) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	phases := model.SearchQuery{Type: "phase"}

	n, err := s.ProjectNode(ctx, pid, engine.NodeID)
	require.NoError(t, err, "live: the unsaved node is there")
	assert.Equal(t, "Engine", n.Name)
	res, err := s.ProjectSearch(ctx, pid, phases)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"Body", "Engine"}, names(res))
	_, err = s.ProjectNode(ctx, pid, "no-such-node")
	assert.ErrorIs(t, err, model.ErrNodeNotFound)

	// The session opens another project: reads of pid use the saved copy,
	// and never the other project's graph.
	_, err = s.CreateProject(ctx, sid, "restomod", "Other")
	require.NoError(t, err)
	n, err = s.ProjectNode(ctx, pid, body.NodeID)
	require.NoError(t, err)
	assert.Equal(t, "Body", n.Name)
	_, err = s.ProjectNode(ctx, pid, engine.NodeID)
	assert.ErrorIs(t, err, model.ErrNodeNotFound, "the saved copy lacks the unsaved node")
	res, err = s.ProjectSearch(ctx, pid, phases)
	require.NoError(t, err)
	assert.Equal(t, []string{"Body"}, names(res))

	require.NoError(t, s.Close(ctx, sid))
	n, err = s.ProjectNode(ctx, pid, body.NodeID)
	require.NoError(t, err, "closed: the saved copy")
	assert.Equal(t, "Body", n.Name)

	for _, unknown := range []string{"no-such-project", newID()} {
		_, err = s.ProjectNode(ctx, unknown, body.NodeID)
		assert.ErrorIs(t, err, ErrProjectNotFound)
		_, err = s.ProjectSearch(ctx, unknown, phases)
		assert.ErrorIs(t, err, ErrProjectNotFound)
	}
	mem := start(t, Config{})
	_, err = mem.ProjectNode(ctx, pid, body.NodeID)
	assert.ErrorIs(t, err, ErrProjectNotFound, "no store, no saved copies")
}

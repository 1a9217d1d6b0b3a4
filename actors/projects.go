package actors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// Saved projects live in Config.Store as project files (model.ProjectFile
// JSON, the prototype's format), one atomic put each. A project is open in
// at most one session as the registry sees it; saving writes that
// session's graph, loading opens the saved file in a session as the same
// project id. An import is a new project: it gets a new id whatever the
// file's project_id says, so a file can never overwrite or take over
// another project.

// errNoStore refuses what needs a data directory when there is none.
var errNoStore = fmt.Errorf("%w: no data directory configured", ErrUnavailable)

// ProjectSaved is the payload of project:saved; the project id is the
// envelope's project_id. SavedAt is written like event timestamps.
type ProjectSaved struct {
	SavedAt string `json:"saved_at"`
}

// SaveProject writes project pid, open in session sid, to the store and
// emits project:saved. It returns when it was saved.
func (s *Sessions) SaveProject(ctx context.Context, sid, pid string) (time.Time, error) {
	if s.cfg.Store == nil {
		return time.Time{}, errNoStore
	}
	return askSession[time.Time](ctx, s, sid, &saveProject{ProjectID: pid})
}

// LoadProject opens saved project pid in session sid, or in a new session
// when sid is "": the session's graph is replaced, its undo history starts
// over, and project:loaded is emitted. The project keeps id pid.
func (s *Sessions) LoadProject(ctx context.Context, pid, sid string) (*Project, error) {
	if s.cfg.Store == nil {
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	_, file, err := s.cfg.Store.GetProject(pid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read project: %w", ErrUnavailable, err)
	}
	return s.openFile(ctx, sid, &openFile{ProjectID: pid, File: file})
}

// ImportProject opens a project file (the prototype's format) as a new
// project, in session sid or in a new session when sid is "", like
// CreateProject. The file's project_id is not used: an import is a new
// project. A malformed or hostile file is a *model.InvalidRequestError that
// says what is wrong, and changes nothing.
func (s *Sessions) ImportProject(ctx context.Context, file []byte, sid string) (*Project, error) {
	return s.openFile(ctx, sid, &openFile{ProjectID: newID(), File: file})
}

// openFile opens a project file in session sid or a new session, checking
// the file before a new session is made for it.
func (s *Sessions) openFile(ctx context.Context, sid string, msg *openFile) (*Project, error) {
	return s.openIn(ctx, sid, msg, func() error {
		_, _, err := readProjectFile(msg.File, s.cfg.Catalog)
		return err
	})
}

// ListProjects returns the saved projects, most recently saved first.
func (s *Sessions) ListProjects(ctx context.Context) ([]SavedProject, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	out := []SavedProject{}
	if s.cfg.Store == nil {
		return out, nil
	}
	metas, err := s.cfg.Store.ListProjects()
	if err != nil {
		return nil, fmt.Errorf("%w: list projects: %w", ErrUnavailable, err)
	}
	for _, m := range metas {
		out = append(out, SavedProject{ProjectID: m.ID, Name: m.Name, TemplateID: m.TemplateID, UpdatedAt: m.UpdatedAt, NodeCount: m.NodeCount})
	}
	return out, nil
}

// DeleteProject deletes the saved copy of project pid. A session that has
// it open keeps it.
func (s *Sessions) DeleteProject(ctx context.Context, pid string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if s.cfg.Store == nil {
		return fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	err := s.cfg.Store.DeleteProject(pid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	case err != nil:
		return fmt.Errorf("%w: delete project: %w", ErrUnavailable, err)
	}
	return nil
}

// ExportProject returns project pid as a project file: the live state when
// a session has it open, else the saved copy.
func (s *Sessions) ExportProject(ctx context.Context, pid string) ([]byte, error) {
	if sid, err := s.FindProject(ctx, pid); err == nil {
		file, err := askSession[[]byte](ctx, s, sid, &exportProject{ProjectID: pid})
		if !errors.Is(err, ErrProjectNotFound) && !errors.Is(err, ErrSessionNotFound) {
			return file, err
		}
	} else if !errors.Is(err, ErrProjectNotFound) {
		return nil, err
	}
	if s.cfg.Store == nil {
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	_, file, err := s.cfg.Store.GetProject(pid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	case err != nil:
		return nil, fmt.Errorf("%w: read project: %w", ErrUnavailable, err)
	}
	return file, nil
}

// Project returns project pid: the live state when a session has it open
// (SessionID and Seq set), else the saved copy (SessionID "", Seq 0).
func (s *Sessions) Project(ctx context.Context, pid string) (*Project, error) {
	if p, live, err := askProject[*Project](ctx, s, pid, &getProject{ProjectID: pid}); live {
		return p, err
	}
	g, t, meta, err := s.savedProject(pid)
	if err != nil {
		return nil, err
	}
	return &Project{ProjectID: pid, TemplateID: t.ID, Name: meta.Name, Roots: g.Tree()}, nil
}

// ProjectNode returns one node of project pid: from the session that has
// it open, else from the saved copy.
func (s *Sessions) ProjectNode(ctx context.Context, pid, nodeID string) (*model.NodeView, error) {
	if n, live, err := askProject[*model.NodeView](ctx, s, pid, &getNode{ProjectID: pid, NodeID: nodeID}); live {
		return n, err
	}
	g, _, _, err := s.savedProject(pid)
	if err != nil {
		return nil, err
	}
	n, ok := g.Node(nodeID)
	if !ok {
		return nil, fmt.Errorf("node %q: %w", nodeID, model.ErrNodeNotFound)
	}
	return &n, nil
}

// ProjectSearch searches project pid: in the session that has it open,
// else in the saved copy.
func (s *Sessions) ProjectSearch(ctx context.Context, pid string, q model.SearchQuery) ([]model.SearchResult, error) {
	if res, live, err := askProject[[]model.SearchResult](ctx, s, pid, &search{ProjectID: pid, Query: q}); live {
		return res, err
	}
	g, _, _, err := s.savedProject(pid)
	if err != nil {
		return nil, err
	}
	return g.Search(q), nil
}

// askProject asks the session that has project pid open, when one has. live
// is false when none has, or it closed or opened another project before
// the request reached it: then the saved copy is the answer. msg names pid,
// so a session that no longer has it open refuses it.
func askProject[T any](ctx context.Context, s *Sessions, pid string, msg request) (v T, live bool, err error) {
	sid, err := s.FindProject(ctx, pid)
	switch {
	case errors.Is(err, ErrProjectNotFound):
		return v, false, nil
	case err != nil:
		return v, true, err
	}
	v, err = askSession[T](ctx, s, sid, msg)
	if errors.Is(err, ErrProjectNotFound) || errors.Is(err, ErrSessionNotFound) || errors.Is(err, ErrNoProject) {
		return v, false, nil
	}
	return v, true, err
}

// savedProject reads and checks the saved copy of project pid.
func (s *Sessions) savedProject(pid string) (*model.Graph, *model.Template, store.ProjectMeta, error) {
	if s.cfg.Store == nil {
		return nil, nil, store.ProjectMeta{}, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	meta, file, err := s.cfg.Store.GetProject(pid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, meta, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	case err != nil:
		return nil, nil, meta, fmt.Errorf("%w: read project: %w", ErrUnavailable, err)
	}
	g, t, err := readProjectFile(file, s.cfg.Catalog)
	if err != nil {
		// It was checked when saved: the store or the catalog changed
		// underneath (a template removed). Not the asker's fault.
		return nil, nil, meta, fmt.Errorf("%w: saved project %q unreadable: %w", model.ErrInternal, pid, err)
	}
	return g, t, meta, nil
}

// readProjectFile decodes and checks a project file.
func readProjectFile(file []byte, cat *model.Catalog) (*model.Graph, *model.Template, error) {
	pf, err := decodeProjectFile(file)
	if err != nil {
		return nil, nil, err
	}
	return model.GraphFromFile(pf, cat)
}

func decodeProjectFile(file []byte) (*model.ProjectFile, error) {
	var pf model.ProjectFile
	if err := json.Unmarshal(file, &pf); err != nil {
		return nil, &model.InvalidRequestError{Field: "project", Reason: "not a project file: " + err.Error()}
	}
	if len(pf.Nodes) == 0 {
		return nil, &model.InvalidRequestError{Field: "nodes", Reason: "the project file holds no nodes"}
	}
	return &pf, nil
}

// saveProject writes the open project to the store, then announces it.
func (s *session) saveProject(pid string) (time.Time, error) {
	if err := s.openProject(pid); err != nil {
		return time.Time{}, err
	}
	if s.cfg.Store == nil {
		return time.Time{}, errNoStore
	}
	s.touch()
	file, err := s.projectFile()
	if err != nil {
		return time.Time{}, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	meta := store.ProjectMeta{ID: pid, Name: s.name(), TemplateID: s.tmpl.ID, UpdatedAt: now, NodeCount: s.graph.Len()}
	if err := s.cfg.Store.SaveProject(context.Background(), meta, file); err != nil {
		s.log.Error("saving project failed", "project", pid, "err", err)
		return time.Time{}, fmt.Errorf("%w: save project: %w", ErrUnavailable, err)
	}
	s.emit(model.EventProjectSaved, "", ProjectSaved{SavedAt: now.Format(timestampLayout)})
	if err := s.commit(); err != nil {
		return time.Time{}, err // saved, but not announced: a retry saves again
	}
	return now, nil
}

// openFile opens a project file as m.ProjectID.
func (s *session) openFile(c actor.Context, m *openFile) (*Project, error) {
	pf, err := decodeProjectFile(m.File)
	if err != nil {
		return nil, err
	}
	g, t, err := model.GraphFromFile(pf, s.cfg.Catalog)
	if err != nil {
		return nil, err
	}
	name := pf.Name
	if err := s.open(c, t, g, m.ProjectID, name); err != nil {
		return nil, err
	}
	return s.projectView(), nil
}

func (s *session) exportProject(pid string) ([]byte, error) {
	if err := s.openProject(pid); err != nil {
		return nil, err
	}
	s.touch()
	return s.projectFile()
}

func (s *session) project(pid string) (*Project, error) {
	if err := s.openProject(pid); err != nil {
		return nil, err
	}
	s.touch()
	return s.projectView(), nil
}

// openProject checks that project pid is the one open here.
func (s *session) openProject(pid string) error {
	if s.graph == nil {
		return ErrNoProject
	}
	if pid != s.projectID {
		return fmt.Errorf("project %q is not open in session %s: %w", pid, s.id, ErrProjectNotFound)
	}
	return nil
}

// projectFile encodes the open project as a project file.
func (s *session) projectFile() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ") // files are for people too
	if err := enc.Encode(s.graph.ToFile(s.projectID, s.name(), s.tmpl.ID)); err != nil {
		return nil, fmt.Errorf("%w: encode project: %w", model.ErrInternal, err)
	}
	return b.Bytes(), nil
}

package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// Saved projects live in Config.Store as project files (model.ProjectFile
// JSON, the prototype's format), one atomic put each. A project is open in
// at most one session as the registry sees it; saving writes that
// session's graph, loading opens the saved file in a session as the same
// project id. An import is a new project: it gets a new id whatever the
// file's project_id says, so a file can never overwrite or take over
// another project.

// SavedProject is one row of GET /projects: a project saved in the store.
type SavedProject struct {
	ProjectID  string    `json:"project_id"`
	Name       string    `json:"name"`
	TemplateID string    `json:"template_id"`
	UpdatedAt  time.Time `json:"updated_at"`
	NodeCount  int       `json:"node_count"`
}

// errNoStore refuses what needs a data directory when there is none.
var errNoStore = fmt.Errorf("%w: no data directory configured", ErrUnavailable)

// SaveProject writes project pid, open in session sid, to the store and
// emits project:saved. It returns when it was saved.
func (c *Client) SaveProject(ctx context.Context, sid, pid string) (time.Time, error) {
	if c.cfg.Store == nil {
		return time.Time{}, errNoStore
	}
	return askSession[time.Time](ctx, c, sid, &saveProject{ProjectID: pid})
}

// LoadProject opens saved project pid in session sid, or in a new session
// when sid is "": the session's graph is replaced, its undo history starts
// over, and project:loaded is emitted. The project keeps id pid.
func (c *Client) LoadProject(ctx context.Context, pid, sid string) (*Project, error) {
	if c.cfg.Store == nil {
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	_, file, err := c.cfg.Store.GetProject(pid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read project: %w", ErrUnavailable, err)
	}
	return c.openFile(ctx, sid, &openFile{ProjectID: pid, File: file})
}

// ImportProject opens a project file (the prototype's format) as a new
// project, in session sid or in a new session when sid is "", like
// CreateProject. The file's project_id is not used: an import is a new
// project. A malformed or hostile file is a *model.InvalidRequestError that
// says what is wrong, and changes nothing.
func (c *Client) ImportProject(ctx context.Context, file []byte, sid string) (*Project, error) {
	return c.openFile(ctx, sid, &openFile{ProjectID: newID(), File: file})
}

// openFile opens a project file in session sid or a new session, checking
// the file before a new session is made for it.
func (c *Client) openFile(ctx context.Context, sid string, msg *openFile) (*Project, error) {
	return c.openIn(ctx, sid, msg, func() error {
		_, _, err := readProjectFile(msg.File, c.cfg.Catalog, c.cfg.Limits)
		return err
	})
}

// ListProjects returns the saved projects, most recently saved first.
func (c *Client) ListProjects(ctx context.Context) ([]SavedProject, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	out := []SavedProject{}
	if c.cfg.Store == nil {
		return out, nil
	}
	metas, err := c.cfg.Store.ListProjects()
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
func (c *Client) DeleteProject(ctx context.Context, pid string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if c.cfg.Store == nil {
		return fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	err := c.cfg.Store.DeleteProject(pid)
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
func (c *Client) ExportProject(ctx context.Context, pid string) ([]byte, error) {
	if sid, err := c.FindProject(ctx, pid); err == nil {
		file, err := askSession[[]byte](ctx, c, sid, &exportProject{ProjectID: pid})
		if !errors.Is(err, ErrProjectNotFound) && !errors.Is(err, ErrSessionNotFound) {
			return file, err
		}
	} else if !errors.Is(err, ErrProjectNotFound) {
		return nil, err
	}
	if c.cfg.Store == nil {
		return nil, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	_, file, err := c.cfg.Store.GetProject(pid)
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
func (c *Client) Project(ctx context.Context, pid string) (*Project, error) {
	if p, live, err := askProject[*Project](ctx, c, pid, &getProject{ProjectID: pid}); live {
		return p, err
	}
	g, t, meta, err := c.savedProject(pid)
	if err != nil {
		return nil, err
	}
	roots, err := wire.RootsOf(g)
	if err != nil {
		return nil, fmt.Errorf("%w: saved project %q: %w", model.ErrInternal, pid, err)
	}
	return &Project{ProjectID: pid, TemplateID: t.ID, Name: meta.Name, Roots: roots}, nil
}

// ProjectNode returns one node of project pid: from the session that has
// it open, else from the saved copy.
func (c *Client) ProjectNode(ctx context.Context, pid, nodeID string) (*model.NodeView, error) {
	if n, live, err := askProject[*model.NodeView](ctx, c, pid, &getNode{ProjectID: pid, NodeID: nodeID}); live {
		return n, err
	}
	g, _, _, err := c.savedProject(pid)
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
func (c *Client) ProjectSearch(ctx context.Context, pid string, q model.SearchQuery) ([]model.SearchResult, error) {
	if res, live, err := askProject[[]model.SearchResult](ctx, c, pid, &search{ProjectID: pid, Query: q}); live {
		return res, err
	}
	g, _, _, err := c.savedProject(pid)
	if err != nil {
		return nil, err
	}
	return g.Search(q), nil
}

// askProject asks the session that has project pid open, when one has. live
// is false when none has, or it closed or opened another project before
// the request reached it: then the saved copy is the answer. msg names pid,
// so a session that no longer has it open refuses it.
func askProject[T any](ctx context.Context, c *Client, pid string, msg request) (v T, live bool, err error) {
	sid, err := c.FindProject(ctx, pid)
	switch {
	case errors.Is(err, ErrProjectNotFound):
		return v, false, nil
	case err != nil:
		return v, true, err
	}
	v, err = askSession[T](ctx, c, sid, msg)
	if errors.Is(err, ErrProjectNotFound) || errors.Is(err, ErrSessionNotFound) || errors.Is(err, ErrNoProject) {
		return v, false, nil
	}
	return v, true, err
}

// savedProject reads and checks the saved copy of project pid.
func (c *Client) savedProject(pid string) (*model.Graph, *model.Template, store.ProjectMeta, error) {
	if c.cfg.Store == nil {
		return nil, nil, store.ProjectMeta{}, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	}
	meta, file, err := c.cfg.Store.GetProject(pid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, meta, fmt.Errorf("project %q: %w", pid, ErrProjectNotFound)
	case err != nil:
		return nil, nil, meta, fmt.Errorf("%w: read project: %w", ErrUnavailable, err)
	}
	g, t, err := readProjectFile(file, c.cfg.Catalog, model.Unlimited) // a saved copy: checked when saved
	if err != nil {
		// It was checked when saved: the store or the catalog changed
		// underneath (a template removed). Not the asker's fault.
		return nil, nil, meta, fmt.Errorf("%w: saved project %q unreadable: %w", model.ErrInternal, pid, err)
	}
	return g, t, meta, nil
}

// readProjectFile decodes and checks a project file against limits.
func readProjectFile(file []byte, cat *model.Catalog, limits model.Limits) (*model.Graph, *model.Template, error) {
	pf, err := decodeProjectFile(file)
	if err != nil {
		return nil, nil, err
	}
	return model.GraphFromFile(pf, cat, model.WithLimits(limits))
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

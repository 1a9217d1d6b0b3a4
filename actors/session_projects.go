package actors

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// The session's side of projects: opening one (new, loaded or imported)
// replaces its whole state; saving and exporting write it out.

func (s *session) createProject(c actor.Context, m *createProject) (*Project, error) {
	tmpl, err := lookupTemplate(s.cfg.Catalog, m.TemplateID)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Limits.CheckName(m.Name); err != nil {
		return nil, err
	}
	g, rootID := model.NewProject(tmpl, m.Name, model.WithLimits(s.cfg.Limits))
	name := rootName(g, rootID)
	if err := s.open(c, m, tmpl, g, newID(), name); err != nil {
		return nil, err
	}
	return s.projectView(), nil
}

// open replaces the session's project with g, as project pid: a new undo
// history, and project:loaded for the watchers. It is made durable by a
// checkpoint; if that fails the old project stays. The request (cl) is
// claimed first: one whose asker gave up while the graph was built (or
// whose deadline passed) changes nothing.
func (s *session) open(c actor.Context, cl claimer, tmpl *model.Template, g *model.Graph, pid, name string) error {
	if !cl.start(time.Now()) {
		return fmt.Errorf("%w: opening the project took longer than its request's deadline", ErrUnavailable)
	}
	old := *s
	s.touch()
	s.tmpl, s.graph, s.projectID, s.projectName, s.dirty = tmpl, g, pid, name, false
	s.undo, s.redo = stack{}, stack{}
	s.emit(model.EventProjectLoaded, "", ProjectLoaded{Graph: wire.NewGraph(s.encodedRoots())})
	err := s.persistState(func() {
		s.tmpl, s.graph, s.projectID, s.projectName, s.dirty = old.tmpl, old.graph, old.projectID, old.projectName, old.dirty
		s.undo, s.redo, s.lastActivity = old.undo, old.redo, old.lastActivity
	})
	if err != nil {
		return err
	}
	c.Send(s.registry, &projectOpened{SessionID: s.id, Gen: s.gen, ProjectID: s.projectID})
	_ = s.commit() // durable already: only a watcher's departure can fail, and that is logged
	return nil
}

// projectView describes the open project.
func (s *session) projectView() *Project {
	return &Project{
		SessionID:  s.id,
		ProjectID:  s.projectID,
		TemplateID: s.tmpl.ID,
		Name:       s.name(),
		Seq:        s.seq,
		IsDirty:    s.dirty,
		Roots:      s.encodedRoots(),
	}
}

// name is the project's name: its root's, once renamed, else as opened.
func (s *session) name() string {
	for _, id := range s.graph.Roots() {
		if n, ok := s.graph.Node(id); ok && n.Type == s.tmpl.RootType().ID {
			return n.Name
		}
	}
	return s.projectName
}

// rootName is the project's name as the graph holds it (a blank name gets
// the root type's label).
func rootName(g *model.Graph, rootID string) string {
	n, _ := g.Node(rootID)
	return n.Name
}

// lookupTemplate finds a template in a catalog that may be nil.
func lookupTemplate(cat *model.Catalog, id string) (*model.Template, error) {
	if cat != nil {
		if t, ok := cat.Get(id); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("template %q: %w", id, model.ErrTemplateNotFound)
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
	now := wire.Timestamp(time.Now())
	meta := store.ProjectMeta{ID: pid, Name: s.name(), TemplateID: s.tmpl.ID, UpdatedAt: now, NodeCount: s.graph.Len()}
	if err := s.cfg.Store.SaveProject(context.Background(), meta, file); err != nil {
		s.log.Error("saving project failed", "project", pid, "err", err)
		return time.Time{}, fmt.Errorf("%w: save project: %w", ErrUnavailable, err)
	}
	s.emit(model.EventProjectSaved, "", ProjectSaved{SavedAt: wire.Time(now)})
	// Clean before the commit, which may checkpoint: as the journal's
	// project:saved says.
	wasDirty := s.dirty
	s.dirty = false
	if err := s.commit(); err != nil {
		s.dirty = wasDirty
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
	g, t, err := model.GraphFromFile(pf, s.cfg.Catalog, model.WithLimits(s.cfg.Limits))
	if err != nil {
		return nil, err
	}
	name := pf.Name
	if err := s.open(c, m, t, g, m.ProjectID, name); err != nil {
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

// resetDirty marks the project clean without saving it. Nothing else
// changes, so no event is numbered; a checkpoint makes it durable.
func (s *session) resetDirty() (*Info, error) {
	if s.graph == nil {
		return nil, ErrNoProject
	}
	if s.dirty {
		s.dirty = false
		if err := s.persistState(func() { s.dirty = true }); err != nil {
			return nil, err
		}
	}
	s.touch()
	return s.info(), nil
}

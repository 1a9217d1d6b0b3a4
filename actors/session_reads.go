package actors

import (
	"fmt"

	"github.com/talus-tally/server/model"
)

// Reads: they copy what they answer, so nothing of the graph leaves the
// session.

func (s *session) info() *Info {
	in := &Info{
		SessionSummary: s.summary(),
		UndoAvailable:  s.undo.len() > 0,
		RedoAvailable:  s.redo.len() > 0,
		Seq:            s.seq,
	}
	if s.graph != nil {
		pid, tid := s.projectID, s.tmpl.ID
		in.ProjectID, in.TemplateID = &pid, &tid
		in.NodeCount = s.graph.Len()
		in.IsDirty = s.dirty
	}
	return in
}

// roots copies the graph's tree; empty (not nil) without a project, so it
// encodes as [].
func (s *session) roots() []model.TreeNode {
	if s.graph == nil {
		return []model.TreeNode{}
	}
	return s.graph.Tree()
}

func (s *session) tree() (*Tree, error) {
	if s.graph == nil {
		return nil, ErrNoProject
	}
	s.touch()
	return &Tree{Roots: s.graph.Tree(), Seq: s.seq}, nil
}

func (s *session) node(pid, id string) (*model.NodeView, error) {
	if err := s.projectOpen(pid); err != nil {
		return nil, err
	}
	s.touch()
	n, ok := s.graph.Node(id)
	if !ok {
		return nil, fmt.Errorf("node %q: %w", id, model.ErrNodeNotFound)
	}
	return &n, nil
}

func (s *session) search(pid string, q model.SearchQuery) ([]model.SearchResult, error) {
	if err := s.projectOpen(pid); err != nil {
		return nil, err
	}
	s.touch()
	return s.graph.Search(q), nil
}

// projectOpen checks that the session has a project, and project pid
// when pid is not "".
func (s *session) projectOpen(pid string) error {
	if pid == "" && s.graph == nil {
		return ErrNoProject
	}
	if pid != "" {
		return s.openProject(pid)
	}
	return nil
}

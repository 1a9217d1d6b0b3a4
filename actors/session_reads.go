package actors

import (
	"fmt"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
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

// roots is the graph's forest, the empty one without a project.
func (s *session) roots() wire.Roots {
	if s.graph == nil {
		return wire.NewGraph(wire.Roots{}).Roots
	}
	return s.encodedRoots()
}

// encodedRoots is the graph's forest as replies carry it: encoded once per
// version of the graph, straight from its nodes, never copied. The graph
// holds only values that encode; a failure is a bug, logged, and the reply
// goes without the graph rather than not at all.
func (s *session) encodedRoots() wire.Roots {
	r, err := s.rootsCache.Get(s.graph)
	if err != nil {
		s.log.Error("graph does not encode", "err", err)
	}
	return r
}

func (s *session) tree() (*Tree, error) {
	if s.graph == nil {
		return nil, ErrNoProject
	}
	s.touch()
	return &Tree{Roots: s.encodedRoots(), Seq: s.seq}, nil
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

package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	nethttp "net/http"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
)

// treeReply is the graph as nested trees, with the seq it reflects.
type treeReply struct {
	Roots []model.TreeNode `json:"roots"`
	Seq   uint64           `json:"seq"`
}

// searchReply answers a graph search.
type searchReply struct {
	Results []model.SearchResult `json:"results"`
	Total   int                  `json:"total"`
}

func (s *Server) handleSessionTree(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeTree(w, r, chi.URLParam(r, "sessionID"))
}

// handleGraphQuery is the prototype's GET /graph?session_id=..., which also
// takes the seed's X-Session-ID header.
func (s *Server) handleGraphQuery(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid := r.URL.Query().Get("session_id")
	if sid == "" {
		sid = r.Header.Get("X-Session-ID")
	}
	if sid == "" {
		s.writeError(w, r, fieldError("session_id", "query parameter session_id is required"))
		return
	}
	s.writeTree(w, r, sid)
}

// handleProjectTree serves the live graph when a session has the project
// open, else the saved copy with seq 0 (it is in no session, so no event
// follows it).
func (s *Server) handleProjectTree(w nethttp.ResponseWriter, r *nethttp.Request) {
	p, err := s.sessions.Project(r.Context(), chi.URLParam(r, "projectID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, treeReply{Roots: nonNilRoots(p.Roots), Seq: p.Seq})
}

func (s *Server) writeTree(w nethttp.ResponseWriter, r *nethttp.Request, sid string) {
	tree, err := s.sessions.Tree(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, treeReply{Roots: nonNilRoots(tree.Roots), Seq: tree.Seq})
}

func (s *Server) handleSessionNode(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeNode(w, r, chi.URLParam(r, "sessionID"))
}

func (s *Server) handleProjectNode(w nethttp.ResponseWriter, r *nethttp.Request) {
	pid := chi.URLParam(r, "projectID")
	sid, err := s.projectSession(r.Context(), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if sid != "" {
		s.writeNode(w, r, sid)
		return
	}
	g, err := s.savedGraph(r.Context(), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	nid := chi.URLParam(r, "nodeID")
	node, ok := g.Node(nid)
	if !ok {
		s.writeError(w, r, fmt.Errorf("node %q: %w", nid, model.ErrNodeNotFound))
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, node)
}

func (s *Server) writeNode(w nethttp.ResponseWriter, r *nethttp.Request, sid string) {
	node, err := s.sessions.Node(r.Context(), sid, chi.URLParam(r, "nodeID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, node)
}

func (s *Server) handleSessionSearch(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.search(w, r, chi.URLParam(r, "sessionID"))
}

func (s *Server) handleProjectSearch(w nethttp.ResponseWriter, r *nethttp.Request) {
	pid := chi.URLParam(r, "projectID")
	sid, err := s.projectSession(r.Context(), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if sid != "" {
		s.search(w, r, sid)
		return
	}
	q, err := decodeSearch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := s.savedGraph(r.Context(), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSearch(w, r, g.Search(q))
}

// search runs a graph search in a session.
func (s *Server) search(w nethttp.ResponseWriter, r *nethttp.Request, sid string) {
	q, err := decodeSearch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results, err := s.sessions.Search(r.Context(), sid, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSearch(w, r, results)
}

// decodeSearch reads a search query. Unknown fields are refused: a misspelt
// criterion would otherwise silently widen the search.
func decodeSearch(r *nethttp.Request) (model.SearchQuery, error) {
	var q model.SearchQuery
	err := decodeJSON(r, &q, decodeOptions{optional: true, strictFields: true})
	return q, err
}

func (s *Server) writeSearch(w nethttp.ResponseWriter, r *nethttp.Request, results []model.SearchResult) {
	if results == nil {
		results = []model.SearchResult{}
	}
	s.writeJSON(w, r, nethttp.StatusOK, searchReply{Results: results, Total: len(results)})
}

// projectSession finds the live session that has project pid open; "" with
// no error means no session has it, and the saved copy is what there is.
func (s *Server) projectSession(ctx context.Context, pid string) (string, error) {
	sid, err := s.sessions.FindProject(ctx, pid)
	if errors.Is(err, actors.ErrProjectNotFound) {
		return "", nil
	}
	return sid, err
}

// savedGraph reads project pid as a graph, for the reads a closed project
// still answers. ExportProject gives the saved copy (or the live state, if
// a session opened the project meanwhile: just as good) and
// PROJECT_NOT_FOUND when there is neither.
func (s *Server) savedGraph(ctx context.Context, pid string) (*model.Graph, error) {
	file, err := s.sessions.ExportProject(ctx, pid)
	if err != nil {
		return nil, err
	}
	var pf model.ProjectFile
	if err := json.Unmarshal(file, &pf); err != nil {
		return nil, fmt.Errorf("%w: saved project %q unreadable: %w", model.ErrInternal, pid, err)
	}
	g, _, err := model.GraphFromFile(&pf, s.catalog)
	if err != nil {
		// The session layer checked this file when it was saved; failing now
		// means the store or the catalog changed underneath (a template removed).
		return nil, fmt.Errorf("%w: saved project %q unreadable: %w", model.ErrInternal, pid, err)
	}
	return g, nil
}

package http

import (
	"context"
	nethttp "net/http"

	"github.com/go-chi/chi/v5"

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

func (s *Server) handleProjectTree(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid, err := s.projectSession(r.Context(), chi.URLParam(r, "projectID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeTree(w, r, sid)
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
	sid, err := s.projectSession(r.Context(), chi.URLParam(r, "projectID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeNode(w, r, sid)
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
	sid, err := s.projectSession(r.Context(), chi.URLParam(r, "projectID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.search(w, r, sid)
}

// search runs a graph search. Unknown fields are refused: a misspelt
// criterion would otherwise silently widen the search.
func (s *Server) search(w nethttp.ResponseWriter, r *nethttp.Request, sid string) {
	var q model.SearchQuery
	if err := decodeJSON(r, &q, decodeOptions{optional: true, strictFields: true}); err != nil {
		s.writeError(w, r, err)
		return
	}
	results, err := s.sessions.Search(r.Context(), sid, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if results == nil {
		results = []model.SearchResult{}
	}
	s.writeJSON(w, r, nethttp.StatusOK, searchReply{Results: results, Total: len(results)})
}

// projectSession finds the live session that has project pid open.
func (s *Server) projectSession(ctx context.Context, pid string) (string, error) {
	return s.sessions.FindProject(ctx, pid)
}

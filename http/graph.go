package http

import (
	nethttp "net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// treeReply is the graph as nested trees, with the seq it reflects.
type treeReply struct {
	Roots wire.Roots `json:"roots"`
	Seq   uint64     `json:"seq"`
}

// AppendJSON implements jsonx.Appender: the session's encoding of the
// graph goes out as it is, not scanned again.
func (t treeReply) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"roots":`...)
	b, _ = t.Roots.AppendJSON(b)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, t.Seq, 10)
	return append(b, '}'), nil
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
	noteSession(r, sid)
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
	s.writeJSON(w, r, nethttp.StatusOK, treeReply{Roots: wire.NewGraph(p.Roots).Roots, Seq: p.Seq})
}

func (s *Server) writeTree(w nethttp.ResponseWriter, r *nethttp.Request, sid string) {
	tree, err := s.sessions.Tree(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, treeReply{Roots: wire.NewGraph(tree.Roots).Roots, Seq: tree.Seq})
}

func (s *Server) handleSessionNode(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.writeNode(w, r, chi.URLParam(r, "sessionID"))
}

// handleProjectNode serves a node of the live project when a session has
// it open, else of the saved copy.
func (s *Server) handleProjectNode(w nethttp.ResponseWriter, r *nethttp.Request) {
	node, err := s.sessions.ProjectNode(r.Context(), chi.URLParam(r, "projectID"), chi.URLParam(r, "nodeID"))
	if err != nil {
		s.writeError(w, r, err)
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

// handleProjectSearch searches the live project when a session has it
// open, else the saved copy.
func (s *Server) handleProjectSearch(w nethttp.ResponseWriter, r *nethttp.Request) {
	q, err := decodeSearch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results, err := s.sessions.ProjectSearch(r.Context(), chi.URLParam(r, "projectID"), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSearch(w, r, results)
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

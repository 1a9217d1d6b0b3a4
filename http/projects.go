package http

import (
	nethttp "net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/actors"
)

// createProjectRequest is POST /projects.
type createProjectRequest struct {
	TemplateID  string `json:"template_id"`
	ProjectName string `json:"project_name"`
	SessionID   string `json:"session_id"`
}

// createProjectReply answers POST /projects.
type createProjectReply struct {
	SessionID  string       `json:"session_id"`
	ProjectID  string       `json:"project_id"`
	TemplateID string       `json:"template_id"`
	Graph      actors.Graph `json:"graph"`
}

func (s *Server) handleCreateProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req createProjectRequest
	if err := decodeJSON(r, &req, decodeOptions{}); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case strings.TrimSpace(req.TemplateID) == "":
		s.writeError(w, r, fieldError("template_id", "template_id is required"))
		return
	case strings.TrimSpace(req.ProjectName) == "":
		s.writeError(w, r, fieldError("project_name", "project_name is required"))
		return
	}
	// Check the template first, so that a typo does not leave an empty new session behind.
	if _, err := s.catalog.Lookup(req.TemplateID); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.sessions.CreateProject(r.Context(), req.SessionID, req.TemplateID, req.ProjectName)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusCreated, createProjectReply{
		SessionID:  p.SessionID,
		ProjectID:  p.ProjectID,
		TemplateID: p.TemplateID,
		Graph:      actors.Graph{Roots: nonNilRoots(p.Roots)},
	})
}

// projectReply is GET /projects/{pid}.
type projectReply struct {
	ProjectID  string       `json:"project_id"`
	TemplateID string       `json:"template_id"`
	Name       string       `json:"name"`
	Seq        uint64       `json:"seq"`
	Graph      actors.Graph `json:"graph"`
}

// handleGetProject answers with the live state of a project some session has
// open. Saved projects are not stored yet, so a project no session holds is
// PROJECT_NOT_FOUND. The reply leaves out the session id: it is the
// capability to write, and knowing a project id must not grant that.
func (s *Server) handleGetProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	pid := chi.URLParam(r, "projectID")
	sid, err := s.sessions.FindProject(r.Context(), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tree, err := s.sessions.Tree(r.Context(), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	reply := projectReply{ProjectID: pid, Seq: tree.Seq, Graph: actors.Graph{Roots: nonNilRoots(tree.Roots)}}
	if len(tree.Roots) > 0 {
		// The project is its first root: CreateProject names it after the project.
		reply.Name = tree.Roots[0].Name
		reply.TemplateID = s.templateOfRoot(tree.Roots[0].Type)
	}
	s.writeJSON(w, r, nethttp.StatusOK, reply)
}

// templateOfRoot names the template whose root node type is rootType, when
// exactly one template has it. The session layer does not report its
// template id yet; the built-in templates have distinct root types.
func (s *Server) templateOfRoot(rootType string) string {
	found := ""
	for _, t := range s.catalog.List() {
		if len(t.NodeTypes) > 0 && t.RootType().ID == rootType {
			if found != "" {
				return ""
			}
			found = t.ID
		}
	}
	return found
}

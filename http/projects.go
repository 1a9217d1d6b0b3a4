package http

import (
	nethttp "net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
)

// createProjectRequest is POST /projects.
type createProjectRequest struct {
	TemplateID  string `json:"template_id"`
	ProjectName string `json:"project_name"`
	SessionID   string `json:"session_id"`
}

// createProjectReply answers POST /projects.
type createProjectReply struct {
	SessionID  string     `json:"session_id"`
	ProjectID  string     `json:"project_id"`
	TemplateID string     `json:"template_id"`
	IsDirty    bool       `json:"is_dirty"`
	Graph      wire.Graph `json:"graph"`
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
	noteSession(r, req.SessionID)
	p, err := s.sessions.CreateProject(r.Context(), req.SessionID, req.TemplateID, req.ProjectName)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteSession(r, p.SessionID) // a new one, when none was named
	s.writeJSON(w, r, nethttp.StatusCreated, newCreateProjectReply(p))
}

// newCreateProjectReply is the 201 answer of a project opened in a session,
// by POST /projects or POST /projects/import.
func newCreateProjectReply(p *actors.Project) createProjectReply {
	return createProjectReply{
		SessionID:  p.SessionID,
		ProjectID:  p.ProjectID,
		TemplateID: p.TemplateID,
		IsDirty:    p.IsDirty,
		Graph:      wire.NewGraph(p.Roots),
	}
}

// projectReply is GET /projects/{pid}. It leaves out the session id: that
// is the capability to write, and knowing a project id must not grant it.
type projectReply struct {
	ProjectID  string     `json:"project_id"`
	TemplateID string     `json:"template_id"`
	Name       string     `json:"name"`
	Open       bool       `json:"open"` // a session has it open: live state; else the saved copy
	Seq        uint64     `json:"seq"`  // 0 for the saved copy, which is in no session
	Graph      wire.Graph `json:"graph"`
}

// handleGetProject answers with the live state when a session has the
// project open, else with its saved copy.
func (s *Server) handleGetProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	p, err := s.sessions.Project(r.Context(), chi.URLParam(r, "projectID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, projectReply{
		ProjectID:  p.ProjectID,
		TemplateID: p.TemplateID,
		Name:       p.Name,
		Open:       p.SessionID != "",
		Seq:        p.Seq,
		Graph:      wire.NewGraph(p.Roots),
	})
}

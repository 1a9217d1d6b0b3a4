package http

import (
	nethttp "net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/talus-tally/server/model/wire"
)

// Saved projects: the copies a session wrote to the data directory with
// save, which outlive the session and can be opened again with load.

// sessionRequest is the body of save and load.
type sessionRequest struct {
	SessionID string `json:"session_id"`
}

// saveReply answers POST /projects/{pid}/save.
type saveReply struct {
	ProjectID string `json:"project_id"`
	SavedAt   string `json:"saved_at"`
	IsDirty   bool   `json:"is_dirty"` // false: the session's project is what was just saved
}

// loadReply answers POST /projects/{pid}/load.
type loadReply struct {
	SessionID  string     `json:"session_id"`
	ProjectID  string     `json:"project_id"`
	TemplateID string     `json:"template_id"`
	Name       string     `json:"name"`
	Seq        uint64     `json:"seq"`
	IsDirty    bool       `json:"is_dirty"`
	Graph      wire.Graph `json:"graph"`
}

// savedProjectRow is one row of GET /projects. updated_at is written like
// saved_at, so a client can match a save's reply with its row.
type savedProjectRow struct {
	ProjectID  string `json:"project_id"`
	Name       string `json:"name"`
	TemplateID string `json:"template_id"`
	UpdatedAt  string `json:"updated_at"`
	NodeCount  int    `json:"node_count"`
}

func (s *Server) handleListProjects(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.sessions.ListProjects(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows := make([]savedProjectRow, 0, len(list))
	for _, p := range list {
		rows = append(rows, savedProjectRow{
			ProjectID:  p.ProjectID,
			Name:       p.Name,
			TemplateID: p.TemplateID,
			UpdatedAt:  wire.Time(p.UpdatedAt),
			NodeCount:  p.NodeCount,
		})
	}
	s.writeJSON(w, r, nethttp.StatusOK, map[string]any{"projects": rows, "total": len(rows)})
}

// handleSaveProject writes the project as the named session holds it. The
// session id is required: it is the capability to write, and a project id
// alone must not be enough to overwrite the saved copy.
func (s *Server) handleSaveProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid, err := sessionIDOf(r, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pid := chi.URLParam(r, "projectID")
	at, err := s.sessions.SaveProject(r.Context(), sid, pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, saveReply{ProjectID: pid, SavedAt: wire.Time(at)})
}

// handleLoadProject opens the saved copy in the named session (replacing
// what it held, undo history included) or in a new one.
func (s *Server) handleLoadProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid, err := sessionIDOf(r, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.sessions.LoadProject(r.Context(), chi.URLParam(r, "projectID"), sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteSession(r, p.SessionID) // a new one, when none was named
	s.writeJSON(w, r, nethttp.StatusOK, loadReply{
		SessionID:  p.SessionID,
		ProjectID:  p.ProjectID,
		TemplateID: p.TemplateID,
		Name:       p.Name,
		Seq:        p.Seq,
		IsDirty:    p.IsDirty,
		Graph:      wire.NewGraph(p.Roots),
	})
}

// handleDeleteProject deletes the saved copy; a session that has the
// project open keeps it (and may save it again).
func (s *Server) handleDeleteProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.sessions.DeleteProject(r.Context(), chi.URLParam(r, "projectID")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// sessionIDOf reads {"session_id"} from an optional body, or the seed's
// X-Session-ID header. Unknown fields are refused: a misspelt session_id
// would otherwise load into a new session instead of the intended one.
func sessionIDOf(r *nethttp.Request, required bool) (string, error) {
	var req sessionRequest
	if err := decodeJSON(r, &req, decodeOptions{optional: true, strictFields: true}); err != nil {
		return "", err
	}
	return pickSessionID(r, req.SessionID, required)
}

// pickSessionID reconciles a session id from the body with the
// X-Session-ID header.
func pickSessionID(r *nethttp.Request, fromBody string, required bool) (string, error) {
	sid := strings.TrimSpace(fromBody)
	if header := strings.TrimSpace(r.Header.Get("X-Session-ID")); header != "" {
		if sid != "" && sid != header {
			return "", badRequest("session_id in the body and X-Session-ID header differ")
		}
		sid = header
	}
	if sid == "" && required {
		return "", fieldError("session_id", "session_id is required (in the body or the X-Session-ID header)")
	}
	noteSession(r, sid)
	return sid, nil
}

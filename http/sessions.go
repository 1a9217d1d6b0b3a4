package http

import (
	"context"
	"encoding/json"
	"math"
	nethttp "net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
)

// defaultCleanupHours is used when POST /sessions/cleanup names no age.
const defaultCleanupHours = 24

func (s *Server) handleHealth(w nethttp.ResponseWriter, r *nethttp.Request) {
	// Asking the registry makes /health fail (503) when the session layer
	// cannot answer, which is what a supervisor probing it wants to know;
	// only the registry is asked, so busy sessions do not make it fail.
	count, err := s.sessions.Count(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := map[string]any{
		"status":         "ok",
		"version":        s.cfg.Version,
		"sessions":       count,
		"templates":      len(s.catalog.List()),
		"uptime_seconds": int64(time.Since(s.started).Seconds()),
	}
	status := nethttp.StatusOK
	if s.cfg.Health != nil {
		if err := s.cfg.Health(); err != nil {
			// Commands are refused (503) until the disk lets the journal
			// write again, which it retries by itself.
			body["status"], body["reason"] = "degraded", err.Error()
			status = nethttp.StatusServiceUnavailable
			w.Header().Set("Retry-After", "1")
		}
	}
	s.writeJSON(w, r, status, body)
}

func (s *Server) handleCreateSession(w nethttp.ResponseWriter, r *nethttp.Request) {
	sid, err := s.sessions.Create(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteSession(r, sid)
	s.writeJSON(w, r, nethttp.StatusCreated, map[string]string{"session_id": sid})
}

// sessionsReply is a page of GET /sessions.
type sessionsReply struct {
	Sessions   []sessionRow `json:"sessions"`
	Total      int          `json:"total"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// handleListSessions answers a page of the sessions, oldest first:
// ?limit= (default 100, at most 1000) and ?cursor= (a page's next_cursor).
func (s *Server) handleListSessions(w nethttp.ResponseWriter, r *nethttp.Request) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.sessions.List(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows := make([]sessionRow, len(page.Sessions))
	for i, sum := range page.Sessions {
		rows[i] = rowOf(sum)
	}
	s.writeJSON(w, r, nethttp.StatusOK, sessionsReply{Sessions: rows, Total: page.Total, NextCursor: page.Next})
}

// sessionRow is a session as GET /sessions and /info show it, its times
// in the API's one layout (wire.TimeLayout).
type sessionRow struct {
	SessionID     string `json:"session_id"`
	CreatedAt     string `json:"created_at"`
	LastActivity  string `json:"last_activity"`
	ActiveClients int    `json:"active_clients"`
	HasProject    bool   `json:"has_project"`
}

func rowOf(sum actors.SessionSummary) sessionRow {
	return sessionRow{
		SessionID: sum.SessionID, CreatedAt: wire.Time(sum.CreatedAt), LastActivity: wire.Time(sum.LastActivity),
		ActiveClients: sum.ActiveClients, HasProject: sum.HasProject,
	}
}

// infoReply is GET /sessions/{sid}/info.
type infoReply struct {
	sessionRow
	ProjectID     *string `json:"project_id"`
	TemplateID    *string `json:"template_id"`
	UndoAvailable bool    `json:"undo_available"`
	RedoAvailable bool    `json:"redo_available"`
	NodeCount     int     `json:"node_count"`
	Seq           uint64  `json:"seq"`
	IsDirty       bool    `json:"is_dirty"`
}

// queryInt reads an optional non-negative integer query parameter; 0 when
// it is absent.
func queryInt(r *nethttp.Request, name string) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, wire.FieldError(name, name+" must be a non-negative integer")
	}
	return n, nil
}

func (s *Server) handleSessionInfo(w nethttp.ResponseWriter, r *nethttp.Request) {
	info, err := s.sessions.Info(r.Context(), chi.URLParam(r, "sessionID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, infoReply{
		sessionRow: rowOf(info.SessionSummary), ProjectID: info.ProjectID, TemplateID: info.TemplateID,
		UndoAvailable: info.UndoAvailable, RedoAvailable: info.RedoAvailable, NodeCount: info.NodeCount,
		Seq: info.Seq, IsDirty: info.IsDirty,
	})
}

func (s *Server) handleCloseSession(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.sessions.Close(r.Context(), chi.URLParam(r, "sessionID")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

func (s *Server) handleCleanup(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req struct {
		MaxInactiveHours *float64 `json:"max_inactive_hours"`
	}
	if err := decodeJSON(r, &req, decodeOptions{optional: true, strictFields: true}); err != nil {
		s.writeError(w, r, err)
		return
	}
	hours := float64(defaultCleanupHours)
	if req.MaxInactiveHours != nil {
		hours = *req.MaxInactiveHours
	}
	// Bound the age so that the cutoff below cannot overflow a Duration.
	if hours < 0 || math.IsNaN(hours) || hours > 24*365*100 {
		s.writeError(w, r, badRequest("max_inactive_hours must be a number from 0 to 876000"))
		return
	}
	cutoff := time.Now().Add(-time.Duration(hours * float64(time.Hour)))
	removed, active, err := s.sessions.Cleanup(r.Context(), cutoff)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, map[string]int{"sessions_removed": removed, "active_sessions": active})
}

// undoRequest is the optional body of undo and redo: a command_id makes a
// retry safe, as for commands; include_graph false leaves the graph out.
type undoRequest struct {
	CommandID    string `json:"command_id"`
	IncludeGraph *bool  `json:"include_graph"`
}

func (s *Server) handleUndo(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.undoRedo(w, r, s.sessions.Undo)
}

func (s *Server) handleRedo(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.undoRedo(w, r, s.sessions.Redo)
}

func (s *Server) undoRedo(w nethttp.ResponseWriter, r *nethttp.Request,
	do func(ctx context.Context, sid, commandID string, withGraph bool) (*actors.Executed, error)) {
	sid := chi.URLParam(r, "sessionID")
	var req undoRequest
	if err := decodeJSON(r, &req, decodeOptions{optional: true}); err != nil {
		s.writeFailure(w, r, err, sid, nil, true)
		return
	}
	withGraph := req.IncludeGraph == nil || *req.IncludeGraph
	if err := wire.CheckCommandID(req.CommandID); err != nil {
		s.writeFailure(w, r, err, sid, nil, withGraph)
		return
	}
	res, err := do(r.Context(), sid, req.CommandID, withGraph)
	if err != nil {
		s.writeFailure(w, r, err, sid, res, withGraph)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, res.Reply(withGraph))
}

// eventsReply is GET /sessions/{sid}/events: each event exactly as sent to
// socket clients, a page at a time.
type eventsReply struct {
	Events       []json.RawMessage `json:"events"`
	Seq          uint64            `json:"seq"`
	NextAfterSeq *uint64           `json:"next_after_seq,omitempty"` // more events follow: ask again with after_seq=this
}

func (s *Server) handleEvents(w nethttp.ResponseWriter, r *nethttp.Request) {
	raw := r.URL.Query().Get("after_seq")
	if raw == "" {
		s.writeError(w, r, wire.FieldError("after_seq", "query parameter after_seq is required"))
		return
	}
	after, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		s.writeError(w, r, wire.FieldError("after_seq", "after_seq must be a non-negative integer"))
		return
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.sessions.EventsAfter(r.Context(), chi.URLParam(r, "sessionID"), after, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := eventsReply{Events: make([]json.RawMessage, 0, len(page.Events)), Seq: page.Seq}
	for _, ev := range page.Events {
		out.Events = append(out.Events, json.RawMessage(ev.JSON))
	}
	if page.More {
		next := page.Events[len(page.Events)-1].Seq
		out.NextAfterSeq = &next
	}
	s.writeJSON(w, r, nethttp.StatusOK, out)
}

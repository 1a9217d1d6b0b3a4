package http

import (
	nethttp "net/http"

	"github.com/go-chi/chi/v5"
)

// templateSummary is one row of GET /templates.
type templateSummary struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) handleListTemplates(w nethttp.ResponseWriter, r *nethttp.Request) {
	list := s.catalog.List()
	out := make([]templateSummary, 0, len(list))
	for _, t := range list {
		out = append(out, templateSummary{ID: t.ID, Name: t.Name, Description: t.Description})
	}
	s.writeJSON(w, r, nethttp.StatusOK, map[string]any{"templates": out})
}

func (s *Server) handleTemplateSchema(w nethttp.ResponseWriter, r *nethttp.Request) {
	t, err := s.catalog.Lookup(chi.URLParam(r, "templateID"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, nethttp.StatusOK, t.Schema())
}

package http

import (
	nethttp "net/http"

	"github.com/go-chi/chi/v5"
)

// routes is the whole HTTP surface but Socket.IO: the REST API under
// /api/v1 and the web client (http/web) at / and /assets/. GET /health stays
// open (no token, no rate limit) so that load balancers and process
// supervisors can probe it. The page and its assets need no token either:
// they hold no data, and the page asks for the token before it calls the API.
func (s *Server) routes() *chi.Mux {
	r := chi.NewRouter()
	r.Use(s.recoverPanics, s.logRequests, s.cors)
	r.NotFound(s.handleNotFound)
	r.MethodNotAllowed(s.handleMethodNotAllowed)

	r.Get("/", s.page.ServeIndex)
	r.Get("/assets/{name}", s.handleAsset)
	if s.cfg.Metrics != nil {
		r.With(s.authenticate).Method(nethttp.MethodGet, "/metrics", s.cfg.Metrics)
	}

	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/health", s.handleHealth)

		r.Group(func(r chi.Router) {
			r.Use(s.limitRate, s.authenticate, s.limitBody, s.requireJSON, s.forward)

			r.Get("/openapi.yaml", s.handleOpenAPI)
			r.Get("/openapi.json", s.handleOpenAPIJSON)

			r.Post("/sessions", s.handleCreateSession)
			r.Get("/sessions", s.handleListSessions)
			r.Post("/sessions/cleanup", s.handleCleanup)
			r.Route("/sessions/{sessionID}", func(r chi.Router) {
				r.Delete("/", s.handleCloseSession)
				r.Get("/info", s.handleSessionInfo)
				r.Post("/undo", s.handleUndo)
				r.Post("/redo", s.handleRedo)
				r.Get("/events", s.handleEvents)
				r.Get("/graph/tree", s.handleSessionTree)
				r.Get("/graph", s.handleSessionGraph)
				r.Get("/dirty", s.handleDirty)
				r.Post("/reset-dirty", s.handleResetDirty)
				r.Post("/save", s.handleSessionSave)
				r.Post("/load-graph", s.handleLoadGraph)
				r.Get("/graph/nodes/{nodeID}", s.handleSessionNode)
				r.Post("/graph/search", s.handleSessionSearch)
			})

			r.Get("/graph", s.handleGraphQuery)

			r.Post("/projects", s.handleCreateProject)
			r.Get("/projects", s.handleListProjects)
			r.Post("/projects/import", s.handleImportProject)
			r.Route("/projects/{projectID}", func(r chi.Router) {
				r.Get("/", s.handleGetProject)
				r.Delete("/", s.handleDeleteProject)
				r.Post("/save", s.handleSaveProject)
				r.Post("/load", s.handleLoadProject)
				r.Get("/export", s.handleExportProject)
				r.Get("/graph/tree", s.handleProjectTree)
				r.Get("/graph/nodes/{nodeID}", s.handleProjectNode)
				r.Post("/graph/search", s.handleProjectSearch)
			})

			r.Get("/templates", s.handleListTemplates)
			r.Get("/templates/{templateID}/schema", s.handleTemplateSchema)

			r.Post("/commands/execute", s.handleExecute)
		})
	})
	return r
}

// handleAsset serves one file of the web client; a name the build did not
// write is the API's JSON 404, like any other unknown path.
func (s *Server) handleAsset(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.page.ServeAsset(w, r, chi.URLParam(r, "name")) {
		s.handleNotFound(w, r)
	}
}

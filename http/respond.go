package http

import (
	"encoding/json"
	nethttp "net/http"
)

// writeJSON answers v as JSON with status. An encoding failure is a bug in
// this package; it is logged, and the client gets what was written so far.
func (s *Server) writeJSON(w nethttp.ResponseWriter, r *nethttp.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "method", r.Method, "path", r.URL.Path, "err", err)
		status = nethttp.StatusInternalServerError
		body = []byte(`{"error":{"code":"INTERNAL_ERROR","message":"internal server error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	body = append(body, '\n')
	_, _ = w.Write(body) // a client that went away is not our error
}

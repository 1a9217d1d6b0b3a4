package http

import (
	_ "embed"
	nethttp "net/http"
)

// openAPI is the API's OpenAPI 3 document, served as is.
//
//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI document of the REST API.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

func (s *Server) handleOpenAPI(w nethttp.ResponseWriter, r *nethttp.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(nethttp.StatusOK)
	_, _ = w.Write(openAPI)
}

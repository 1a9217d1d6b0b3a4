package http

import (
	_ "embed"
	"encoding/json"
	"fmt"
	nethttp "net/http"

	"gopkg.in/yaml.v3"
)

// openAPI is the API's OpenAPI 3.1 document, written as YAML (for people)
// and served as is at /openapi.yaml.
//
//go:embed openapi.yaml
var openAPI []byte

// openAPIJSON is the same document as JSON, for tools that read only JSON.
// It is made once from the YAML so that the two can never disagree.
var openAPIJSON = mustJSON(openAPI)

func mustJSON(doc []byte) []byte {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		panic(fmt.Sprintf("http: openapi.yaml: %v", err))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("http: openapi.yaml as JSON: %v", err))
	}
	return b
}

// OpenAPI returns the OpenAPI document of the REST API, as YAML.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// OpenAPIJSON returns the OpenAPI document of the REST API, as JSON.
func OpenAPIJSON() []byte { return append([]byte(nil), openAPIJSON...) }

func (s *Server) handleOpenAPI(w nethttp.ResponseWriter, r *nethttp.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(nethttp.StatusOK)
	_, _ = w.Write(openAPI)
}

func (s *Server) handleOpenAPIJSON(w nethttp.ResponseWriter, r *nethttp.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(nethttp.StatusOK)
	_, _ = w.Write(openAPIJSON)
}

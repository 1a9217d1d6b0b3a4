package test

import (
	"encoding/json"
	"errors"
	nethttp "net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/http/guard"
)

func TestPayloadTooLarge(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.http.MaxBodyBytes = 1024 })
	p := s.newProject(t, "Camaro")
	big := `{"session_id":"` + p.sid + `","command_type":"CreateNode","data":{"parent_id":"` + p.root +
		`","blueprint_type_id":"phase","name":"` + strings.Repeat("x", 2048) + `"}}`

	tests := []struct {
		name string
		path string
		body any
	}{
		{"execute, declared length", "/commands/execute", big},
		{"execute, chunked", "/commands/execute", strings.NewReader(big)},
		{"projects", "/projects", `{"template_id":"restomod","project_name":"` + strings.Repeat("y", 2048) + `"}`},
		{"search, chunked", "/sessions/" + p.sid + "/graph/search", strings.NewReader(`{"query":"` + strings.Repeat("z", 2048) + `"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := requireError(t, s.do(t, "POST", tc.path, tc.body), nethttp.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
			assert.Equal(t, map[string]any{"limit": json.Number("1024")}, e["details"])
		})
	}
	assert.Len(t, rootsOf(t, s.tree(t, p.sid))[0].(map[string]any)["children"], 0, "nothing was applied")

	// Just under the limit is fine.
	small := s.ok(t, nethttp.StatusOK, "POST", "/commands/execute", strings.NewReader(
		`{"session_id":"`+p.sid+`","command_type":"CreateNode","data":{"parent_id":"`+p.root+`","blueprint_type_id":"phase","name":"ok"}}`))
	assert.Equal(t, true, small["success"])
}

func TestRateLimited(t *testing.T) {
	// A bucket that refills once in ~17 minutes: the third request is over
	// the limit however fast or slow the machine is.
	s := startServer(t, func(o *serverOptions) { o.http.Limiter = guard.NewIPLimiter(0.001, 2) })

	s.ok(t, nethttp.StatusOK, "GET", "/templates", nil)
	s.ok(t, nethttp.StatusOK, "GET", "/sessions", nil)
	r := s.do(t, "GET", "/templates", nil)
	requireError(t, r, nethttp.StatusTooManyRequests, "RATE_LIMITED")
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	requireError(t, s.do(t, "POST", "/sessions", nil), nethttp.StatusTooManyRequests, "RATE_LIMITED")

	s.ok(t, nethttp.StatusOK, "GET", "/health", nil) // probes are never limited
}

func TestUnauthorized(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.http.Token = "s3cret" })

	for _, h := range []header{"", "Authorization: Bearer wrong", "Authorization: s3cret", "Authorization: Basic czNjcmV0"} {
		t.Run(string(h), func(t *testing.T) {
			var hs []header
			if h != "" {
				hs = append(hs, h)
			}
			r := s.do(t, "POST", "/sessions", nil, hs...)
			requireError(t, r, nethttp.StatusUnauthorized, "UNAUTHORIZED")
			assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
		})
	}
	requireError(t, s.do(t, "GET", "/openapi.yaml", nil), nethttp.StatusUnauthorized, "UNAUTHORIZED")
	assert.Equal(t, int64(0), seqOf(t, s.ok(t, nethttp.StatusOK, "GET", "/health", nil)["sessions"]),
		"health needs no token, and the refused requests made no session")

	s.token = "s3cret"
	s.ok(t, nethttp.StatusCreated, "POST", "/sessions", nil)
	s.ok(t, nethttp.StatusOK, "GET", "/sessions", nil)
}

func TestRouteErrors(t *testing.T) {
	s := startServer(t)
	root := strings.TrimSuffix(s.base, "/api/v1")
	tests := []struct {
		method, url string
		status      int
		code        string
	}{
		{"GET", s.base + "/nope", 404, "NOT_FOUND"},
		{"GET", root + "/index.html", 404, "NOT_FOUND"}, // the page is at / only
		{"POST", root + "/", 405, "METHOD_NOT_ALLOWED"},
		{"GET", root + "/assets/nope.js", 404, "NOT_FOUND"},
		{"GET", root + "/api/v2/health", 404, "NOT_FOUND"},
		{"GET", s.base + "/sessions/x/unknown", 404, "NOT_FOUND"},
		{"PUT", s.base + "/sessions", 405, "METHOD_NOT_ALLOWED"},
		{"GET", s.base + "/commands/execute", 405, "METHOD_NOT_ALLOWED"},
		{"POST", s.base + "/health", 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", s.base + "/templates", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+strings.TrimPrefix(tc.url, root), func(t *testing.T) {
			requireError(t, s.do(t, tc.method, tc.url, nil), tc.status, tc.code)
		})
	}
}

// TestHealthDegraded: while the journal cannot write, /health says so with
// 503 and the reason, for supervisors and load balancers to see.
func TestHealthDegraded(t *testing.T) {
	var broken atomic.Pointer[error]
	s := startServer(t, func(o *serverOptions) {
		o.http.Health = func() error {
			if p := broken.Load(); p != nil {
				return *p
			}
			return nil
		}
	})
	assert.Equal(t, "ok", s.ok(t, 200, "GET", "/health", nil)["status"])
	err := errors.New("store: journal failed: write: no space left on device")
	broken.Store(&err)
	r := s.do(t, "GET", "/health", nil)
	require.Equal(t, 503, r.status)
	body := r.JSON(t)
	assert.Equal(t, "degraded", body["status"])
	assert.Contains(t, body["reason"], "no space left on device")
	assert.NotEmpty(t, r.header.Get("Retry-After"))
}

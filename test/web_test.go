package test

import (
	nethttp "net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWebClientServed checks the page beside the API on the same surface as
// the binary: / is the page, its assets are served with their types, and
// the API and its JSON errors are untouched.
func TestWebClientServed(t *testing.T) {
	s := startServer(t)

	page := s.do(t, "GET", s.origin+"/", nil)
	require.Equal(t, nethttp.StatusOK, page.status)
	assert.Equal(t, "text/html; charset=utf-8", page.header.Get("Content-Type"))
	assert.Contains(t, page.header.Get("Content-Security-Policy"), "default-src 'self'")
	assert.Contains(t, string(page.body), `<div id="app">`)

	links := regexp.MustCompile(`/assets/[A-Za-z0-9.-]+\.(js|css|svg)`).FindAllStringSubmatch(string(page.body), -1)
	require.Len(t, links, 3, "script, style sheet and icon: %s", page.body)
	types := map[string]string{"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml"}
	for _, l := range links {
		r := s.do(t, "GET", s.origin+l[0], nil)
		require.Equal(t, nethttp.StatusOK, r.status, l[0])
		assert.Equal(t, types[l[1]], r.header.Get("Content-Type"), l[0])
		assert.NotEmpty(t, r.body, l[0])
	}

	requireError(t, s.do(t, "GET", "/no-such-route", nil), nethttp.StatusNotFound, "NOT_FOUND")
	requireError(t, s.do(t, "GET", s.origin+"/assets/app.js", nil), nethttp.StatusNotFound, "NOT_FOUND")
	assert.Equal(t, nethttp.StatusOK, s.do(t, "GET", "/health", nil).status)
}

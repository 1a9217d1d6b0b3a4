package web

import (
	nethttp "net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, serve func(nethttp.ResponseWriter, *nethttp.Request), target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	r.Host = "127.0.0.1:5000"
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	serve(w, r)
	return w
}

func TestServeIndex(t *testing.T) {
	p := New()
	w := get(t, p.ServeIndex, "/")
	require.Equal(t, nethttp.StatusOK, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	body := w.Body.String()
	assert.Contains(t, body, `<div id="app">`)

	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self' ws://127.0.0.1:5000 wss://127.0.0.1:5000", "frame-ancestors 'none'", "object-src 'none'"} {
		assert.Contains(t, csp, want)
	}
	assert.NotContains(t, csp, "unsafe-inline", "the page has no inline script or style")

	etag := w.Header().Get("ETag")
	require.NotEmpty(t, etag)
	again := get(t, p.ServeIndex, "/", "If-None-Match", etag)
	assert.Equal(t, nethttp.StatusNotModified, again.Code)
}

// TestIndexAssetsServed follows every /assets/ link of index.html.
func TestIndexAssetsServed(t *testing.T) {
	p := New()
	body := get(t, p.ServeIndex, "/").Body.String()
	links := regexp.MustCompile(`/assets/([A-Za-z0-9.-]+)`).FindAllStringSubmatch(body, -1)
	require.Len(t, links, 3, "index.html links the script, the style sheet and the icon")
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for _, l := range links {
		name := l[1]
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/assets/"+name, nil)
		require.True(t, p.ServeAsset(w, r, name), name)
		assert.Equal(t, nethttp.StatusOK, w.Code, name)
		ext := name[strings.LastIndex(name, "."):]
		assert.Equal(t, wantType[ext], w.Header().Get("Content-Type"), name)
		assert.Equal(t, "public, max-age=31536000, immutable", w.Header().Get("Cache-Control"), name)
		assert.NotEmpty(t, w.Body.Bytes(), name)
	}
	w := httptest.NewRecorder()
	assert.False(t, p.ServeAsset(w, httptest.NewRequest("GET", "/assets/nope.js", nil), "nope.js"))
	assert.Equal(t, 0, w.Body.Len(), "a miss writes nothing: the caller answers it")
}

func TestCSPIgnoresOddHost(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "evil; script-src *"
	assert.Equal(t, "connect-src 'self'", regexp.MustCompile(`connect-src[^;]*`).FindString(csp(r)))
}

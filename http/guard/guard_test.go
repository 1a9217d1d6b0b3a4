package guard

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOrigins(t *testing.T) {
	o, err := ParseOrigins(append([]string{"https://app.example.com", "http://LAN.example:8080"}, DefaultOrigins...))
	require.NoError(t, err)
	own := httptest.NewRequest("GET", "http://127.0.0.1:5000/api/v1/health", nil)
	tests := []struct {
		origin string
		want   bool
	}{
		{"", true}, // not a browser
		{"http://127.0.0.1:5000", true},
		{"http://127.0.0.1:5173", true},
		{"http://localhost:5173", true},
		{"http://localhost", true},
		{"http://[::1]:3000", true},
		{"tauri://localhost", true},
		{"http://tauri.localhost", true},
		{"https://app.example.com", true},
		{"https://APP.example.com:443", true},
		{"http://lan.example:8080", true},
		{"http://lan.example:8081", false},
		{"https://evil.example", false},
		{"http://localhost.evil.example:5173", false},
		{"https://localhost:5173", false}, // another scheme is another origin
		{"null", false},
		{"http://127.0.0.1:5000/path", false},
		{"://broken", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, o.Allowed(tt.origin, own), "origin %q", tt.origin)
	}

	// The server's own origin follows the Host it was reached by.
	byName := httptest.NewRequest("GET", "http://talus.lan:5000/", nil)
	assert.True(t, o.Allowed("http://talus.lan:5000", byName))
	assert.False(t, o.Allowed("https://talus.lan:5000", byName), "the scheme is part of the origin")
	byName.TLS = &tls.ConnectionState{}
	assert.True(t, o.Allowed("https://talus.lan:5000", byName))

	all, err := ParseOrigins([]string{"*"})
	require.NoError(t, err)
	assert.True(t, all.Allowed("https://evil.example", own))

	for _, bad := range []string{"example.com", "https://x.example/path", "https://user@x.example", "https://x.example?q"} {
		_, err := ParseOrigins([]string{bad})
		assert.Error(t, err, bad)
	}
}

func TestHosts(t *testing.T) {
	h := NewHosts("127.0.0.1:5000", []string{"talus.lan", "[fd00::1]"})
	for host, want := range map[string]bool{
		"127.0.0.1:5000":     true,
		"localhost:5000":     true,
		"LOCALHOST":          true,
		"[::1]:5000":         true,
		"app.localhost:5000": true,
		"talus.lan:5000":     true,
		"talus.lan.":         true,
		"[fd00::1]:5000":     true,
		"evil.example:5000":  false, // DNS rebinding: the page's own name
		"127.0.0.2:5000":     false,
		"":                   false,
	} {
		assert.Equal(t, want, h.Allowed(host), "host %q", host)
	}
	lan := NewHosts("192.168.1.9:5000", nil)
	assert.True(t, lan.Allowed("192.168.1.9:5000"), "the listen address itself")
	wild := NewHosts("0.0.0.0:5000", nil)
	assert.False(t, wild.Allowed("0.0.0.0:5000"), "the unspecified address names no host")
	assert.True(t, NewHosts("0.0.0.0:5000", []string{"*"}).Allowed("anything"))

	refused := 0
	mw := h.Middleware(func(w http.ResponseWriter, r *http.Request) { refused++; w.WriteHeader(403) })
	srv := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://evil.example:5000/", nil))
	assert.Equal(t, 403, rec.Code)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost:5000/", nil))
	assert.Equal(t, 204, rec.Code)
	assert.Equal(t, 1, refused)
}

// FuzzOrigins: any Origin header is judged without a panic, and an origin
// that is allowed stays allowed in its normalized form.
func FuzzOrigins(f *testing.F) {
	for _, s := range []string{"", "null", "http://localhost:5173", "tauri://localhost", "http://[::1]:1", "http://x:99999", "ht tp://x", "http://%zz"} {
		f.Add(s)
	}
	o, err := ParseOrigins(DefaultOrigins)
	require.NoError(f, err)
	r := httptest.NewRequest("GET", "http://127.0.0.1:5000/", nil)
	f.Fuzz(func(t *testing.T, origin string) {
		if !o.Allowed(origin, r) || origin == "" {
			return
		}
		norm, err := normalize(origin)
		require.NoError(t, err)
		require.True(t, o.Allowed(norm, r))
	})
}

// FuzzHosts: any Host header is judged without a panic, and only names the
// policy allows pass.
func FuzzHosts(f *testing.F) {
	for _, s := range []string{"", "localhost:5000", "[::1]:1", "evil.example", "127.0.0.1:", "[", "a.localhost", "LOCALHOST."} {
		f.Add(s)
	}
	h := NewHosts("127.0.0.1:5000", []string{"talus.lan"})
	f.Fuzz(func(t *testing.T, host string) {
		if !h.Allowed(host) {
			return
		}
		name := host
		if n, _, err := net.SplitHostPort(host); err == nil {
			name = n
		}
		name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
		require.True(t, name == "talus.lan" || name == "127.0.0.1" || name == "localhost" || name == "::1" ||
			name == "tauri.localhost" || strings.HasSuffix(name, ".localhost"), "allowed %q", host)
	})
}

// TestOriginlessCrossSiteRefused: a browser request with no Origin that the
// browser marks cross-site (a no-cors read, an image) is refused; one
// without fetch metadata (curl, scripts) or marked same-origin or none is
// not.
func TestOriginlessCrossSiteRefused(t *testing.T) {
	o, err := ParseOrigins(DefaultOrigins)
	require.NoError(t, err)
	for site, want := range map[string]bool{"": true, "none": true, "same-origin": true, "same-site": false, "cross-site": false} {
		r := httptest.NewRequest("GET", "http://127.0.0.1:5000/api/v1/sessions", nil)
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		assert.Equal(t, want, o.AllowedRequest(r), "Sec-Fetch-Site %q", site)
	}
}

package http

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Session ids of the forwarding tests: one this server owns, one another
// server owns.
const (
	sidHere  = "11111111-1111-4111-8111-111111111111"
	sidThere = "22222222-2222-4222-8222-222222222222"
)

// fakeRouter routes sidThere to owner and everything else here.
type fakeRouter struct {
	owner string

	mu        sync.Mutex
	forgotten []string
}

func (f *fakeRouter) Route(_ context.Context, sid string) (string, error) {
	if sid == sidThere {
		return f.owner, nil
	}
	return "", nil
}

func (f *fakeRouter) Forget(sid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgotten = append(f.forgotten, sid)
}

func (f *fakeRouter) Name() string { return "here" }

func (f *fakeRouter) forgot() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.forgotten...)
}

// seen is what the owner received of a forwarded request.
type seen struct {
	Method, Path, Query, Body, ForwardedBy, Origin, FetchSite string
}

// forwardingServer is a server with the forward middleware in front of a
// few routes whose handlers say they ran here, forwarding to an owner that
// echoes what it received (and answers with ownerHeader set, if any).
func forwardingServer(t *testing.T, ownerHeader string) (*httptest.Server, *fakeRouter) {
	t.Helper()
	owner := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		if ownerHeader != "" {
			w.Header().Set(ownerHeader, "1")
		}
		w.Header().Set(servedBy, "there")
		_ = json.NewEncoder(w).Encode(seen{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Get(forwardedBy), r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site")})
	}))
	t.Cleanup(owner.Close)
	fr := &fakeRouter{owner: owner.URL}
	s := &Server{cfg: Config{Router: fr}, log: slog.New(slog.DiscardHandler)}
	s.proxies = newProxies(s)
	here := nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write([]byte("here:" + string(b)))
	})
	r := chi.NewRouter()
	r.Route("/api/v1", func(r chi.Router) {
		r.Group(func(r chi.Router) {
			r.Use(s.forward)
			r.Route("/sessions/{sessionID}", func(r chi.Router) {
				r.Get("/info", here)
			})
			r.Get("/graph", here)
			r.Post("/commands/execute", here)
			r.Get("/sessions", here)
		})
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, fr
}

// TestForward: a request names its session in the path, the query, the
// X-Session-ID header or its JSON body; one for a session another server
// owns is passed on to it whole (body included) and marked as forwarded,
// one for a session this server owns, or for none, is served here.
func TestForward(t *testing.T) {
	srv, _ := forwardingServer(t, "")
	tests := []struct {
		name, method, path, header, body string
		forwarded                        bool
	}{
		{"path", "GET", "/api/v1/sessions/" + sidThere + "/info", "", "", true},
		{"query", "GET", "/api/v1/graph?session_id=" + sidThere, "", "", true},
		{"header", "POST", "/api/v1/commands/execute", sidThere, `{"command_type":"RenameNode"}`, true},
		{"body", "POST", "/api/v1/commands/execute", "", `{"session_id":"` + sidThere + `","command_type":"RenameNode","data":{"name":"x"}}`, true},
		{"path, here", "GET", "/api/v1/sessions/" + sidHere + "/info", "", "", false},
		{"body, here", "POST", "/api/v1/commands/execute", "", `{"session_id":"` + sidHere + `"}`, false},
		{"no session", "GET", "/api/v1/sessions", "", "", false},
		{"not a session id", "POST", "/api/v1/commands/execute", "", `{"session_id":"nope"}`, false},
		{"body not JSON", "POST", "/api/v1/commands/execute", "", `{"session_id":`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := nethttp.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			if tc.header != "" {
				req.Header.Set("X-Session-ID", tc.header)
			}
			req.Header.Set("Origin", "http://localhost:5173") // a browser page this server allowed
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			res, err := nethttp.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.Equal(t, nethttp.StatusOK, res.StatusCode, "%s", b)
			if !tc.forwarded {
				assert.Equal(t, "here:"+tc.body, string(b), "served here, the body intact")
				assert.Equal(t, "here", res.Header.Get(servedBy))
				return
			}
			var got seen
			require.NoError(t, json.Unmarshal(b, &got), "%s", b)
			want := strings.SplitN(tc.path, "?", 2)
			assert.Equal(t, tc.method, got.Method)
			assert.Equal(t, want[0], got.Path)
			if len(want) == 2 {
				assert.Equal(t, want[1], got.Query)
			}
			assert.Equal(t, tc.body, got.Body, "the body reaches the owner whole")
			assert.NotEmpty(t, got.ForwardedBy, "marked as forwarded")
			assert.Empty(t, got.Origin+got.FetchSite, "judged here: the owner does not judge (and answer CORS for) it again")
			assert.Equal(t, []string{"there"}, res.Header.Values(servedBy), "the owner says it served it")
		})
	}
}

// TestForwardNoSecondHop: a forwarded request for a session this server
// does not own either is not passed on again: 503, marked not-owner.
func TestForwardNoSecondHop(t *testing.T) {
	srv, _ := forwardingServer(t, "")
	req, err := nethttp.NewRequest("GET", srv.URL+"/api/v1/sessions/"+sidThere+"/info", nil)
	require.NoError(t, err)
	req.Header.Set(forwardedBy, "1")
	res, err := nethttp.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, nethttp.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, "1", res.Header.Get(notOwner))
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
}

// TestForwardForgets: an owner that says it does not own the session, or
// does not answer, makes this server forget where the session was.
func TestForwardForgets(t *testing.T) {
	t.Run("not owner", func(t *testing.T) {
		srv, fr := forwardingServer(t, notOwner)
		res, err := nethttp.Get(srv.URL + "/api/v1/sessions/" + sidThere + "/info")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, []string{sidThere}, fr.forgot())
		assert.Empty(t, res.Header.Get(notOwner), "between servers only")
	})
	t.Run("owner gone", func(t *testing.T) {
		srv, fr := forwardingServer(t, "")
		fr.owner = "http://127.0.0.1:1" // nothing listens there
		res, err := nethttp.Get(srv.URL + "/api/v1/sessions/" + sidThere + "/info")
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, nethttp.StatusServiceUnavailable, res.StatusCode)
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		assert.Equal(t, "UNAVAILABLE", body.Error.Code)
		assert.Equal(t, []string{sidThere}, fr.forgot())
	})
}

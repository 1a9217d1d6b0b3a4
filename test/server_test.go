// Package test holds end-to-end tests: a real net/http server on 127.0.0.1
// with the real REST handler, session actors and template catalog, driven
// over the network with net/http, plus a test of the built binary.
package test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	talushttp "github.com/talus-tally/server/http"
	"github.com/talus-tally/server/http/guard"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
)

// server is one running Talus server for a test.
type server struct {
	base     string // http://127.0.0.1:port/api/v1
	origin   string // http://127.0.0.1:port, where Socket.IO clients connect
	sessions *actors.Client
	client   *nethttp.Client
	token    string // sent as a bearer token when set
}

// serverOptions tweak the configuration a test server starts with.
type serverOptions struct {
	http        talushttp.Config
	actors      actors.Config
	ws          ws.Config
	readTimeout time.Duration // the HTTP server's; 0 is none
}

// startServer starts a server on a free port of 127.0.0.1 and stops it when
// the test ends.
func startServer(tb testing.TB, opts ...func(*serverOptions)) *server {
	tb.Helper()
	var o serverOptions
	for _, f := range opts {
		f(&o)
	}
	catalog, errs := model.LoadCatalog("")
	require.Empty(tb, errs, "built-in templates must load")

	log := slog.New(slog.DiscardHandler)
	o.actors.Catalog = catalog
	o.actors.Logger = log
	sessions, err := actors.Start(o.actors)
	require.NoError(tb, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	if o.ws.Logger == nil {
		o.ws.Logger = log
	}
	if o.ws.Engine.CloseLinger == 0 {
		// The npm agent exits before the server stops: nobody polls for a
		// goodbye, so do not wait long for one.
		o.ws.Engine.CloseLinger = 100 * time.Millisecond
	}
	// Wired as the binary wires them: one origin policy and one limiter
	// for REST and sockets, the Host guard in front of everything.
	if o.http.Origins == nil {
		o.http.Origins, err = guard.ParseOrigins(guard.DefaultOrigins)
		require.NoError(tb, err)
	}
	if o.ws.CheckOrigin == nil {
		o.ws.CheckOrigin = o.http.Origins.AllowedRequest
	}
	if o.http.Limiter != nil && o.ws.Handshakes == nil {
		o.ws.Handshakes = o.http.Limiter
	}
	if o.ws.Token == "" {
		o.ws.Token = o.http.Token
	}
	sockets := ws.New(o.ws, sessions)
	api := talushttp.New(o.http, sessions, catalog, log)
	// The same surface as the binary: Socket.IO beside the REST API.
	mux := nethttp.NewServeMux()
	mux.Handle("/socket.io/", sockets)
	mux.Handle("/", api)
	srv := &nethttp.Server{
		Handler:           api.Guard(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       o.readTimeout,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// As the binary does: the sockets say goodbye while HTTP still
		// serves (a polling client fetches it with one more poll), then
		// HTTP stops, then the sessions.
		require.NoError(tb, sockets.Shutdown(ctx))
		require.NoError(tb, srv.Shutdown(ctx))
		require.ErrorIs(tb, <-done, nethttp.ErrServerClosed)
		// A test may have stopped the sessions already; stopping twice is fine.
		_ = sessions.Stop(ctx)
	})
	return &server{
		base:     "http://" + ln.Addr().String() + "/api/v1",
		origin:   "http://" + ln.Addr().String(),
		sessions: sessions,
		client:   &nethttp.Client{Timeout: 30 * time.Second},
	}
}

// reply is an HTTP answer as a test sees it.
type reply struct {
	status int
	header nethttp.Header
	body   []byte
}

// JSON decodes the body as a JSON object, keeping numbers exact.
func (r reply) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	require.NoError(tb, dec.Decode(&v), "body: %s", r.body)
	return v
}

// header is one request header, "Name: value".
type header string

// do sends a request. body may be nil, a string or []byte (sent as is), an
// io.Reader (sent without a Content-Length) or any value (sent as JSON).
func (s *server) do(tb testing.TB, method, path string, body any, headers ...header) reply {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		data, err := json.Marshal(b)
		require.NoError(tb, err)
		rd = bytes.NewReader(data)
	}
	url := path
	if !strings.HasPrefix(path, "http://") {
		url = s.base + path
	}
	req, err := nethttp.NewRequest(method, url, rd)
	require.NoError(tb, err)
	if _, ok := body.(io.Reader); ok {
		req.ContentLength = -1 // chunked: the server cannot refuse it by its length
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(string(h), ":")
		require.True(tb, ok, "header %q", h)
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Host"):
			req.Host = value // net/http sends req.Host, not a Host header
		case strings.EqualFold(name, "Content-Type") && value == "":
			req.Header.Del("Content-Type")
		default:
			req.Header.Set(name, value)
		}
	}
	res, err := s.client.Do(req)
	require.NoError(tb, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(tb, err)
	return reply{status: res.StatusCode, header: res.Header, body: data}
}

// ok sends a request, requires status want and returns the JSON body.
func (s *server) ok(tb testing.TB, want int, method, path string, body any, headers ...header) map[string]any {
	tb.Helper()
	r := s.do(tb, method, path, body, headers...)
	require.Equal(tb, want, r.status, "%s %s: %s", method, path, r.body)
	require.Equal(tb, "application/json", r.header.Get("Content-Type"))
	return r.JSON(tb)
}

// requireError checks that r is an error answer with status and code, in the
// API's error shape, and returns the error object.
func requireError(tb testing.TB, r reply, status int, code string) map[string]any {
	tb.Helper()
	require.Equal(tb, status, r.status, "body: %s", r.body)
	require.Equal(tb, "application/json", r.header.Get("Content-Type"))
	body := r.JSON(tb)
	e, ok := body["error"].(map[string]any)
	require.True(tb, ok, "error object in %s", r.body)
	require.Equal(tb, code, e["code"], "body: %s", r.body)
	msg, _ := e["message"].(string)
	require.NotEmpty(tb, msg, "every error says what went wrong")
	return e
}

// project is a restomod project opened for a test.
type project struct {
	sid, pid, root string
}

// newProject opens a restomod project in a new session.
func (s *server) newProject(tb testing.TB, name string) project {
	tb.Helper()
	body := s.ok(tb, nethttp.StatusCreated, "POST", "/projects",
		map[string]any{"template_id": "restomod", "project_name": name})
	roots := body["graph"].(map[string]any)["roots"].([]any)
	require.Len(tb, roots, 1)
	return project{
		sid:  body["session_id"].(string),
		pid:  body["project_id"].(string),
		root: roots[0].(map[string]any)["id"].(string),
	}
}

// execute runs one command (the documented shape) and returns the reply.
func (s *server) execute(tb testing.TB, sid, commandType string, data map[string]any) map[string]any {
	tb.Helper()
	return s.ok(tb, nethttp.StatusOK, "POST", "/commands/execute",
		map[string]any{"session_id": sid, "command_type": commandType, "data": data})
}

// createNode adds a node and returns its id.
func (s *server) createNode(tb testing.TB, sid, parent, typ, name string) string {
	tb.Helper()
	res := s.execute(tb, sid, "CreateNode", map[string]any{"parent_id": parent, "blueprint_type_id": typ, "name": name})
	id, ok := res["node_id"].(string)
	require.True(tb, ok, "node_id in %v", res)
	return id
}

// tree reads a session's graph.
func (s *server) tree(tb testing.TB, sid string) map[string]any {
	tb.Helper()
	return s.ok(tb, nethttp.StatusOK, "GET", "/sessions/"+sid+"/graph/tree", nil)
}

// findNode finds a node by id in nested roots, or nil.
func findNode(roots []any, id string) map[string]any {
	for _, r := range roots {
		n := r.(map[string]any)
		if n["id"] == id {
			return n
		}
		if found := findNode(n["children"].([]any), id); found != nil {
			return found
		}
	}
	return nil
}

// rootsOf returns the roots of a tree or graph object.
func rootsOf(tb testing.TB, v any) []any {
	tb.Helper()
	m, ok := v.(map[string]any)
	require.True(tb, ok, "graph object: %v", v)
	roots, ok := m["roots"].([]any)
	require.True(tb, ok, "roots in %v", m)
	return roots
}

// seqOf reads a JSON seq.
func seqOf(tb testing.TB, v any) int64 {
	tb.Helper()
	n, ok := v.(json.Number)
	require.True(tb, ok, "seq %v is a number", v)
	i, err := n.Int64()
	require.NoError(tb, err)
	return i
}

package http

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"mime"
	nethttp "net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/talus-tally/server/model/wire"
)

// statusRecorder remembers what a handler answered, for the request log.
type statusRecorder struct {
	nethttp.ResponseWriter
	status int
	bytes  int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = nethttp.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusRecorder) Unwrap() nethttp.ResponseWriter { return w.ResponseWriter }

// logRequests writes one log line per request once it is answered, with
// the request's id (the client's X-Request-ID when it sent a sane one,
// else a new one, echoed in the reply) and the session it was for. With
// the info level off, the reply still carries the id, and nothing else of
// the line is made: its fields cost more than many a request.
func (s *Server) logRequests(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		id := requestID(r.Header[requestIDHeader])
		w.Header()[requestIDHeader] = []string{id}
		if !s.log.Enabled(r.Context(), slog.LevelInfo) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		info := &requestInfo{id: id}
		rec := &statusRecorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = nethttp.StatusOK
		}
		sid := info.session
		if sid == "" {
			sid = chi.URLParam(r, "sessionID")
		}
		s.log.Info("http request",
			"request_id", info.id,
			"method", r.Method,
			"path", r.URL.Path,
			"route", chi.RouteContext(r.Context()).RoutePattern(),
			"session", sid,
			"status", status,
			"bytes", rec.bytes,
			"duration", time.Since(start),
			"remote", r.RemoteAddr,
		)
	})
}

// requestInfo is what a request's log line says beyond its URL; handlers
// fill in the session when the body or a header named it.
type requestInfo struct {
	id      string
	session string
}

type requestInfoKey struct{}

// noteSession records the session a request was for, for its log line.
func noteSession(r *nethttp.Request, sid string) {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		info.session = sid
	}
}

// requestIDHeader is X-Request-ID as net/http keys it.
const requestIDHeader = "X-Request-Id"

// requestID keeps a client's request id (the header's values) when it is
// one, short and plain, else makes one.
func requestID(given []string) string {
	if len(given) == 1 && len(given[0]) > 0 && len(given[0]) <= 64 && strings.Trim(given[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == "" {
		return given[0]
	}
	return newRequestID()
}

// Request ids need to be unique, not secret: a random prefix for this
// process and a counter, 16 characters of rand.Text's alphabet, cost no
// system call per request.
var (
	requestPrefix = rand.Text()[:6]
	requestCount  atomic.Uint64
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func newRequestID() string {
	var b [16]byte
	copy(b[:], requestPrefix)
	n := requestCount.Add(1)
	for i := len(b) - 1; i >= len(requestPrefix); i-- {
		b[i] = idAlphabet[n%32]
		n /= 32
	}
	return string(b[:])
}

// recoverPanics turns a handler panic into a 500 whose cause and stack go to
// the log only.
func (s *Server) recoverPanics(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == nethttp.ErrAbortHandler {
				panic(v) // the server's own way to drop a connection
			}
			s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			s.writeError(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// authenticate requires the configured bearer token. Without a token
// configured every request passes.
func (s *Server) authenticate(next nethttp.Handler) nethttp.Handler {
	if s.cfg.Token == "" {
		return next
	}
	want := []byte(s.cfg.Token)
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		got, ok := wire.BearerToken(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			s.writeError(w, r, wire.Errorf(wire.CodeUnauthorized, "a valid bearer token is required (Authorization: Bearer <token>)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps the request body at MaxBodyBytes. A declared length over the
// cap is refused before reading; an undeclared one fails when the handler
// reads past the cap.
func (s *Server) limitBody(next nethttp.Handler) nethttp.Handler {
	limit := s.cfg.MaxBodyBytes
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		body := &cappedBody{ReadCloser: r.Body, limit: limit}
		r.Body = body
		if r.ContentLength > limit {
			s.writeError(w, r, &nethttp.MaxBytesError{Limit: limit})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// maxDrain bounds how much of a too-large body the server reads and throws
// away before it answers 413: a client that sends its whole body before it
// reads the answer (Python's urllib does) would otherwise find the
// connection reset under it instead of reading why.
const maxDrain = 8 << 20

// cappedBody is a request body that fails past limit bytes with
// *http.MaxBytesError, like http.MaxBytesReader, and can then be drained.
type cappedBody struct {
	io.ReadCloser
	limit int64
	read  int64
	over  bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, &nethttp.MaxBytesError{Limit: b.limit}
	}
	if int64(len(p)) > b.limit-b.read+1 {
		p = p[:b.limit-b.read+1] // one byte past the limit tells too large from exact
	}
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if b.read > b.limit {
		b.over = true
		return n - int(b.read-b.limit), &nethttp.MaxBytesError{Limit: b.limit}
	}
	return n, err
}

// drain reads and discards what is left of the body, up to maxDrain.
func (b *cappedBody) drain() {
	_, _ = io.CopyN(io.Discard, b.ReadCloser, maxDrain)
}

// limitRate applies the per-client-IP token bucket, when one is configured.
func (s *Server) limitRate(next nethttp.Handler) nethttp.Handler {
	if s.cfg.Limiter == nil {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if !s.cfg.Limiter.Allow(r) {
			s.writeError(w, r, wire.Errorf(wire.CodeRateLimited, "too many requests; slow down and retry"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cors checks a browser request's Origin and, for an allowed one, answers
// the CORS protocol: headers on every reply (errors included), and the
// preflight itself, before routing and before the token (a preflight
// carries none). A foreign Origin is refused whatever the method: the
// server's state is every page's business otherwise.
//
// The web client's page and assets are not the API: a link from another
// site may open them (a navigation), and they hold no data.
func (s *Server) cors(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		if !s.cfg.Origins.AllowedRequest(r) {
			s.writeError(w, r, wire.Errorf(wire.CodeForbiddenOrigin, "a page of another site (origin %q) may not use this server (see -allowed-origins)", origin))
			return
		}
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "Content-Disposition, Retry-After, WWW-Authenticate, X-Request-ID")
		if r.Method == nethttp.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Session-ID, X-Request-ID")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(nethttp.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireJSON refuses a request body that is not application/json (415):
// a browser sends a cross-site "simple" request only as text/plain, form
// or multipart, so this closes what the Origin check might miss. A request
// without a body needs no type.
func (s *Server) requireJSON(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if ct := r.Header["Content-Type"]; hasBody(r) && (len(ct) != 1 || ct[0] != "application/json") {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
				s.writeError(w, r, wire.Errorf(wire.CodeUnsupportedMediaType, "the request body must be application/json, not %q", r.Header.Get("Content-Type")))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hasBody reports whether a request carries a body: a declared length, or
// one sent in chunks.
func hasBody(r *nethttp.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != nethttp.NoBody)
}

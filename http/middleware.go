package http

import (
	"crypto/subtle"
	"fmt"
	"net"
	nethttp "net/http"
	"runtime/debug"
	"strings"
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

// logRequests writes one log line per request once it is answered.
func (s *Server) logRequests(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = nethttp.StatusOK
		}
		s.log.Info("http request",
			"method", r.Method,
			"path", r.URL.Path,
			"route", chi.RouteContext(r.Context()).RoutePattern(),
			"status", status,
			"bytes", rec.bytes,
			"duration", time.Since(start),
			"remote", r.RemoteAddr,
		)
	})
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
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), want) != 1 {
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
		if r.ContentLength > limit {
			s.writeError(w, r, &nethttp.MaxBytesError{Limit: limit})
			return
		}
		if r.Body != nil {
			r.Body = nethttp.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// limitRate applies the per-client-IP token bucket, when one is configured.
func (s *Server) limitRate(next nethttp.Handler) nethttp.Handler {
	if s.limiter == nil {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if !s.limiter.allow(clientIP(r), time.Now()) {
			s.writeError(w, r, wire.Errorf(wire.CodeRateLimited, "too many requests; slow down and retry"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address of the connection. Forwarding headers are not
// trusted: any client could set them to dodge its limit.
func clientIP(r *nethttp.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

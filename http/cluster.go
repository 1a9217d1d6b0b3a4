package http

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/jsonx"
)

// Router says which server serves a session when several share the work
// (package cluster): "" for this one, else the other's base URL.
type Router interface {
	Route(ctx context.Context, sid string) (string, error)
}

// forwardedBy marks a request one server of a cluster passed to another:
// the second serves it or says UNAVAILABLE, never passes it on again.
const forwardedBy = "Talus-Forwarded-By"

// proxies passes requests on to the servers that own their sessions: one
// reverse proxy over one pool of keep-alive connections.
type proxies struct {
	proxy *httputil.ReverseProxy
}

type targetKey struct{}

func newProxies(s *Server) *proxies {
	transport := &nethttp.Transport{
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &proxies{proxy: &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(pr.In.Context().Value(targetKey{}).(*url.URL))
			pr.Out.Header.Set(forwardedBy, "1")
		},
		ErrorHandler: func(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
			// The owner is gone or unreachable: its lease runs out soon and
			// another server takes the session over; the client retries.
			s.writeError(w, r, fmt.Errorf("%w: the server that owns this session does not answer: %w", actors.ErrUnavailable, err))
		},
	}}
}

// forwardSession passes a request for the session in the URL to its owner.
func (s *Server) forwardSession(next nethttp.Handler) nethttp.Handler {
	if s.cfg.Router == nil {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		s.forwardTo(w, r, next, chi.URLParam(r, "sessionID"))
	})
}

// forwardBody passes a request that names its session in the JSON body
// (session_id) to the session's owner.
func (s *Server) forwardBody(next nethttp.Handler) nethttp.Handler {
	if s.cfg.Router == nil {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		body, err := readBody(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		var sid string
		var fields [16]jsonx.Field
		if obj, err := jsonx.ReadObject(body, fields[:0]); err == nil {
			if v, ok := jsonx.Lookup(obj, "session_id"); ok {
				sid, _ = jsonx.String(v)
			}
		}
		if sid == "" {
			next.ServeHTTP(w, r) // the handler says what is wrong with it
			return
		}
		s.forwardTo(w, r, next, sid)
	})
}

func (s *Server) forwardTo(w nethttp.ResponseWriter, r *nethttp.Request, next nethttp.Handler, sid string) {
	if checkSessionSyntax(sid) != nil {
		next.ServeHTTP(w, r) // not a session id: the handler refuses it
		return
	}
	base, err := s.cfg.Router.Route(r.Context(), sid)
	switch {
	case err != nil:
		s.writeError(w, r, err)
		return
	case base == "":
		next.ServeHTTP(w, r)
		return
	case r.Header.Get(forwardedBy) != "":
		s.writeError(w, r, fmt.Errorf("%w: session %s is moving between servers; retry", actors.ErrUnavailable, sid))
		return
	}
	target, err := url.Parse(base)
	if err != nil {
		s.writeError(w, r, errors.Join(actors.ErrUnavailable, err))
		return
	}
	s.proxies.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, target)))
}

// checkSessionSyntax tells a session id from anything else: only ids are
// routed (the session layer refuses the rest as not found).
func checkSessionSyntax(sid string) error {
	u, err := uuid.Parse(sid)
	if err != nil || u.String() != sid {
		return errors.New("not a session id")
	}
	return nil
}

package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/jsonx"
)

// Router says which server serves a session when several share the work
// (package cluster): "" for this one, else the other's base URL. Forget
// drops what it remembers of a session that the server it named no longer
// serves. Name is this server's name in the cluster.
type Router interface {
	Route(ctx context.Context, sid string) (string, error)
	Forget(sid string)
	Name() string
}

// Headers between the servers of a cluster. A request one server passed to
// another carries forwardedBy: the second serves it or says UNAVAILABLE,
// never passes it on again (the client's retry finds the owner). Its
// UNAVAILABLE says notOwner when it does not own the session, so the first
// forgets where it thought the session was. servedBy names the server that
// served a request, for operators and tests.
const (
	forwardedBy = "Talus-Forwarded-By"
	notOwner    = "Talus-Not-Owner"
	servedBy    = "Talus-Served-By"
)

// proxies passes requests on to the servers that own their sessions: one
// reverse proxy over one pool of keep-alive connections.
type proxies struct {
	proxy *httputil.ReverseProxy
}

// forwardKey carries a forwarded request's target and session to the
// proxy's hooks.
type forwardKey struct{}

type forwarding struct {
	target *url.URL
	sid    string
}

func newProxies(s *Server) *proxies {
	transport := &nethttp.Transport{
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &proxies{proxy: &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			f := pr.In.Context().Value(forwardKey{}).(forwarding)
			pr.SetURL(f.target)
			pr.SetXForwarded()
			pr.Out.Header.Set(forwardedBy, "1")
			// This server judged the browser's Origin already, and answers
			// CORS itself: to the owner the request is a script's, which
			// adds no second Access-Control-Allow-Origin to the answer.
			for _, h := range []string{"Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User"} {
				pr.Out.Header.Del(h)
			}
		},
		ModifyResponse: func(res *nethttp.Response) error {
			if res.Header.Get(notOwner) != "" {
				s.cfg.Router.Forget(res.Request.Context().Value(forwardKey{}).(forwarding).sid)
				res.Header.Del(notOwner)
			}
			return nil
		},
		ErrorHandler: func(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
			// The owner is gone or unreachable: once the cluster sees it
			// gone, another server takes the session over; the client retries.
			s.cfg.Router.Forget(r.Context().Value(forwardKey{}).(forwarding).sid)
			s.writeError(w, r, fmt.Errorf("%w: the server that owns this session does not answer: %w", actors.ErrUnavailable, err))
		},
	}}
}

// forward passes a request for a session another server owns to that
// server. The session is the one the path names (/sessions/{id}/…), else
// the query's or the X-Session-ID header's session_id, else a JSON body's
// top-level session_id: wherever a handler would find it.
func (s *Server) forward(next nethttp.Handler) nethttp.Handler {
	if s.cfg.Router == nil {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		sid, err := s.sessionOfRequest(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !isSessionID(sid) {
			w.Header().Set(servedBy, s.cfg.Router.Name())
			next.ServeHTTP(w, r) // none, or not an id: the handler says what is wrong
			return
		}
		base, err := s.cfg.Router.Route(r.Context(), sid)
		switch {
		case err != nil:
			s.writeError(w, r, err)
			return
		case base == "":
			w.Header().Set(servedBy, s.cfg.Router.Name())
			next.ServeHTTP(w, r)
			return
		case r.Header.Get(forwardedBy) != "":
			w.Header().Set(notOwner, "1")
			s.writeError(w, r, fmt.Errorf("%w: session %s is moving between servers; retry", actors.ErrUnavailable, sid))
			return
		}
		target, err := url.Parse(base)
		if err != nil {
			s.writeError(w, r, fmt.Errorf("%w: owner URL %q: %w", actors.ErrUnavailable, base, err))
			return
		}
		ctx := context.WithValue(r.Context(), forwardKey{}, forwarding{target: target, sid: sid})
		s.proxies.proxy.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sessionOfRequest finds the session a request is for, reading a POST's
// body when nothing else names one (and putting it back for the handler).
func (s *Server) sessionOfRequest(r *nethttp.Request) (string, error) {
	if sid := chi.URLParam(r, "sessionID"); sid != "" {
		return sid, nil
	}
	if sid := r.URL.Query().Get("session_id"); sid != "" {
		return sid, nil
	}
	if sid := strings.TrimSpace(r.Header.Get("X-Session-ID")); sid != "" {
		return sid, nil
	}
	if r.Method != nethttp.MethodPost || r.Body == nil || r.ContentLength == 0 {
		return "", nil
	}
	body, err := readBody(r)
	if err != nil {
		return "", err
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	var fields [16]jsonx.Field
	obj, err := jsonx.ReadObject(body, fields[:0])
	if err != nil {
		return "", nil // the handler refuses it
	}
	v, ok := jsonx.Lookup(obj, "session_id")
	if !ok {
		return "", nil
	}
	sid, _ := jsonx.String(v)
	return sid, nil
}

// isSessionID tells a session id from anything else: only ids are routed
// (the session layer refuses the rest as not found).
func isSessionID(sid string) bool {
	u, err := uuid.Parse(sid)
	return err == nil && u.String() == sid
}

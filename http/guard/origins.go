package guard

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// DefaultOrigins are the browser origins allowed unless configured
// otherwise, besides the server's own: development servers on this machine
// (vite on :5173, ...) and the desktop webview shells.
var DefaultOrigins = []string{
	"http://localhost:*",
	"http://127.0.0.1:*",
	"http://[::1]:*",
	"tauri://localhost",
	"http://tauri.localhost",
	"https://tauri.localhost",
}

// Origins decides which browser origins may use the server. The server's
// own origin (the scheme and Host of the request itself, once Hosts has
// vouched for that Host) is always allowed.
type Origins struct {
	any   bool
	exact map[string]bool
	ports map[string]bool // scheme://host of the entries "scheme://host:*"
}

// ParseOrigins reads a list of origins: "scheme://host[:port]", or
// "scheme://host:*" for any port of that host, or "*" for every origin
// (which turns the browser check off: documented as unsafe).
func ParseOrigins(list []string) (*Origins, error) {
	o := &Origins{exact: map[string]bool{}, ports: map[string]bool{}}
	for _, raw := range list {
		entry := strings.TrimSpace(raw)
		switch {
		case entry == "":
			continue
		case entry == "*":
			o.any = true
			continue
		}
		if base, ok := strings.CutSuffix(entry, ":*"); ok {
			norm, err := normalize(base)
			if err != nil {
				return nil, fmt.Errorf("origin %q: %w", raw, err)
			}
			o.ports[norm] = true
			continue
		}
		norm, err := normalize(entry)
		if err != nil {
			return nil, fmt.Errorf("origin %q: %w", raw, err)
		}
		o.exact[norm] = true
	}
	return o, nil
}

// normalize returns an origin as browsers send it: lower-case scheme and
// host, the default port left out, nothing after the authority.
func normalize(origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("want scheme://host[:port]")
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		return scheme + "://" + host, nil
	}
	return scheme + "://" + host + ":" + port, nil
}

// Allowed reports whether a browser page of origin may use the server. An
// empty origin (no browser: curl, scripts, native clients) is allowed;
// "null" (a sandboxed or file page) is not, unless every origin is.
func (o *Origins) Allowed(origin string, r *http.Request) bool {
	if origin == "" || o.any {
		return true
	}
	norm, err := normalize(origin)
	if err != nil {
		return false
	}
	if o.exact[norm] || sameOrigin(norm, r) {
		return true
	}
	base := norm
	if i := strings.LastIndexByte(norm, ':'); i > strings.Index(norm, "://")+2 && !strings.HasSuffix(norm, "]") {
		base = norm[:i]
	}
	return o.ports[base]
}

// AllowedRequest applies Allowed to the request's own Origin header. A
// browser request without an Origin (a "no-cors" fetch, an image, a
// script tag) that the browser marks as coming from another site
// (Sec-Fetch-Site: cross-site or same-site) is refused too: it cannot be
// told apart from a foreign page's, and the server's own pages and allowed
// origins send an Origin.
func (o *Origins) AllowedRequest(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" && !o.any {
		switch r.Header.Get("Sec-Fetch-Site") {
		case "cross-site", "same-site":
			return false
		}
	}
	return o.Allowed(origin, r)
}

// sameOrigin reports whether origin is the server as this request reached
// it: a page the server itself served.
func sameOrigin(origin string, r *http.Request) bool {
	if r == nil || r.Host == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	own, err := normalize(scheme + "://" + r.Host)
	return err == nil && own == origin
}

// ListenOrigin is the origin of a server listening on addr, for logs and
// documents ("http://127.0.0.1:5000").
func ListenOrigin(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	return "http://" + net.JoinHostPort(host, port)
}

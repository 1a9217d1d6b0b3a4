package guard

import (
	"net"
	"net/http"
	"strings"
)

// Hosts decides which names a request may address the server by (its Host
// header). Loopback names are always allowed, and so is the address the
// server listens on; others come from configuration.
type Hosts struct {
	any   bool
	names map[string]bool
}

// NewHosts allows the loopback names, listen's host (unless it is the
// unspecified address, which any name can reach: then name them in extra)
// and every name of extra; "*" in extra allows any Host.
func NewHosts(listen string, extra []string) *Hosts {
	h := &Hosts{names: map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "tauri.localhost": true}}
	if host, _, err := net.SplitHostPort(listen); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			h.names[strings.ToLower(host)] = true
		}
	}
	for _, e := range extra {
		e = strings.ToLower(strings.TrimSpace(e))
		switch e {
		case "":
		case "*":
			h.any = true
		default:
			h.names[strings.Trim(e, "[]")] = true
		}
	}
	return h
}

// Allowed reports whether host (a Host header: name or IP, maybe a port)
// names this server.
func (h *Hosts) Allowed(host string) bool {
	if h.any {
		return true
	}
	name := host
	if n, _, err := net.SplitHostPort(host); err == nil {
		name = n
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if name == "" {
		return false
	}
	if strings.HasSuffix(name, ".localhost") {
		return true // RFC 6761: *.localhost is loopback
	}
	return h.names[name]
}

// Middleware refuses requests whose Host is not allowed, with refuse (which
// writes the API's 403), before anything else runs.
func (h *Hosts) Middleware(refuse http.HandlerFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !h.Allowed(r.Host) {
				refuse(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

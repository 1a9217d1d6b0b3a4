// Package web serves the Talus Tally web client: index.html at / and its
// bundled assets under /assets/. The client's sources are in src/; make web
// bundles them (with the npm socket.io-client) into dist/, which is
// committed and embedded here, so go build alone gives a binary that serves
// the page with no network and no node.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	nethttp "net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// Page is the embedded client, ready to serve. It is safe for concurrent use.
type Page struct {
	index  file
	assets map[string]file // by file name under /assets/
}

type file struct {
	body        []byte
	contentType string
	etag        string
}

// contentTypes are the only kinds of file the build writes; anything else
// in dist/ is a build mistake that New reports.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// New loads the embedded client. It panics when dist/ is not a build of
// the client, which only a broken commit can cause and every test catches.
func New() *Page {
	p, err := load(dist)
	if err != nil {
		panic(fmt.Sprintf("web: embedded client: %v (run make web)", err))
	}
	return p
}

func load(fsys fs.FS) (*Page, error) {
	p := &Page{assets: map[string]file{}}
	index, err := fs.ReadFile(fsys, "dist/index.html")
	if err != nil {
		return nil, err
	}
	p.index = newFile("index.html", index)
	entries, err := fs.ReadDir(fsys, "dist/assets")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if _, ok := contentTypes[path.Ext(name)]; !ok || e.IsDir() {
			return nil, fmt.Errorf("unexpected file dist/assets/%s", name)
		}
		b, err := fs.ReadFile(fsys, "dist/assets/"+name)
		if err != nil {
			return nil, err
		}
		p.assets[name] = newFile(name, b)
	}
	return p, nil
}

func newFile(name string, body []byte) file {
	sum := sha256.Sum256(body)
	return file{body: body, contentType: contentTypes[path.Ext(name)], etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// ServeIndex answers index.html. Browsers revalidate it on every load
// (no-cache, with an ETag), so a new build reaches them at once.
func (p *Page) ServeIndex(w nethttp.ResponseWriter, r *nethttp.Request) {
	p.serve(w, r, "index.html", p.index, "no-cache")
}

// ServeAsset answers the asset called name and reports whether there is
// one; the caller answers a miss in the API's 404 shape. Asset names carry
// a hash of their content, so a browser may keep them for good.
func (p *Page) ServeAsset(w nethttp.ResponseWriter, r *nethttp.Request, name string) bool {
	f, ok := p.assets[name]
	if !ok {
		return false
	}
	p.serve(w, r, name, f, "public, max-age=31536000, immutable")
	return true
}

func (p *Page) serve(w nethttp.ResponseWriter, r *nethttp.Request, name string, f file, cache string) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cache)
	h.Set("ETag", f.etag)
	h.Set("Content-Security-Policy", csp(r))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	// ServeContent answers If-None-Match with 304, ranges and HEAD.
	nethttp.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}

// csp allows the page nothing but its own origin: its scripts, styles and
// images, and requests and WebSockets back to the server it came from.
// Browsers of CSP level 3 let 'self' cover ws: to the same host; older ones
// need the ws:/wss: origins named, which are derived from the Host header
// only when it is a plain host[:port].
func csp(r *nethttp.Request) string {
	connect := "'self'"
	if plainHost(r.Host) {
		connect += " ws://" + r.Host + " wss://" + r.Host
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"connect-src " + connect,
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// plainHost reports whether host is letters, digits and . - : [ ] only (a
// name or IP with an optional port), so it cannot smuggle CSP syntax.
func plainHost(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	for _, c := range host {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune(".-:[]", c):
		default:
			return false
		}
	}
	return true
}

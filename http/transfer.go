package http

import (
	"bytes"
	"encoding/json"
	"mime"
	nethttp "net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
)

// Export and import move a project in and out as a project file, the
// prototype's format (model.ProjectFile), so its saved files open here and
// ours open there.

// maxFileNameRunes bounds the name offered in Content-Disposition.
const maxFileNameRunes = 100

// importEnvelope is the wrapped form of POST /projects/import, for clients
// that want to name a session in the body.
type importEnvelope struct {
	SessionID string          `json:"session_id"`
	File      json.RawMessage `json:"file"`
}

// handleExportProject answers the project file: the live state when a
// session has the project open, else the saved copy. It is offered as a
// download named after the project.
func (s *Server) handleExportProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	pid := chi.URLParam(r, "projectID")
	file, err := s.sessions.ExportProject(r.Context(), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": exportFileName(file, pid)})
	if disposition == "" {
		disposition = "attachment" // cannot happen with a sanitized name; the body is what matters
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(nethttp.StatusOK)
	_, _ = w.Write(file) // a client that went away is not our error
}

// handleImportProject opens a project file as a new project (a new id,
// whatever the file says), in the named session or a new one. The body is
// either the file itself or {"session_id"?, "file": {...}}; with the bare
// file a session may be named by ?session_id= or X-Session-ID.
func (s *Server) handleImportProject(w nethttp.ResponseWriter, r *nethttp.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	file, sid, err := parseImport(r, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.sessions.ImportProject(r.Context(), file, sid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteSession(r, p.SessionID) // a new one, when none was named
	s.writeJSON(w, r, nethttp.StatusCreated, newCreateProjectReply(p))
}

// parseImport tells the two body forms apart: an object with "file" and no
// "nodes" is the envelope; anything else is taken as the file, which the
// session layer checks in full.
func parseImport(r *nethttp.Request, body []byte) (file []byte, sid string, err error) {
	var top map[string]json.RawMessage
	if err := unmarshalJSON(body, &top, decodeOptions{}); err != nil {
		return nil, "", err
	}
	if top == nil {
		return nil, "", badRequest("request body must be a project file (a JSON object), not null")
	}
	file = body
	_, wrapped := top["file"]
	if _, isFile := top["nodes"]; wrapped && !isFile {
		var env importEnvelope
		if err := unmarshalJSON(body, &env, decodeOptions{strictFields: true}); err != nil {
			return nil, "", err
		}
		if trimmed := bytes.TrimSpace(env.File); len(trimmed) == 0 || trimmed[0] != '{' {
			return nil, "", fieldError("file", "file must be a project file (a JSON object)")
		}
		file, sid = env.File, env.SessionID
	}
	if q := strings.TrimSpace(r.URL.Query().Get("session_id")); q != "" {
		if sid != "" && sid != q {
			return nil, "", badRequest("session_id in the body and the query differ")
		}
		sid = q
	}
	sid, err = pickSessionID(r, sid, false)
	return file, sid, err
}

// exportFileName names the download after the project, falling back to its
// id. Only the name is taken from the file, and it is cleaned so that it
// cannot steer where a browser writes.
func exportFileName(file []byte, pid string) string {
	var head struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(file, &head) // a file without a readable name is named after the id
	name := cleanFileName(head.Name)
	if name == "" {
		name = cleanFileName(pid)
	}
	if name == "" {
		name = "project"
	}
	return name + ".json"
}

// cleanFileName keeps letters, digits, spaces and a few safe marks, and
// drops path separators, control characters and leading dots.
func cleanFileName(s string) string {
	var b strings.Builder
	n := 0
	for _, c := range s {
		if n == maxFileNameRunes {
			break
		}
		switch {
		case c == utf8.RuneError:
			continue
		case unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune(" -_.()", c):
			b.WriteRune(c)
		default:
			b.WriteRune('_')
		}
		n++
	}
	return strings.TrimLeft(strings.TrimSpace(b.String()), ".")
}

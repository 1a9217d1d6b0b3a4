package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// requireInvalidRequest holds err to what a client's malformed body or
// query gets: 400 INVALID_REQUEST with a message.
func requireInvalidRequest(t *testing.T, err error) {
	t.Helper()
	we, status := toWire(err)
	require.Equal(t, nethttp.StatusBadRequest, status, "%v", err)
	require.Equal(t, wire.CodeInvalidRequest, we.Code, "%v", err)
	require.NotEmpty(t, we.Message)
}

// headerSafe drops what net/http would refuse to send in a header value,
// so that a fuzzed header reaches the parser as a real request's would.
func headerSafe(s string) string {
	return strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f {
			return -1
		}
		return c
	}, s)
}

// FuzzRequestID: whatever X-Request-ID a client sends, the id a request is
// logged and answered with is short, plain and safe in a header and a log
// line; a plain one the client sent is kept as it is.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"", "abc-123", "req_1.2", "a b", "x\r\nSet-Cookie: y", "é", strings.Repeat("a", 64),
		strings.Repeat("a", 65), "request=1", "\x00", "../../etc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, given string) {
		plain := func(s string) bool {
			for _, c := range []byte(s) {
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
					return false
				}
			}
			return len(s) > 0 && len(s) <= 64
		}
		id := requestID([]string{given})
		require.True(t, plain(id), "id %q", id)
		if plain(given) {
			require.Equal(t, given, id, "a plain id is kept")
		} else {
			require.Len(t, id, 16, "a new one is made")
		}
	})
}

// FuzzUnmarshalJSON is the body decoder every JSON endpoint shares: it
// either refuses with INVALID_REQUEST or has read exactly one JSON value.
func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, ``, ` `, `null`, `[]`, `{"max_inactive_hours":24}`, `{"max_inactive_hours":"x"}`,
		`{"extra":1}`, `{} {}`, `{"a":`, `1e999`, "\xff", `{"max_inactive_hours":1e400}`} {
		f.Add([]byte(s), false, false)
		f.Add([]byte(s), true, true)
	}
	f.Fuzz(func(t *testing.T, body []byte, optional, strict bool) {
		var req struct {
			MaxInactiveHours *float64 `json:"max_inactive_hours"`
		}
		err := unmarshalJSON(body, &req, decodeOptions{optional: optional, strictFields: strict})
		if err != nil {
			requireInvalidRequest(t, err)
			return
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 {
			require.True(t, optional, "an empty body is read only where it may be")
			return
		}
		require.True(t, json.Valid(trimmed), "%q", body)
	})
}

// FuzzQueryInt: ?limit= and the like are refused with INVALID_REQUEST
// naming the parameter, or read as the non-negative integer they write.
func FuzzQueryInt(f *testing.F) {
	for _, s := range []string{"", "0", "10", "-1", "+5", "007", "1e3", "99999999999999999999", " 1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/?limit="+url.QueryEscape(raw), nil)
		n, err := queryInt(r, "limit")
		if err != nil {
			requireInvalidRequest(t, err)
			require.Equal(t, "limit", wire.From(err).Details["field"])
			return
		}
		require.GreaterOrEqual(t, n, 0)
		if raw == "" {
			require.Zero(t, n)
			return
		}
		want, err := strconv.Atoi(raw)
		require.NoError(t, err)
		require.Equal(t, want, n)
	})
}

// FuzzParseImport: an import body, with a session maybe named in the query
// and the header, is refused with INVALID_REQUEST or gives a file that is
// one JSON object (the body itself unless it was the envelope) and the
// session every place that named one agrees on.
func FuzzParseImport(f *testing.F) {
	const file = `{"templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root"}}}`
	for _, s := range []string{file, `{"session_id":"s3","file":` + file + `}`, `{"file":` + file + `}`, `{"file":1,"nodes":{}}`,
		`{"file":[1]}`, `{"file":{},"extra":1}`, ``, `[]`, `null`, file + file, `{"file":null}`, `{"file":" {}"}`} {
		f.Add([]byte(s), "", "")
		f.Add([]byte(s), "s1", " s1 ")
	}
	f.Fuzz(func(t *testing.T, body []byte, query, header string) {
		r := httptest.NewRequest(nethttp.MethodPost, "/?session_id="+url.QueryEscape(query), nil)
		header = headerSafe(header)
		r.Header.Set("X-Session-ID", header)
		got, sid, err := parseImport(r, body)
		if err != nil {
			requireInvalidRequest(t, err)
			return
		}
		trimmed := bytes.TrimSpace(got)
		require.True(t, json.Valid(trimmed), "%q", got)
		require.Equal(t, byte('{'), trimmed[0])
		var top map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(body, &top))
		if _, isFile := top["nodes"]; isFile {
			require.Equal(t, body, got, "a file is taken as it came")
		}
		for _, named := range []string{strings.TrimSpace(query), strings.TrimSpace(r.Header.Get("X-Session-ID"))} {
			if named != "" {
				require.Equal(t, named, sid, "every place that names a session agrees")
			}
		}
	})
}

// searchGraph is a restomod project with a value of each property type set,
// to search in.
func searchGraph(tb testing.TB) *model.Graph {
	tb.Helper()
	cat, errs := model.LoadCatalog("")
	require.Empty(tb, errs)
	tm, ok := cat.Get("restomod")
	require.True(tb, ok)
	g, root := model.NewProject(tm, "1969 Camaro")
	apply := func(cmd model.Command) string {
		a, err := g.Apply(cmd)
		require.NoError(tb, err)
		return a.NodeID
	}
	apply(model.UpdateProperty{NodeID: root, PropertyID: "budget", Value: "25000.50"})
	apply(model.UpdateProperty{NodeID: root, PropertyID: "vehicle", Value: "Camaro"})
	phase := apply(model.CreateNode{ParentID: root, Type: "phase", Name: "Paint"})
	apply(model.UpdateProperty{NodeID: phase, PropertyID: "start_date", Value: "2025-11-03"})
	job := apply(model.CreateNode{ParentID: phase, Type: "job", Name: "Strip"})
	task := apply(model.CreateNode{ParentID: job, Type: "task", Name: "Seats"})
	apply(model.UpdateProperty{NodeID: task, PropertyID: "impact", Value: json.Number("3")})
	return g
}

// FuzzDecodeSearch: a search body is refused with INVALID_REQUEST or read
// into a query that reads back the same when sent again; running it finds
// nodes of the graph, each with its path from its root.
func FuzzDecodeSearch(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"query":"cam"}`, `{"blueprint_type_id":"phase"}`, `{"properties":{"budget":"25000.5"}}`,
		`{"properties":{"status":"Planned","impact":3}}`, `{"properties":{"budget":1e99999}}`, `{"properties":{"start_date":"2025-11-03"}}`,
		`{"qurey":"x"}`, `{"properties":[]}`, `{"query":1}`, `null`, `{"properties":{"budget":{"a":[1,null]}}}`, `{} []`} {
		f.Add([]byte(s))
	}
	g := searchGraph(f)
	all := g.Search(model.SearchQuery{})
	require.Len(f, all, g.Len())
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(nethttp.MethodPost, "/", bytes.NewReader(body))
		q, err := decodeSearch(r)
		if err != nil {
			requireInvalidRequest(t, err)
			return
		}
		b, err := json.Marshal(q)
		require.NoError(t, err)
		again, err := decodeSearch(httptest.NewRequest(nethttp.MethodPost, "/", bytes.NewReader(b)))
		require.NoError(t, err, "%s", b)
		if len(q.Properties) == 0 {
			q.Properties = nil // {} and no properties ask the same
		}
		require.Equal(t, q, again)

		for _, res := range g.Search(q) {
			n, ok := g.Node(res.ID)
			require.True(t, ok)
			require.Equal(t, n.Name, res.Name)
			require.NotEmpty(t, res.Path)
			require.Equal(t, n.Name, res.Path[len(res.Path)-1])
			if q.Type != "" {
				require.Equal(t, q.Type, res.Type)
			}
		}
	})
}

// FuzzLoadGraph is POST /sessions/{sid}/graph/load up to the session: the
// frontend's loose graph is refused with INVALID_REQUEST or made into the
// same project file every time, one in which each node's parent lists it
// exactly once as a child; the session layer's check of that file fails
// only in its documented ways.
func FuzzLoadGraph(f *testing.F) {
	for _, s := range []string{
		`{"template_id":"restomod","graph":{"nodes":[{"id":"r","type":"project_root","name":"Car","children":["p"]},{"id":"p","type":"phase"}]}}`,
		`{"graph":{"template_id":"restomod","nodes":{"r":{"type":"project_root"},"p":{"type":"phase","parent_id":"r"}}}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":"r","type":"project_root"},{"id":"p","type":"phase"}],"edges":[{"source":"r","target":"p"}]}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":"r","blueprintType":"project_root","label":"L","data":{"nodeData":{"properties":{"name":"L","vin":"x"}}}}]}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":"a","type":"phase","children":["a"]}]}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":"a","type":"phase","parentId":"b"},{"id":"b","type":"phase","parent_id":"a"}]}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":"a"},{"id":"a"}]}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":""}]}}`,
		`{"template_id":"restomod","graph":{"nodes":5}}`,
		`{"template_id":"restomod","graph":null}`,
		`{"graph":{"nodes":[]}}`,
		`{"template_id":"restomod","graph":{"nodes":[{"id":"r","type":"project_root","child_ids":["x"]}]}}`,
	} {
		f.Add([]byte(s))
	}
	cat, errs := model.LoadCatalog("")
	require.Empty(f, errs)
	f.Fuzz(func(t *testing.T, body []byte) {
		var req loadGraphRequest
		if err := unmarshalJSON(body, &req, decodeOptions{}); err != nil {
			requireInvalidRequest(t, err)
			return
		}
		if req.Graph == nil {
			return // the handler answers "graph is required"
		}
		file, err := req.projectFile()
		if err != nil {
			requireInvalidRequest(t, err)
			return
		}
		again, err := req.projectFile()
		require.NoError(t, err)
		require.Equal(t, file, again, "the same body makes the same project")

		var pf model.ProjectFile
		require.NoError(t, json.Unmarshal(file, &pf))
		require.NotEmpty(t, model.FileTemplateID(&pf))
		for id, n := range pf.Nodes {
			require.Equal(t, id, n.ID)
			for _, c := range n.Children {
				child := pf.Nodes[c]
				require.NotNil(t, child, "child %q of %q", c, id)
				require.NotNil(t, child.ParentID)
				require.Equal(t, id, *child.ParentID)
			}
			if n.ParentID != nil {
				parent := pf.Nodes[*n.ParentID]
				require.NotNil(t, parent)
				count := 0
				for _, c := range parent.Children {
					if c == id {
						count++
					}
				}
				require.Equal(t, 1, count, "%q is listed once by its parent", id)
			}
		}

		_, _, err = model.GraphFromFile(&pf, cat)
		if err != nil {
			var ir *model.InvalidRequestError
			var le *model.LimitError
			require.True(t, errors.As(err, &ir) || errors.As(err, &le), "%T: %v", err, err)
		}
	})
}

// FuzzExportFileName: whatever name a project was given, the download is
// offered under a name that cannot steer where a browser writes (no path,
// no control characters, no leading dot, bounded) and that a client reads
// back from Content-Disposition exactly as the server wrote it.
func FuzzExportFileName(f *testing.F) {
	for _, s := range []string{`{"name":"1969 Camaro"}`, `{"nodes":{}}`, `garbage`, `{"name":"../x/y\\z"}`, "{\"name\":\"a\\r\\nb\\u0000c\"}",
		`{"name":"..."}`, `{"name":"Käfer 1302 – 日本"}`, `{"name":"\u202eexe.json"}`, `{"name":" .hidden"}`, `{"name":"a\"b;c=d"}`} {
		f.Add([]byte(s), "p1")
	}
	f.Add([]byte(`{"name":"..."}`), "..")
	f.Fuzz(func(t *testing.T, file []byte, pid string) {
		name := exportFileName(file, pid)
		base, ok := strings.CutSuffix(name, ".json")
		require.True(t, ok, name)
		require.NotEmpty(t, base)
		require.True(t, utf8.ValidString(name))
		require.LessOrEqual(t, utf8.RuneCountInString(base), maxFileNameRunes)
		require.False(t, strings.HasPrefix(name, "."), name)
		for _, c := range name {
			require.False(t, c == '/' || c == '\\' || unicode.IsControl(c) || unicode.Is(unicode.Bidi_Control, c), "%q in %q", c, name)
		}
		disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		require.NotEmpty(t, disposition, name)
		kind, params, err := mime.ParseMediaType(disposition)
		require.NoError(t, err, disposition)
		require.Equal(t, "attachment", kind)
		require.Equal(t, name, params["filename"], disposition)
	})
}

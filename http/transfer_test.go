package http

import (
	"errors"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/talus-tally/server/model/wire"
)

func TestExportFileName(t *testing.T) {
	tests := []struct {
		name, file, pid, want string
	}{
		{"project name", `{"name":"1969 Camaro","nodes":{}}`, "p1", "1969 Camaro.json"},
		{"no name: the id", `{"nodes":{}}`, "p1", "p1.json"},
		{"not JSON: the id", `garbage`, "p1", "p1.json"},
		{"path separators", `{"name":"../x/y\\z"}`, "p1", "_x_y_z.json"},
		{"control characters", "{\"name\":\"a\\r\\nb\\u0000c\"}", "p1", "a__b_c.json"},
		{"quotes", `{"name":"say \"hi\""}`, "p1", "say _hi_.json"},
		{"only dots", `{"name":"..."}`, "p1", "p1.json"},
		{"nothing usable", `{"name":"..."}`, "...", "project.json"},
		{"letters of any script", `{"name":"Käfer 1302 – 日本"}`, "p1", "Käfer 1302 _ 日本.json"},
		{"long", `{"name":"` + strings.Repeat("a", 500) + `"}`, "p1", strings.Repeat("a", maxFileNameRunes) + ".json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, exportFileName([]byte(tc.file), tc.pid))
		})
	}
}

func TestParseImport(t *testing.T) {
	const file = `{"templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root"}}}`
	tests := []struct {
		name, target, body, header string
		wantFile, wantSID          string
		wantErr                    string
	}{
		{name: "bare file", target: "/", body: file, wantFile: file},
		{name: "bare file, query session", target: "/?session_id=s1", body: file, wantFile: file, wantSID: "s1"},
		{name: "bare file, header session", target: "/", body: file, header: "s2", wantFile: file, wantSID: "s2"},
		{name: "envelope", target: "/", body: `{"session_id":"s3","file":` + file + `}`, wantFile: file, wantSID: "s3"},
		{name: "envelope without session", target: "/", body: `{"file":` + file + `}`, wantFile: file},
		{name: "a file with a node called file is a file", target: "/", body: `{"file":1,"nodes":{}}`, wantFile: `{"file":1,"nodes":{}}`},
		{name: "envelope and query disagree", target: "/?session_id=a", body: `{"session_id":"b","file":` + file + `}`, wantErr: "differ"},
		{name: "query and header disagree", target: "/?session_id=a", body: file, header: "b", wantErr: "differ"},
		{name: "envelope file not an object", target: "/", body: `{"file":[1]}`, wantErr: "file must be"},
		{name: "envelope unknown field", target: "/", body: `{"file":{},"extra":1}`, wantErr: "unknown field"},
		{name: "empty", target: "/", body: "", wantErr: "empty"},
		{name: "array", target: "/", body: `[]`, wantErr: "JSON object"},
		{name: "null", target: "/", body: `null`, wantErr: "not null"},
		{name: "two values", target: "/", body: file + file, wantErr: "single JSON value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(nethttp.MethodPost, tc.target, nil)
			if tc.header != "" {
				r.Header.Set("X-Session-ID", tc.header)
			}
			got, sid, err := parseImport(r, []byte(tc.body))
			if tc.wantErr != "" {
				var we *wire.Error
				require.True(t, errors.As(err, &we), "err %v", err)
				assert.Equal(t, wire.CodeInvalidRequest, we.Code)
				assert.Contains(t, we.Message, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tc.wantFile, string(got))
			assert.Equal(t, tc.wantSID, sid)
		})
	}
}

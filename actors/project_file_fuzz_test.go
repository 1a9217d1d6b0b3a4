package actors

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// FuzzReadProjectFile is an import's body as the session layer reads it
// (POST /projects/import, load-graph): any bytes are refused as
// INVALID_REQUEST or LIMIT_EXCEEDED, or give a graph that exports to bytes
// that read back as the same graph.
func FuzzReadProjectFile(f *testing.F) {
	files, _ := filepath.Glob("../model/testdata/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"templates":["restomod.yaml"],"nodes":{"r":{"type":"project_root"}}}`))
	f.Add([]byte(`{"templates":["C:\\x\\book.yml"],"nodes":{"b":{"type":"book","name":"` + strings.Repeat("n", 300) + `"}}}`))
	f.Add([]byte(`{"template_id":"restomod","nodes":{}}`))
	f.Add([]byte(`{"template_id":"restomod","nodes":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"nodes":{"r":{"type":"project_root","properties":{"budget":"1e5"}}},"template_id":"restomod","version":"1.9"}`))
	cat := testCatalog(f)
	limits := model.Limits{MaxNodes: 8, MaxValueBytes: 64, MaxNameBytes: 256}
	f.Fuzz(func(t *testing.T, file []byte) {
		g, tm, err := readProjectFile(file, cat, limits)
		if err != nil {
			var ir *model.InvalidRequestError
			var le *model.LimitError
			require.True(t, errors.As(err, &ir) || errors.As(err, &le), "%T: %v", err, err)
			require.Contains(t, []string{wire.CodeInvalidRequest, wire.CodeLimitExceeded}, wire.From(err).Code)
			return
		}
		require.Positive(t, g.Len(), "a project holds a node")
		require.LessOrEqual(t, g.Len(), limits.MaxNodes)
		out, err := json.Marshal(g.ToFile("p", "name", tm.ID))
		require.NoError(t, err)
		again, _, err := readProjectFile(out, cat, limits)
		require.NoError(t, err, "%s", out)
		require.True(t, g.Equal(again))
	})
}

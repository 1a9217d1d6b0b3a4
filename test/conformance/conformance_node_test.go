package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestNodeClient runs test/js/conformance.js, which drives the harness with
// the real npm socket.io-client over polling, websocket and the default
// upgrade path. It fails, never skips, without node or the locked client:
// `make test` installs the client (npm ci --prefix test/js) before it runs.
func TestNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is not on PATH: the real-client conformance test needs it")
	dir, err := filepath.Abs(filepath.Join("..", "js"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "node_modules", "socket.io-client"))
	require.NoError(t, err, "socket.io-client is not installed: run make test, or npm ci --prefix test/js")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	origin := startHarness(t)
	cmd := exec.CommandContext(ctx, node, "conformance.js", origin)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("node output:\n%s", out)
	require.NoError(t, err)
	require.Contains(t, string(out), "all ok")
}

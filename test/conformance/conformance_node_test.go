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
// upgrade path. It installs the locked client with npm ci when missing.
func TestNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	dir, err := filepath.Abs(filepath.Join("..", "js"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io-client")); err != nil {
		npm, err := exec.LookPath("npm")
		require.NoError(t, err, "node is installed but npm is not: cannot install socket.io-client")
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "npm ci: %s", out)
	}

	origin := startHarness(t)
	cmd := exec.CommandContext(ctx, node, "conformance.js", origin)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("node output:\n%s", out)
	require.NoError(t, err)
	require.Contains(t, string(out), "all ok")
}

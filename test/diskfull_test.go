package test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallDisk mounts a tmpfs of size bytes for one test: a real file system
// that really fills up.
func smallDisk(tb testing.TB, size int) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "disk")
	require.NoError(tb, os.Mkdir(dir, 0o755))
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		// Mounting needs root (CI runs as root); elsewhere the store's own
		// fault tests (actors/store, TestJournalHealsAfterFailure) cover this.
		tb.Skipf("cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	tb.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the disk is full and returns its path.
func fill(tb testing.TB, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	require.NoError(tb, err)
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for range 100_000 { // bounded: far more than the disk holds
		if _, err := f.Write(chunk); err != nil {
			require.True(tb, errors.Is(err, syscall.ENOSPC), "filling: %v", err)
			return path
		}
	}
	tb.Fatal("the disk never filled")
	return ""
}

// TestBinaryDiskFull runs the binary on a small disk and fills it: commands
// are refused 503 and /health says degraded while nothing can be written;
// once space is freed the journal heals by itself, commands work again
// without a restart, and after a kill -9 every acknowledged command is
// there.
func TestBinaryDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	disk := smallDisk(t, 16<<20)
	bin := buildTalus(t)
	p := startTalus(t, bin, disk)
	created := p.must(t, 201, "POST", "/projects", map[string]any{"template_id": "restomod", "project_name": "Full"})
	sid := created["session_id"].(string)
	root := created["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)["id"].(string)
	acked := 0
	create := func(name string) int {
		status, body, err := p.send(t.Context(), "POST", "/commands/execute", map[string]any{"session_id": sid, "command_type": "CreateNode",
			"include_graph": false, "data": map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": name}})
		require.NoError(t, err)
		if status == 200 {
			acked++
		} else {
			require.Equal(t, 503, status, "%s", body)
			assert.Contains(t, string(body), "UNAVAILABLE")
		}
		return status
	}
	require.Equal(t, 200, create("before"))

	filler := fill(t, disk)
	refused := false
	for i := 0; i < 500 && !refused; i++ { // a page or two of slack may still take a record
		refused = create(fmt.Sprint("filling ", i)) == 503
	}
	require.True(t, refused, "a full disk refuses commands")
	status, body, err := p.send(t.Context(), "GET", "/health", nil)
	require.NoError(t, err)
	assert.Equal(t, 503, status)
	assert.Contains(t, string(body), `"status":"degraded"`)
	assert.Contains(t, string(body), "no space left")

	require.NoError(t, os.Remove(filler))
	healthy := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !healthy; time.Sleep(50 * time.Millisecond) {
		status, _, err := p.send(t.Context(), "GET", "/health", nil)
		healthy = err == nil && status == 200
	}
	require.True(t, healthy, "healthy again once there is room: %s", p.logs.String())
	require.Equal(t, 200, create("after"), "commands work again without a restart")

	p.kill(t)
	p = startTalus(t, bin, disk)
	tree := p.must(t, 200, "GET", "/sessions/"+sid+"/graph/tree", nil)
	kids := tree["roots"].([]any)[0].(map[string]any)["children"].([]any)
	assert.Len(t, kids, acked, "every acknowledged command, and only those")
	p.stop(t)
}

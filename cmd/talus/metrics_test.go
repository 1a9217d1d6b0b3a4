package main

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

	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// TestMetricsCountWhatHappened causes each thing the metrics count —
// budget refusals, commands of each outcome, events queued for a socket
// client and refused by its full queue, the client dropped for it — and
// reads each back from /metrics.
func TestMetricsCountWhatHappened(t *testing.T) {
	r := startRun(t, "-max-name-bytes", "64", "-max-body", "65536", "-client-queue-bytes", "4096")
	created := r.json(t, 201, "POST", "/api/v1/projects", `{"template_id":"restomod","project_name":"Metrics"}`)
	sid := created["session_id"].(string)
	root := created["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)["id"].(string)
	execute := func(commandType, data string) (int, string) {
		status, _, body := r.do(t, "POST", "/api/v1/commands/execute",
			fmt.Sprintf(`{"session_id":%q,"command_type":%q,"include_graph":false,"data":%s}`, sid, commandType, data))
		return status, body
	}

	// Budgets: a name past -max-name-bytes, a body past -max-body.
	status, body := execute("RenameNode", fmt.Sprintf(`{"node_id":%q,"name":%q}`, root, strings.Repeat("n", 65)))
	require.Equal(t, 400, status, body)
	require.Equal(t, "LIMIT_EXCEEDED", errorCode(body))
	status, _, body = r.do(t, "POST", "/api/v1/projects/import", `{"x":"`+strings.Repeat("x", 70_000)+`"}`)
	require.Equal(t, 413, status, body)

	// Commands and how long they took: three that worked, one refused.
	for i := range 3 {
		status, body := execute("CreateNode", fmt.Sprintf(`{"parent_id":%q,"blueprint_type_id":"phase","name":"p%d"}`, root, i))
		require.Equal(t, 200, status, body)
	}
	m := r.scrape(t)
	assert.Equal(t, 1.0, m.value(t, "talus_budget_refusals_total", "code=LIMIT_EXCEEDED", "budget=bytes_per_name"))
	assert.Equal(t, 1.0, m.value(t, "talus_budget_refusals_total", "code=PAYLOAD_TOO_LARGE"))
	assert.Equal(t, 1.0, m.value(t, "talus_http_errors_total", "code=LIMIT_EXCEEDED"))
	assert.Equal(t, 3.0, m.value(t, "talus_commands_total", "type=CreateNode", "outcome=ok"))
	assert.Equal(t, 1.0, m.value(t, "talus_commands_total", "type=RenameNode", "outcome=limit_exceeded"))
	assert.Equal(t, 3.0, m.value(t, "talus_command_duration_seconds_count", "type=CreateNode"))
	assert.Equal(t, 3.0, m.value(t, "talus_command_duration_seconds_bucket", "type=CreateNode", "le=+Inf"))
	assert.Positive(t, m.value(t, "talus_command_duration_seconds_sum", "type=CreateNode"))
	assert.LessOrEqual(t, m.value(t, "talus_command_duration_seconds_bucket", "type=CreateNode", "le=0.0002"), 3.0,
		"buckets are cumulative")
	assert.Equal(t, 1.0, m.value(t, "talus_command_duration_seconds_count", "type=RenameNode"), "a refused command took time too")
	assert.Equal(t, 0.0, m.value(t, "talus_events_delivered_total"), "no socket client yet")

	// A polling client joins the session, reads its welcome, then stops
	// reading: the events of the commands that follow fill its 4 KiB queue
	// and it is dropped.
	base := r.url("/socket.io/")
	open := eiotest.Handshake(t, base)
	st, b := eiotest.Post(t, base, open.SID, fmt.Sprintf(`40/graph,{"session_id":%q}`, sid))
	require.Equal(t, 200, st, b)
	joined := false
	for i := 0; i < 20 && !joined; i++ {
		st, b = eiotest.Poll(t, base, open.SID)
		require.Equal(t, 200, st, b)
		joined = strings.Contains(b, `"joined"`)
	}
	require.True(t, joined, "the client joined at connect")
	m = r.scrape(t)
	assert.Equal(t, 1.0, m.value(t, "talus_connections", "transport=polling"))

	value := strings.Repeat("v", 1000)
	dropped := false
	for i := 0; i < 50 && !dropped; i++ {
		status, body := execute("UpdateProperty", fmt.Sprintf(`{"node_id":%q,"property_id":"vin","value":"%s%d"}`, root, value, i))
		require.Equal(t, 200, status, body)
		dropped = r.scrape(t).value(t, "talus_slow_consumer_drops_total") > 0
	}
	require.True(t, dropped, "the stalled client was never dropped")
	m = r.scrape(t)
	assert.Equal(t, 1.0, m.value(t, "talus_slow_consumer_drops_total"))
	assert.Equal(t, 1.0, m.value(t, "talus_budget_refusals_total", "code=SLOW_CONSUMER", "budget=client_queue_bytes"))
	assert.Positive(t, m.value(t, "talus_events_delivered_total"), "events were queued before the queue filled")
	assert.Equal(t, 1.0, m.value(t, "talus_events_dropped_total"), "the event that did not fit, and no more")
	st, b = eiotest.Poll(t, base, open.SID)
	require.Equal(t, 200, st, b)
	assert.Contains(t, b, "SLOW_CONSUMER", "the dropped client is told why")
	r.stop(t)
}

// TestMetricsJournalFailures fills the disk under the data directory: the
// failed journal writes are counted, and commands answered UNAVAILABLE.
func TestMetricsJournalFailures(t *testing.T) {
	disk := smallDisk(t, 16<<20)
	r := startRun(t, "-data-dir", disk)
	created := r.json(t, 201, "POST", "/api/v1/projects", `{"template_id":"restomod","project_name":"Full"}`)
	sid := created["session_id"].(string)
	root := created["graph"].(map[string]any)["roots"].([]any)[0].(map[string]any)["id"].(string)
	require.Equal(t, 0.0, r.scrape(t).value(t, "talus_journal_failures_total"))

	filler := fill(t, disk)
	refused := false
	for i := 0; i < 500 && !refused; i++ { // a page or two of slack may still take a record
		status, _, body := r.do(t, "POST", "/api/v1/commands/execute",
			fmt.Sprintf(`{"session_id":%q,"command_type":"CreateNode","include_graph":false,"data":{"parent_id":%q,"blueprint_type_id":"phase"}}`, sid, root))
		require.Contains(t, []int{200, 503}, status, body)
		refused = status == 503
	}
	require.True(t, refused, "a full disk refuses commands")
	m := r.scrape(t)
	assert.GreaterOrEqual(t, m.value(t, "talus_journal_failures_total"), 1.0)
	assert.GreaterOrEqual(t, m.value(t, "talus_commands_total", "type=CreateNode", "outcome=unavailable"), 1.0)
	assert.GreaterOrEqual(t, m.value(t, "talus_http_errors_total", "code=UNAVAILABLE"), 1.0)

	// Room again: the journal heals, and the server stops cleanly.
	require.NoError(t, os.Remove(filler))
	healthy := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !healthy; time.Sleep(50 * time.Millisecond) {
		status, _, _ := r.do(t, "GET", "/api/v1/health", "")
		healthy = status == 200
	}
	require.True(t, healthy, "healthy again once there is room: %s", r.logs.String())
	r.stop(t)
}

// smallDisk mounts a tmpfs of size bytes for one test: a real file system
// that really fills up.
func smallDisk(tb testing.TB, size int) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "disk")
	require.NoError(tb, os.Mkdir(dir, 0o755))
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		// Mounting needs root (CI runs as root); elsewhere the store's own
		// fault tests cover failing writes.
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

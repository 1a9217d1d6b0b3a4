package test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(tb, ln.Close())
	return port
}

// TestBinaryStartsAndStopsCleanly builds cmd/talus, runs it, waits until it
// answers /health, sends SIGTERM and expects a clean exit.
func TestBinaryStartsAndStopsCleanly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM is not deliverable on windows")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "talus")
	build := exec.Command("go", "build", "-o", bin, "../cmd/talus")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	dataDir := filepath.Join(dir, "data")
	var logs syncBuffer
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "TALUS_ADDR="+addr, "TALUS_DATA_DIR="+dataDir, "TALUS_LOG_LEVEL=info")
	cmd.Stdout = &logs
	cmd.Stderr = &logs
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	// Wait for /health: bounded in tries and time; a slow machine only
	// makes it take longer.
	client := &nethttp.Client{Timeout: 2 * time.Second}
	healthy := false
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; i < 600 && time.Now().Before(deadline) && !healthy; i++ {
		select {
		case err := <-exited:
			t.Fatalf("server exited early (%v): %s", err, logs.String())
		default:
		}
		res, err := client.Get("http://" + addr + "/api/v1/health")
		if err == nil {
			healthy = res.StatusCode == nethttp.StatusOK
			res.Body.Close()
		}
		if !healthy {
			time.Sleep(100 * time.Millisecond)
		}
	}
	require.True(t, healthy, "server never became healthy: %s", logs.String())
	assert.DirExists(t, dataDir, "the data dir is created at start")

	// One real request through the binary.
	res, err := client.Post("http://"+addr+"/api/v1/sessions", "application/json", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, nethttp.StatusCreated, res.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	select {
	case err := <-exited:
		require.NoError(t, err, "clean exit 0 after SIGTERM: %s", logs.String())
	case <-ctx.Done():
		t.Fatalf("server did not stop after SIGTERM: %s", logs.String())
	}
	assert.Equal(t, 0, cmd.ProcessState.ExitCode())
	assert.Contains(t, logs.String(), "msg=listening addr="+addr)
	assert.Contains(t, logs.String(), "msg=stopped")
}

// TestBinaryShutdownTellsClients stops the binary with SIGTERM while npm
// clients on every transport watch a session: it exits 0 without a warning,
// every client hears a server-side disconnect (so it does not reconnect on
// its own), and the session, left by every client before it stopped, comes
// back after a restart with its history.
func TestBinaryShutdownTellsClients(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTalus(t)
	dataDir := t.TempDir()
	p := startTalus(t, bin, dataDir, "TALUS_LOG_LEVEL=debug")
	srv := p.server()
	created := p.must(t, 201, "POST", "/projects", map[string]any{"template_id": "restomod", "project_name": "Shutdown"})
	sid := created["session_id"].(string)

	a := startAgent(t)
	transports := [][]string{{"websocket"}, {"polling"}, {"polling", "websocket"}, {"websocket"}, {"polling"}}
	socks := make([]*sock, len(transports))
	for i, tr := range transports {
		socks[i], _ = a.dial(t, srv, fmt.Sprintf("c%d", i), connectOpts{transports: tr})
		socks[i].join(t, sid)
	}
	seq := int64(p.must(t, 200, "GET", "/sessions/"+sid+"/info", nil)["seq"].(float64))

	p.stop(t)
	for _, s := range socks {
		m := s.waitType(t, "disconnect")
		if !assert.Equal(t, "io server disconnect", m.Reason, "%s is told the server ended it", s.id) {
			t.Logf("agent: %s", a.dump())
			t.Logf("server: %s", p.logs.String())
		}
	}
	logs := p.logs.String()
	assert.NotContains(t, logs, "level=WARN", "a clean stop warns of nothing")
	assert.NotContains(t, logs, "level=ERROR")
	assert.Contains(t, logs, "msg=stopped")

	// Every client left before the session stopped: the journal holds their
	// departures, numbered after their arrivals.
	p = startTalus(t, bin, dataDir)
	evs, last := fetchEvents(t, p, sid)
	assert.Equal(t, seq+int64(len(socks)), last, "one session:disconnected per client")
	left := 0
	for _, ev := range evs {
		if ev.Name == "session:disconnected" {
			left++
		}
	}
	assert.Equal(t, len(socks), left)
	p.stop(t)
}

// TestBinarySecondServerOnSameDataDir: a second server on a data directory
// in use exits 1 at once with a message that says why, not a timeout.
func TestBinarySecondServerOnSameDataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTalus(t)
	dir := t.TempDir()
	first := startTalus(t, bin, dir)
	second := exec.Command(bin, "-addr", "127.0.0.1:"+strconv.Itoa(freePort(t)), "-data-dir", dir)
	out, err := second.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "in use by another server")
	assert.NotContains(t, string(out), "open database: timeout")
	first.stop(t)
}

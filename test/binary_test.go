package test

import (
	"bytes"
	"context"
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

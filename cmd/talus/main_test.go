package main

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
)

// syncBuffer is the server's stderr, read while the server writes it.
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

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, envOf(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:5000", cfg.Addr)
	assert.Equal(t, "./data", cfg.DataDir)
	assert.Equal(t, "", cfg.TemplatesDir)
	assert.Equal(t, 5*time.Second, cfg.RequestTimeout)
	assert.Equal(t, int64(1<<20), cfg.MaxBody)
	assert.Equal(t, 1000, cfg.UndoLimit)
	assert.Equal(t, 10000, cfg.HistoryLimit)
	assert.Equal(t, "", cfg.Token)
	assert.Equal(t, 0.0, cfg.RateLimit)
	assert.Equal(t, "INFO", cfg.LogLevel.String())
	assert.Equal(t, 25*time.Second, cfg.PingInterval)
	assert.Equal(t, 20*time.Second, cfg.PingTimeout)
	assert.Equal(t, 1_000_000, cfg.MaxPayload)
	assert.Equal(t, 1<<20, cfg.ClientQueueBytes)
	assert.Equal(t, ws.NamesCanonical, cfg.EventNames)

	// The safety and budget defaults, as the README's table documents them.
	assert.Equal(t, []string{"http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*", "tauri://localhost",
		"http://tauri.localhost", "https://tauri.localhost"}, cfg.AllowedOrigins)
	assert.Empty(t, cfg.AllowedHosts, "loopback names and the listen address only")
	assert.Equal(t, model.Limits{MaxNodes: 100_000, MaxValueBytes: 65536, MaxNameBytes: 1024, MaxBatch: 1000}, cfg.Limits)
	assert.Equal(t, 100_000, cfg.MaxSessions)
	assert.Equal(t, 33554432, cfg.UndoBytes)
	assert.Equal(t, 33554432, cfg.HistoryBytes)
	assert.Equal(t, 0, cfg.RateBurst, "the rate rounded up")
	assert.Equal(t, 30*time.Second, cfg.ReadTimeout)
	assert.Equal(t, 2*time.Minute, cfg.HTTPIdleTimeout)
	assert.Equal(t, 10*time.Second, cfg.ShutdownTimeout)
	assert.Equal(t, 30*time.Minute, cfg.IdleTimeout)
	assert.Equal(t, 1000, cfg.CheckpointEvery)
	assert.Equal(t, "", cfg.PprofAddr, "no profiles unless asked")
}

func TestParseConfigEnvAndFlags(t *testing.T) {
	env := envOf(map[string]string{
		"TALUS_ADDR": "127.0.0.1:6000", "TALUS_DATA_DIR": "/tmp/d", "TALUS_TEMPLATES_DIR": "/tmp/t",
		"TALUS_REQUEST_TIMEOUT": "2s", "TALUS_MAX_BODY": "2048", "TALUS_UNDO_LIMIT": "5",
		"TALUS_HISTORY_LIMIT": "50", "TALUS_TOKEN": "env-token", "TALUS_RATE_LIMIT": "2.5",
		"TALUS_RATE_BURST": "4", "TALUS_LOG_LEVEL": "debug", "TALUS_PING_INTERVAL": "3s",
		"TALUS_PING_TIMEOUT": "2s", "TALUS_MAX_PAYLOAD": "5000", "TALUS_CLIENT_QUEUE_BYTES": "64",
		"TALUS_IDLE_TIMEOUT": "1m", "TALUS_CHECKPOINT_EVERY": "10",
		"TALUS_ALLOWED_ORIGINS": "https://app.example, http://localhost:*", "TALUS_ALLOWED_HOSTS": "talus.lan",
		"TALUS_READ_TIMEOUT": "7s", "TALUS_HTTP_IDLE_TIMEOUT": "9s", "TALUS_EVENT_NAMES": "both",
	})
	cfg, err := parseConfig(nil, env, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{
		Addr: "127.0.0.1:6000", DataDir: "/tmp/d", TemplatesDir: "/tmp/t", RequestTimeout: 2 * time.Second,
		ShutdownTimeout: 10 * time.Second, MaxBody: 2048, UndoLimit: 5, HistoryLimit: 50, Token: "env-token",
		RateLimit: 2.5, RateBurst: 4, LogLevel: -4, PingInterval: 3 * time.Second,
		PingTimeout: 2 * time.Second, MaxPayload: 5000, ClientQueueBytes: 64, IdleTimeout: time.Minute,
		CheckpointEvery: 10, AllowedOrigins: []string{"https://app.example", "http://localhost:*"},
		AllowedHosts: []string{"talus.lan"}, ReadTimeout: 7 * time.Second, HTTPIdleTimeout: 9 * time.Second,
		UndoBytes: actors.DefaultUndoBytes, HistoryBytes: actors.DefaultHistoryBytes, MaxSessions: actors.DefaultMaxSessions,
		Limits: model.Limits{}.WithDefaults(), EventNames: ws.NamesBoth,
	}, cfg)

	cfg, err = parseConfig([]string{"-addr", "127.0.0.1:7000", "-token", "flag-token", "-log-level", "warn"}, env, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7000", cfg.Addr, "a flag beats the environment")
	assert.Equal(t, "flag-token", cfg.Token)
	assert.Equal(t, "WARN", cfg.LogLevel.String())
	assert.Equal(t, int64(2048), cfg.MaxBody, "the environment still fills the rest")
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"bad env duration", nil, map[string]string{"TALUS_REQUEST_TIMEOUT": "soon"}},
		{"bad env integer", nil, map[string]string{"TALUS_MAX_BODY": "1MB"}},
		{"bad env float", nil, map[string]string{"TALUS_RATE_LIMIT": "fast"}},
		{"bad log level", []string{"-log-level", "loud"}, nil},
		{"zero body limit", []string{"-max-body", "0"}, nil},
		{"negative rate", []string{"-rate-limit", "-1"}, nil},
		{"unknown flag", []string{"-port", "1"}, nil},
		{"stray argument", []string{"serve"}, nil},
		{"origin with a path", []string{"-allowed-origins", "https://app.example/x"}, nil},
		{"origin without scheme", nil, map[string]string{"TALUS_ALLOWED_ORIGINS": "app.example"}},
		{"zero read timeout", []string{"-read-timeout", "0s"}, nil},
		{"unknown event names", []string{"-event-names", "prototype"}, nil},
		{"pprof on the network", []string{"-pprof", "0.0.0.0:6060"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
			require.Error(t, err)
		})
	}
}

func TestRunHelp(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-help"}, envOf(nil), &out))
	for _, want := range []string{"-addr", "TALUS_ADDR", "-data-dir", "journal", "-templates-dir",
		"-request-timeout", "-max-body", "-undo-limit", "-history-limit", "-token", "-rate-limit", "-log-level",
		"-ping-interval", "-ping-timeout", "-max-payload", "-client-queue-bytes", "-idle-timeout", "-checkpoint-every",
		"-allowed-origins", "-allowed-hosts", "-read-timeout", "-http-idle-timeout", "-undo-bytes", "-history-bytes",
		"-max-sessions", "-max-nodes", "-max-value-bytes", "-max-name-bytes", "-max-batch"} {
		assert.Contains(t, out.String(), want)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// TestRunServesAndStops runs the server in-process on a free port with a
// templates dir holding one good and one broken template: the broken one is
// logged with file, path and reason, the good one is served, and cancelling
// the context stops the server cleanly.
func TestRunServesAndStops(t *testing.T) {
	dir := t.TempDir()
	templates := filepath.Join(dir, "templates")
	require.NoError(t, os.MkdirAll(templates, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(templates, "garden.yaml"), []byte(`id: garden
name: Garden
description: Beds and plants.
node_types:
  - id: garden
    label: Garden
    allowed_children: [bed]
    properties: []
  - id: bed
    label: Bed
    allowed_children: []
    properties:
      - {id: soil, label: Soil, type: text}
`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(templates, "broken.yaml"), []byte(`id: broken
name: Broken
node_types:
  - id: root
    label: Root
    allowed_children: []
    properties:
      - {id: x, label: X, type: colour}
`), 0o600))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	args := []string{"-addr", "127.0.0.1:0", "-data-dir", filepath.Join(dir, "data"), "-templates-dir", templates}
	go func() { done <- run(ctx, args, envOf(nil), &logs) }()

	listening := regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)
	var addr string
	for i := 0; i < 500 && addr == ""; i++ {
		if m := listening.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	require.NotEmpty(t, addr, "no listening line in: %s", logs.String())
	assert.Regexp(t, `msg="template not loaded" file=\S*broken.yaml path=\S+ reason=`, logs.String())

	res, err := nethttp.Get("http://" + addr + "/api/v1/templates")
	require.NoError(t, err)
	var body struct {
		Templates []struct{ ID string } `json:"templates"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	res.Body.Close()
	var ids []string
	for _, tmpl := range body.Templates {
		ids = append(ids, tmpl.ID)
	}
	assert.Equal(t, []string{"book", "garden", "restomod", "software_development"}, ids)
	assert.DirExists(t, filepath.Join(dir, "data"))

	// Metrics count what happened: a project and a command, one session in
	// memory, an fsync, a refused body.
	post := func(path, ctype, body string) {
		res, err := nethttp.Post("http://"+addr+"/api/v1"+path, ctype, strings.NewReader(body))
		require.NoError(t, err)
		res.Body.Close()
	}
	res, err = nethttp.Post("http://"+addr+"/api/v1/projects", "application/json", strings.NewReader(`{"template_id":"garden","project_name":"Back yard"}`))
	require.NoError(t, err)
	var created struct {
		SessionID string `json:"session_id"`
		Graph     struct{ Roots []struct{ ID string } }
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&created))
	res.Body.Close()
	post("/commands/execute", "application/json", fmt.Sprintf(`{"session_id":%q,"command_type":"CreateNode","data":{"parent_id":%q,"blueprint_type_id":"bed"}}`, created.SessionID, created.Graph.Roots[0].ID))
	post("/sessions", "text/plain", "{}")
	res, err = nethttp.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	scrape, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	for _, want := range []string{
		`talus_commands_total{outcome="ok",type="CreateNode"} 1`,
		`talus_sessions{state="live"} 1`,
		`talus_sessions{state="passive"} 0`,
		`talus_http_errors_total{code="UNSUPPORTED_MEDIA_TYPE"} 1`,
		`talus_journal_fsync_duration_seconds_count`,
		`talus_connections{transport="websocket"} 0`,
	} {
		assert.Contains(t, string(scrape), want)
	}

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(60 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	assert.Contains(t, logs.String(), "msg=stopped")
}

package main

import (
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// running is one in-process run of the server (run, as main calls it) on a
// free port of 127.0.0.1, started with the binary's own flags.
type running struct {
	addr    string
	logs    *syncBuffer
	done    chan error
	cancel  context.CancelFunc
	client  *nethttp.Client
	stopped bool
}

// runWait bounds every wait on a run: start-up and shutdown. A slow
// machine only makes a wait longer; a hang fails.
const runWait = 60 * time.Second

var listeningLine = regexp.MustCompile(`msg=listening addr=(127\.0\.0\.1:\d+)`)

// startRun runs the server with args (on 127.0.0.1:0, and a fresh data dir
// unless args name one) and waits until it listens. It is stopped at the
// end of the test if the test did not stop it.
func startRun(tb testing.TB, args ...string) *running {
	tb.Helper()
	full := append([]string{"-addr", "127.0.0.1:0"}, args...)
	if !slices.Contains(args, "-data-dir") {
		full = append(full, "-data-dir", filepath.Join(tb.TempDir(), "data"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{
		logs:   &syncBuffer{},
		done:   make(chan error, 1),
		cancel: cancel,
		// One connection per request: a test that shortens the server's
		// idle timeout must not race a reused connection the server is
		// closing.
		client: &nethttp.Client{Timeout: 20 * time.Second, Transport: &nethttp.Transport{DisableKeepAlives: true}},
	}
	go func() { r.done <- run(ctx, full, envOf(nil), r.logs) }()
	tb.Cleanup(func() {
		if !r.stopped {
			cancel()
			select {
			case <-r.done:
			case <-time.After(runWait):
				tb.Errorf("run did not return after cancel: %s", r.logs.String())
			}
		}
	})
	deadline := time.Now().Add(runWait)
	for time.Now().Before(deadline) {
		if m := listeningLine.FindStringSubmatch(r.logs.String()); m != nil {
			r.addr = m[1]
			return r
		}
		select {
		case err := <-r.done:
			r.stopped = true
			tb.Fatalf("run returned early: %v\n%s", err, r.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	tb.Fatalf("no listening line in: %s", r.logs.String())
	return nil
}

// stop cancels the run as a signal would and requires a clean stop.
func (r *running) stop(tb testing.TB) {
	tb.Helper()
	r.cancel()
	r.stopped = true
	select {
	case err := <-r.done:
		require.NoError(tb, err, "%s", r.logs.String())
	case <-time.After(runWait):
		tb.Fatalf("run did not return after cancel: %s", r.logs.String())
	}
	require.Contains(tb, r.logs.String(), "msg=stopped")
}

// url is path on the running server.
func (r *running) url(path string) string { return "http://" + r.addr + path }

// do sends one request with body (none when empty; sent as JSON unless a
// Content-Type header says otherwise) and headers ("Name: value"; Host
// sets the request's host). It returns the status, header and body.
func (r *running) do(tb testing.TB, method, path, body string, headers ...string) (int, nethttp.Header, string) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := nethttp.NewRequest(method, r.url(path), rd)
	require.NoError(tb, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		require.True(tb, ok, "header %q", h)
		if value = strings.TrimSpace(value); strings.EqualFold(name, "Host") {
			req.Host = value
		} else {
			req.Header.Set(name, value)
		}
	}
	res, err := r.client.Do(req)
	require.NoError(tb, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(tb, err)
	return res.StatusCode, res.Header, string(b)
}

// json sends a request that must answer want and returns its JSON body.
func (r *running) json(tb testing.TB, want int, method, path, body string, headers ...string) map[string]any {
	tb.Helper()
	status, _, b := r.do(tb, method, path, body, headers...)
	require.Equal(tb, want, status, "%s %s: %s", method, path, b)
	var out map[string]any
	require.NoError(tb, json.Unmarshal([]byte(b), &out), "%s %s: %s", method, path, b)
	return out
}

// errorCode is the code of an API error body, or "" when it is not one.
func errorCode(body string) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &e)
	return e.Error.Code
}

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// scrape reads GET /metrics.
func (r *running) scrape(tb testing.TB) scraped {
	tb.Helper()
	status, _, body := r.do(tb, "GET", "/metrics", "")
	require.Equal(tb, 200, status, body)
	var out scraped
	for _, line := range strings.Split(body, "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		require.NoError(tb, err, line)
		s := sample{name: m[1], labels: map[string]string{}, value: v}
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[p[1]] = p[2]
		}
		out = append(out, s)
	}
	require.NotEmpty(tb, out, "metrics: %s", body)
	return out
}

// scraped is one scrape of /metrics.
type scraped []sample

// sum adds up the samples of name whose labels include kv ("key=value"
// each); found says whether there was any.
func (s scraped) sum(name string, kv ...string) (total float64, found bool) {
	for _, smp := range s {
		if smp.name != name {
			continue
		}
		match := true
		for _, pair := range kv {
			k, v, _ := strings.Cut(pair, "=")
			if smp.labels[k] != v {
				match = false
				break
			}
		}
		if match {
			total += smp.value
			found = true
		}
	}
	return total, found
}

// value is sum for a series that must be there.
func (s scraped) value(tb testing.TB, name string, kv ...string) float64 {
	tb.Helper()
	v, ok := s.sum(name, kv...)
	require.True(tb, ok, "no %s%v in the scrape", name, kv)
	return v
}

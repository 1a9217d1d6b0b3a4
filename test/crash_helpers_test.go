package test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
)

// procWait bounds every wait on the server process: start-up, exit after
// SIGKILL or SIGTERM. A slow machine only makes a wait longer; a hang fails.
const procWait = 60 * time.Second

// buildTalus builds cmd/talus into a temporary directory of tb.
func buildTalus(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "talus")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/talus").CombinedOutput()
	require.NoError(tb, err, "go build: %s", out)
	return bin
}

// talusProc is one run of the server binary on a data directory.
type talusProc struct {
	cmd    *exec.Cmd
	exited chan error
	logs   *syncBuffer
	base   string // http://127.0.0.1:port/api/v1
	client *nethttp.Client
}

// startTalus runs bin on dataDir with env added to the environment, on a
// free port, and waits until it answers /health. The process is killed at
// the end of the test if it still runs.
func startTalus(tb testing.TB, bin, dataDir string, env ...string) *talusProc {
	tb.Helper()
	return startTalusAt(tb, bin, dataDir, "127.0.0.1:"+strconv.Itoa(freePort(tb)), env...)
}

// startTalusAt is startTalus on a given address: a restart on the same
// address is what a client that reconnects by itself sees.
func startTalusAt(tb testing.TB, bin, dataDir, addr string, env ...string) *talusProc {
	tb.Helper()
	p := &talusProc{
		exited: make(chan error, 1),
		logs:   &syncBuffer{},
		base:   "http://" + addr + "/api/v1",
		client: &nethttp.Client{
			Timeout:   20 * time.Second,
			Transport: &nethttp.Transport{MaxIdleConnsPerHost: 32},
		},
	}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append(os.Environ(), "TALUS_ADDR="+addr, "TALUS_DATA_DIR="+dataDir, "TALUS_LOG_LEVEL=info")
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	require.NoError(tb, p.cmd.Start())
	go func() { p.exited <- p.cmd.Wait() }()
	tb.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})

	deadline := time.Now().Add(procWait)
	for i := 0; i < 6000 && time.Now().Before(deadline); i++ {
		select {
		case err := <-p.exited:
			tb.Fatalf("server exited at start (%v): %s", err, p.logs.String())
		default:
		}
		res, err := p.client.Get(p.base + "/health")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == nethttp.StatusOK {
				return p
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("server never became healthy: %s", p.logs.String())
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *talusProc) kill(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, p.cmd.Process.Kill())
	select {
	case <-p.exited:
	case <-time.After(procWait):
		tb.Fatal("server did not die after SIGKILL")
	}
	p.client.CloseIdleConnections()
}

// stop sends SIGTERM and requires a clean exit.
func (p *talusProc) stop(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.exited:
		require.NoError(tb, err, "clean exit after SIGTERM: %s", p.logs.String())
	case <-time.After(procWait):
		tb.Fatalf("server did not stop after SIGTERM: %s", p.logs.String())
	}
	require.Equal(tb, 0, p.cmd.ProcessState.ExitCode())
	p.client.CloseIdleConnections()
}

// send makes one request. body may be nil or any JSON value. The error is
// only a transport error; any HTTP status is returned as it came.
func (p *talusProc) send(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := nethttp.NewRequestWithContext(ctx, method, p.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, b, nil
}

// must makes a request that has to answer want, and returns its JSON body.
func (p *talusProc) must(tb testing.TB, want int, method, path string, body any) map[string]any {
	tb.Helper()
	status, b, err := p.send(context.Background(), method, path, body)
	require.NoError(tb, err, "%s %s", method, path)
	require.Equal(tb, want, status, "%s %s: %s", method, path, b)
	var out map[string]any
	require.NoError(tb, json.Unmarshal(b, &out), "%s %s: %s", method, path, b)
	return out
}

// wireTree is a tree node in a canonical form for comparing trees that took
// different roads (JSON from GET tree, model.ApplyEvent's output): no nil
// maps or slices, numbers as float64.
type wireTree struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"blueprint_type_id"`
	Properties map[string]any `json:"properties"`
	Children   []wireTree     `json:"children"`
}

// canonTree turns any tree shape that marshals like []model.TreeNode into
// []wireTree.
func canonTree(tb testing.TB, v any) []wireTree {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	var out []wireTree
	require.NoError(tb, json.Unmarshal(b, &out))
	var fix func(ns []wireTree) []wireTree
	fix = func(ns []wireTree) []wireTree {
		if ns == nil {
			ns = []wireTree{}
		}
		for i := range ns {
			if ns[i].Properties == nil {
				ns[i].Properties = map[string]any{}
			}
			ns[i].Children = fix(ns[i].Children)
		}
		return ns
	}
	return fix(out)
}

// wireEvent is one event of GET .../events: its fields decoded, and its
// JSON as served.
type wireEvent struct {
	Seq       int64
	Name      string
	CommandID string
	Fields    map[string]any
	Raw       json.RawMessage
}

// fetchEvents returns a session's whole history and its seq, following the
// pages of GET .../events, and checks that the seqs run from 1 without a gap.
func fetchEvents(tb testing.TB, p *talusProc, sid string) ([]wireEvent, int64) {
	tb.Helper()
	var (
		out   []wireEvent
		seq   int64
		after int64
	)
	for {
		status, b, err := p.send(context.Background(), "GET", fmt.Sprintf("/sessions/%s/events?after_seq=%d", sid, after), nil)
		require.NoError(tb, err)
		require.Equal(tb, nethttp.StatusOK, status, "events of %s: %s", sid, b)
		var body struct {
			Events       []json.RawMessage `json:"events"`
			Seq          int64             `json:"seq"`
			NextAfterSeq *int64            `json:"next_after_seq"`
		}
		require.NoError(tb, json.Unmarshal(b, &body))
		for _, raw := range body.Events {
			var f map[string]any
			require.NoError(tb, json.Unmarshal(raw, &f))
			ev := wireEvent{Fields: f, Raw: raw}
			ev.Name, _ = f["event"].(string)
			ev.CommandID, _ = f["command_id"].(string)
			n, ok := f["seq"].(float64)
			require.True(tb, ok, "event without seq: %s", raw)
			ev.Seq = int64(n)
			require.Equal(tb, int64(len(out)+1), ev.Seq, "session %s: history has a gap or is out of order at %d", sid, len(out))
			out = append(out, ev)
		}
		seq = body.Seq
		if body.NextAfterSeq == nil {
			break
		}
		require.Equal(tb, int64(len(out)), *body.NextAfterSeq, "session %s: next_after_seq is the page's last seq", sid)
		after = *body.NextAfterSeq
	}
	require.Equal(tb, int64(len(out)), seq, "session %s: seq is the last event's", sid)
	return out, seq
}

// replayEvents applies a whole history the way a client would: the graph of
// project:loaded, then every graph event with model.ApplyEvent.
func replayEvents(tb testing.TB, evs []wireEvent) []model.TreeNode {
	tb.Helper()
	var roots []model.TreeNode
	for _, ev := range evs {
		if ev.Name == model.EventProjectLoaded {
			var g struct {
				Graph struct {
					Roots []model.TreeNode `json:"roots"`
				} `json:"graph"`
			}
			require.NoError(tb, json.Unmarshal(ev.Raw, &g))
			roots = g.Graph.Roots
			continue
		}
		next, err := model.ApplyEvent(roots, model.Event{Name: ev.Name, Data: ev.Fields})
		require.NoError(tb, err, "replay seq %d: %s", ev.Seq, ev.Raw)
		roots = next
	}
	return roots
}

// commandGroup is the run of events one command id caused.
type commandGroup struct {
	First, Last int64
	Events      []wireEvent
}

// outcome classifies a group: "executed", "failed", "undo", "redo". A
// group of any other shape is an error: a command that half happened.
func (g commandGroup) outcome() (string, error) {
	n := len(g.Events)
	if g.Last-g.First+1 != int64(n) {
		return "", fmt.Errorf("events at seq %d..%d are not contiguous (%d events)", g.First, g.Last, n)
	}
	names := make([]string, n)
	for i, ev := range g.Events {
		names[i] = ev.Name
	}
	graphOnly := func(ns []string) bool {
		for _, name := range ns {
			if len(name) < 6 || name[:6] != "graph:" {
				return false
			}
		}
		return true
	}
	switch {
	case n == 2 && names[0] == model.EventCommandExecuting && names[1] == model.EventCommandFailed:
		return "failed", nil
	case n >= 2 && names[0] == model.EventCommandExecuting && names[n-1] == model.EventCommandExecuted && graphOnly(names[1:n-1]):
		return "executed", nil
	case n >= 1 && names[n-1] == model.EventCommandUndo && graphOnly(names[:n-1]):
		return "undo", nil
	case n >= 1 && names[n-1] == model.EventCommandRedo && graphOnly(names[:n-1]):
		return "redo", nil
	}
	return "", fmt.Errorf("events %v are not one whole command", names)
}

// groupByCommand groups a history by command id; events without one
// (project:loaded) are left out.
func groupByCommand(evs []wireEvent) map[string]*commandGroup {
	out := map[string]*commandGroup{}
	for _, ev := range evs {
		if ev.CommandID == "" {
			continue
		}
		g := out[ev.CommandID]
		if g == nil {
			g = &commandGroup{First: ev.Seq}
			out[ev.CommandID] = g
		}
		g.Last = ev.Seq
		g.Events = append(g.Events, ev)
	}
	return out
}

// treeNodes lists a tree's nodes, parents first, with each node's parent id
// ("" for a root).
func treeNodes(roots []wireTree) (ids []string, parent map[string]string, byID map[string]wireTree) {
	parent, byID = map[string]string{}, map[string]wireTree{}
	var walk func(ns []wireTree, p string)
	walk = func(ns []wireTree, p string) {
		for _, n := range ns {
			ids = append(ids, n.ID)
			parent[n.ID] = p
			byID[n.ID] = n
			walk(n.Children, n.ID)
		}
	}
	walk(roots, "")
	return ids, parent, byID
}

// newestSegment returns the newest non-empty journal segment in dataDir.
func newestSegment(tb testing.TB, dataDir string) string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dataDir, "journal", "*.wal"))
	require.NoError(tb, err)
	slices.Sort(paths) // fixed-width names sort by number
	for i := len(paths) - 1; i >= 0; i-- {
		if fi, err := os.Stat(paths[i]); err == nil && fi.Size() > 0 {
			return paths[i]
		}
	}
	tb.Fatalf("no non-empty journal segment in %s (found %v)", dataDir, paths)
	return ""
}

// tearTail cuts cut bytes off the end of the file, then appends garbage, as
// a crash in the middle of a write and a disk that kept junk would leave it.
func tearTail(tb testing.TB, path string, cut int64, garbage []byte) {
	tb.Helper()
	fi, err := os.Stat(path)
	require.NoError(tb, err)
	require.Greater(tb, fi.Size(), cut)
	require.NoError(tb, os.Truncate(path, fi.Size()-cut))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(tb, err)
	_, err = f.Write(garbage)
	require.NoError(tb, errors.Join(err, f.Close()))
}

// server is p as the in-process tests' helpers (the npm agent) address a
// server.
func (p *talusProc) server() *server {
	return &server{base: p.base, origin: strings.TrimSuffix(p.base, "/api/v1"), client: p.client}
}

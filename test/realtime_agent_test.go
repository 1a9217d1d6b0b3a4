package test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// agentWait bounds every wait on the node agent. It is a hang guard, not a
// speed requirement: a healthy run answers in milliseconds.
const agentWait = 20 * time.Second

// agentMsg is one line the agent wrote: something one of its sockets saw.
type agentMsg struct {
	Type      string            `json:"type"`
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Args      []json.RawMessage `json:"args"`
	Ref       int               `json:"ref"`
	Transport string            `json:"transport"`
	Reason    string            `json:"reason"`
	Message   string            `json:"message"`
	Data      json.RawMessage   `json:"data"`
	Status    int               `json:"status"`
	raw       string
}

// arg decodes the message's i-th argument as a JSON object, keeping numbers exact.
func (m agentMsg) arg(tb testing.TB, i int) map[string]any {
	tb.Helper()
	require.Greater(tb, len(m.Args), i, "argument %d of %s", i, m.raw)
	return decodeObject(tb, m.Args[i])
}

// decodeObject decodes a JSON object with json.Number numbers.
func decodeObject(tb testing.TB, b []byte) map[string]any {
	tb.Helper()
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(tb, dec.Decode(&v), "object: %s", b)
	return v
}

// agent is a node process running test/js/agent.js: real socket.io-client
// sockets a test drives by id.
type agent struct {
	tb     testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer

	mu      sync.Mutex
	msgs    []agentMsg
	changed chan struct{} // closed and replaced on every new line
	exited  bool
	ref     int
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsDir is test/js, found from this file so the test runs from any directory.
func jsDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(tb, ok)
	return filepath.Join(filepath.Dir(file), "js")
}

// requireNode fails the test when node or the npm client is missing: these
// tests are the proof that the real client works, and a skipped proof
// proves nothing. make test installs the client (npm ci).
func requireNode(tb testing.TB) string {
	tb.Helper()
	dir := jsDir(tb)
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatalf("the real socket.io-client tests need node on PATH: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io-client")); err != nil {
		tb.Fatalf("socket.io-client is not installed: run make test, or npm ci --prefix test/js (%v)", err)
	}
	return dir
}

// startAgent starts the node agent and stops it when the test ends.
func startAgent(tb testing.TB) *agent {
	tb.Helper()
	dir := requireNode(tb)
	cmd := exec.Command("node", filepath.Join(dir, "agent.js"))
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	require.NoError(tb, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(tb, err)
	a := &agent{tb: tb, cmd: cmd, stdin: stdin, stderr: &lockedBuffer{}, changed: make(chan struct{})}
	cmd.Stderr = a.stderr
	require.NoError(tb, cmd.Start())

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		a.read(stdout)
	}()
	tb.Cleanup(func() {
		_, _ = io.WriteString(stdin, `{"op":"close"}`+"\n")
		_ = stdin.Close()
		exited := make(chan error, 1)
		go func() { <-readDone; exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	a.waitFor(tb, "agent ready", func(m agentMsg) bool { return m.Type == "ready" })
	return a
}

func (a *agent) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		var m agentMsg
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			m = agentMsg{Type: "garbage", Message: err.Error()}
		}
		m.raw = line
		a.mu.Lock()
		a.msgs = append(a.msgs, m)
		close(a.changed)
		a.changed = make(chan struct{})
		a.mu.Unlock()
	}
	a.mu.Lock()
	a.exited = true
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
}

// send writes one command line.
func (a *agent) send(tb testing.TB, cmd map[string]any) {
	tb.Helper()
	b, err := json.Marshal(cmd)
	require.NoError(tb, err)
	_, err = a.stdin.Write(append(b, '\n'))
	require.NoError(tb, err, "agent stdin; stderr: %s", a.stderr.String())
}

// snapshot returns the messages so far.
func (a *agent) snapshot() []agentMsg {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]agentMsg(nil), a.msgs...)
}

// waitFor returns the first message (of all seen) that match accepts,
// waiting up to agentWait; it fails the test with what was received.
func (a *agent) waitFor(tb testing.TB, what string, match func(agentMsg) bool) agentMsg {
	tb.Helper()
	ms := a.waitN(tb, what, 1, match)
	return ms[0]
}

// waitN waits until n messages match and returns the first n of them.
func (a *agent) waitN(tb testing.TB, what string, n int, match func(agentMsg) bool) []agentMsg {
	tb.Helper()
	deadline := time.NewTimer(agentWait)
	defer deadline.Stop()
	for {
		a.mu.Lock()
		var found []agentMsg
		for _, m := range a.msgs {
			if match(m) {
				found = append(found, m)
				if len(found) == n {
					break
				}
			}
		}
		changed, exited := a.changed, a.exited
		a.mu.Unlock()
		if len(found) == n {
			return found
		}
		if exited {
			tb.Fatalf("agent exited waiting for %s (%d of %d)\n%s", what, len(found), n, a.dump())
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("timed out after %v waiting for %s (%d of %d)\n%s", agentWait, what, len(found), n, a.dump())
		}
	}
}

// dump is the tail of what the agent saw, for failure messages.
func (a *agent) dump() string {
	msgs := a.snapshot()
	const keep = 60
	var b strings.Builder
	if len(msgs) > keep {
		fmt.Fprintf(&b, "... %d earlier lines\n", len(msgs)-keep)
		msgs = msgs[len(msgs)-keep:]
	}
	for _, m := range msgs {
		line := m.raw
		if len(line) > 400 {
			line = line[:400] + "..."
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if s := a.stderr.String(); s != "" {
		fmt.Fprintf(&b, "stderr:\n%s", s)
	}
	return b.String()
}

// sock is one npm socket inside the agent.
type sock struct {
	a  *agent
	id string
}

// connectOpts are the io() options a test sets; zero values are left out.
type connectOpts struct {
	namespace  string // default /graph
	transports []string
	auth       map[string]any
	query      map[string]string
	headers    map[string]string // extraHeaders (Node only)
}

// connect opens a socket named id and returns it without waiting.
func (a *agent) connect(tb testing.TB, s *server, id string, o connectOpts) *sock {
	tb.Helper()
	if o.namespace == "" {
		o.namespace = "/graph"
	}
	cmd := map[string]any{"op": "connect", "id": id, "url": s.origin, "path": "/socket.io/", "namespace": o.namespace}
	if o.transports != nil {
		cmd["transports"] = o.transports
	}
	if o.auth != nil {
		cmd["auth"] = o.auth
	}
	if o.query != nil {
		cmd["query"] = o.query
	}
	if o.headers != nil {
		cmd["headers"] = o.headers
	}
	a.send(tb, cmd)
	return &sock{a: a, id: id}
}

// dial connects and waits for the socket's connect; it returns the
// transport it connected with.
func (a *agent) dial(tb testing.TB, s *server, id string, o connectOpts) (*sock, string) {
	tb.Helper()
	c := a.connect(tb, s, id, o)
	m := c.waitType(tb, "connect")
	return c, m.Transport
}

// waitType waits for the socket's first message of type typ.
func (c *sock) waitType(tb testing.TB, typ string) agentMsg {
	tb.Helper()
	return c.a.waitFor(tb, c.id+" "+typ, func(m agentMsg) bool { return m.ID == c.id && m.Type == typ })
}

// emit sends an event without an ack.
func (c *sock) emit(tb testing.TB, event string, args ...any) {
	tb.Helper()
	if args == nil {
		args = []any{}
	}
	c.a.send(tb, map[string]any{"op": "emit", "id": c.id, "event": event, "args": args})
}

// call sends an event asking for an ack and returns the ack's first
// argument.
func (c *sock) call(tb testing.TB, event string, args ...any) map[string]any {
	tb.Helper()
	if args == nil {
		args = []any{}
	}
	c.a.mu.Lock()
	c.a.ref++
	ref := c.a.ref
	c.a.mu.Unlock()
	c.a.send(tb, map[string]any{"op": "emit", "id": c.id, "event": event, "args": args, "ack": true, "ref": ref})
	m := c.a.waitFor(tb, fmt.Sprintf("%s ack %d of %s", c.id, ref, event), func(m agentMsg) bool {
		return m.ID == c.id && m.Type == "ack" && m.Ref == ref
	})
	return m.arg(tb, 0)
}

// join joins sid with join_session and returns the ack.
func (c *sock) join(tb testing.TB, sid string) map[string]any {
	tb.Helper()
	res := c.call(tb, "join_session", map[string]any{"session_id": sid})
	require.Equal(tb, sid, res["session_id"], "join ack: %v", res)
	return res
}

// disconnect closes the socket.
func (c *sock) disconnect(tb testing.TB) {
	tb.Helper()
	c.a.send(tb, map[string]any{"op": "disconnect", "id": c.id})
}

// waitEvent waits for the socket's first event named name that match
// accepts (nil accepts any).
func (c *sock) waitEvent(tb testing.TB, name string, match func(map[string]any) bool) agentMsg {
	tb.Helper()
	return c.a.waitFor(tb, c.id+" event "+name, func(m agentMsg) bool {
		if m.ID != c.id || m.Type != "event" || m.Name != name {
			return false
		}
		return match == nil || (len(m.Args) > 0 && match(decodeObjectLoose(m.Args[0])))
	})
}

// decodeObjectLoose is decodeObject for matchers, which cannot fail a test.
func decodeObjectLoose(b []byte) map[string]any {
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil
	}
	return v
}

// events returns the events the socket has received so far.
func (c *sock) events() []agentMsg {
	var out []agentMsg
	for _, m := range c.a.snapshot() {
		if m.ID == c.id && m.Type == "event" {
			out = append(out, m)
		}
	}
	return out
}

// seqEvents returns the socket's session events (those with a seq) so far.
func (c *sock) seqEvents(tb testing.TB) []seqEvent {
	tb.Helper()
	var out []seqEvent
	for _, m := range c.events() {
		if len(m.Args) == 0 {
			continue
		}
		p := decodeObjectLoose(m.Args[0])
		n, ok := p["seq"].(json.Number)
		if !ok || p["event"] == nil {
			continue
		}
		seq, err := n.Int64()
		require.NoError(tb, err)
		out = append(out, seqEvent{name: m.Name, seq: seq, payload: p, raw: m.Args[0]})
	}
	return out
}

// seqEvent is a session event a socket received.
type seqEvent struct {
	name    string
	seq     int64
	payload map[string]any
	raw     json.RawMessage
}

// waitSeq waits until the socket has received a session event with seq at
// least seq, and returns all its session events.
func (c *sock) waitSeq(tb testing.TB, seq int64) []seqEvent {
	tb.Helper()
	c.a.waitFor(tb, fmt.Sprintf("%s event with seq >= %d", c.id, seq), func(m agentMsg) bool {
		if m.ID != c.id || m.Type != "event" || len(m.Args) == 0 {
			return false
		}
		p := decodeObjectLoose(m.Args[0])
		n, ok := p["seq"].(json.Number)
		if !ok || p["event"] == nil { // joined and session:resync carry a seq too
			return false
		}
		got, err := n.Int64()
		return err == nil && got >= seq
	})
	return c.seqEvents(tb)
}

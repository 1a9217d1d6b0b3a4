package test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// browserWait bounds every wait on the browser process. It is a hang guard:
// each command also has its own 30 s limit inside the page, and a healthy
// run answers in milliseconds. No test depends on how fast that is.
const browserWait = 90 * time.Second

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// el names an element as test/js/browser.js finds it: by role and
// accessible name, by label, by text or by CSS.
type el map[string]any

func role(r, name string) el         { return el{"role": r, "name": name} }
func label(text string) el           { return el{"label": text} }
func css(sel string) el              { return el{"css": sel} }
func (e el) in(outer el) el          { e["within"] = outer; return e }
func (e el) nth(i int) el            { e["nth"] = i; return e }
func (e el) with(k string, v any) el { e[k] = v; return e }

// browser is one node process running test/js/browser.js: a headless
// Chromium with a fresh profile, whose pages a test drives by name.
type browser struct {
	tb     testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer

	mu      sync.Mutex
	lines   []browserMsg
	changed chan struct{}
	exited  bool
	ref     int

	shots *artifacts
}

// browserMsg is one line browser.js wrote.
type browserMsg struct {
	Type    string          `json:"type"`
	Ref     int             `json:"ref"`
	Value   json.RawMessage `json:"value"`
	Message string          `json:"message"`
	Page    string          `json:"page"`
	Level   string          `json:"level"`
	Text    string          `json:"text"`
	URL     string          `json:"url"`
	Status  int             `json:"status"`
	Method  string          `json:"method"`
	Failure string          `json:"failure"`
	raw     string
}

// requireBrowser fails, never skips, when Chromium or playwright-core is
// missing: a skipped browser test proves nothing. .ci/run installs
// Chromium; make test installs playwright-core (npm ci --prefix test/js).
func requireBrowser(tb testing.TB) string {
	tb.Helper()
	dir := requireNode(tb)
	if _, err := os.Stat(chromiumPath); err != nil {
		tb.Fatalf("the browser tests need Debian's Chromium at %s: apt-get install chromium (%v)", chromiumPath, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		tb.Fatalf("playwright-core is not installed: run make test, or npm ci --prefix test/js (%v)", err)
	}
	return dir
}

// startBrowser starts Chromium under browser.js with extra command-line
// flags, and closes it when the test ends.
func startBrowser(tb testing.TB, extraArgs ...string) *browser {
	tb.Helper()
	dir := requireBrowser(tb)
	cfg, err := json.Marshal(map[string]any{"args": extraArgs})
	require.NoError(tb, err)
	cmd := exec.Command("node", filepath.Join(dir, "browser.js"), string(cfg))
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	require.NoError(tb, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(tb, err)
	b := &browser{tb: tb, cmd: cmd, stdin: stdin, stderr: &lockedBuffer{}, changed: make(chan struct{}), shots: newArtifacts(tb)}
	cmd.Stderr = b.stderr
	require.NoError(tb, cmd.Start())
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b.read(stdout)
	}()
	tb.Cleanup(func() {
		_, _ = io.WriteString(stdin, `{"op":"close"}`+"\n")
		_ = stdin.Close()
		exited := make(chan error, 1)
		go func() { <-readDone; exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		b.shots.report(tb)
	})
	b.waitLine(tb, "browser ready", func(m browserMsg) bool { return m.Type == "ready" || m.Type == "fatal" })
	if m := b.find(func(m browserMsg) bool { return m.Type == "fatal" }); m != nil {
		tb.Fatalf("the browser did not start: %s\n%s", m.Message, b.stderr.String())
	}
	return b
}

func (b *browser) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for sc.Scan() {
		var m browserMsg
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			m = browserMsg{Type: "garbage", Message: err.Error()}
		}
		m.raw = sc.Text()
		b.mu.Lock()
		b.lines = append(b.lines, m)
		close(b.changed)
		b.changed = make(chan struct{})
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.exited = true
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

func (b *browser) find(match func(browserMsg) bool) *browserMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.lines {
		if match(b.lines[i]) {
			m := b.lines[i]
			return &m
		}
	}
	return nil
}

// waitLine waits for the first line match accepts.
func (b *browser) waitLine(tb testing.TB, what string, match func(browserMsg) bool) browserMsg {
	tb.Helper()
	deadline := time.NewTimer(browserWait)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		changed, exited := b.changed, b.exited
		b.mu.Unlock()
		if m := b.find(match); m != nil {
			return *m
		}
		if exited {
			tb.Fatalf("the browser exited waiting for %s\n%s", what, b.dump())
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("timed out after %v waiting for %s\n%s", browserWait, what, b.dump())
		}
	}
}

// do runs one command and returns its value; a failed command fails the test.
func (b *browser) do(tb testing.TB, cmd map[string]any) json.RawMessage {
	tb.Helper()
	m, err := b.try(tb, cmd)
	if err != nil {
		tb.Fatalf("%v\n%s", err, b.dump())
	}
	return m
}

// try runs one command and returns its error instead of failing.
func (b *browser) try(tb testing.TB, cmd map[string]any) (json.RawMessage, error) {
	tb.Helper()
	b.mu.Lock()
	b.ref++
	ref := b.ref
	b.mu.Unlock()
	cmd["ref"] = ref
	line, err := json.Marshal(cmd)
	require.NoError(tb, err)
	_, err = b.stdin.Write(append(line, '\n'))
	require.NoError(tb, err, "browser stdin; stderr: %s", b.stderr.String())
	m := b.waitLine(tb, fmt.Sprintf("%s (ref %d)", cmd["op"], ref), func(m browserMsg) bool {
		return (m.Type == "done" || m.Type == "error") && m.Ref == ref
	})
	if m.Type == "error" {
		return nil, fmt.Errorf("browser %s %s: %s", cmd["op"], compact(cmd), m.Message)
	}
	return m.Value, nil
}

func compact(cmd map[string]any) string {
	c := map[string]any{}
	for k, v := range cmd {
		if k != "op" && k != "ref" {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// pageLines lists the page events (console, errors, responses) of a page.
func (b *browser) pageLines(page string, types ...string) []browserMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []browserMsg
	for _, m := range b.lines {
		if m.Page == page && (len(types) == 0 || contains(types, m.Type)) {
			out = append(out, m)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dump is what the browser said that helps explain a failure: console
// messages, page errors, failed requests, the last lines.
func (b *browser) dump() string {
	b.mu.Lock()
	lines := append([]browserMsg(nil), b.lines...)
	b.mu.Unlock()
	var s strings.Builder
	const keep = 80
	start := max(len(lines)-keep, 0)
	for i, m := range lines {
		if i < start && m.Type != "pageerror" && !(m.Type == "console" && m.Level == "error") {
			continue
		}
		if m.Type == "done" || (m.Type == "response" && m.Status < 400) {
			continue // the error line says what failed; successes are noise
		}
		line := m.raw
		if len(line) > 500 {
			line = line[:500] + "..."
		}
		s.WriteString(line + "\n")
	}
	if e := b.stderr.String(); e != "" {
		fmt.Fprintf(&s, "stderr:\n%s", e)
	}
	return s.String()
}

// pg is one tab of the browser.
type pg struct {
	b    *browser
	name string
}

// open opens a new tab on url.
func (b *browser) open(tb testing.TB, name, url string) *pg {
	tb.Helper()
	b.do(tb, map[string]any{"op": "open", "page": name, "url": url})
	return &pg{b: b, name: name}
}

func (p *pg) run(tb testing.TB, op string, e el, extra ...any) json.RawMessage {
	tb.Helper()
	cmd := map[string]any{"op": op, "page": p.name}
	if e != nil {
		cmd["el"] = e
	}
	for i := 0; i+1 < len(extra); i += 2 {
		cmd[extra[i].(string)] = extra[i+1]
	}
	return p.b.do(tb, cmd)
}

func (p *pg) click(tb testing.TB, e el)             { tb.Helper(); p.run(tb, "click", e) }
func (p *pg) focus(tb testing.TB, e el)             { tb.Helper(); p.run(tb, "focus", e) }
func (p *pg) fill(tb testing.TB, e el, v string)    { tb.Helper(); p.run(tb, "fill", e, "value", v) }
func (p *pg) press(tb testing.TB, e el, key string) { tb.Helper(); p.run(tb, "press", e, "key", key) }

// key presses a key where the keyboard focus is.
func (p *pg) key(tb testing.TB, key string) { tb.Helper(); p.run(tb, "press", nil, "key", key) }

func (p *pg) drag(tb testing.TB, from, to el) { tb.Helper(); p.run(tb, "drag", from, "to", to) }

// choose picks the option with this visible label and returns its value.
func (p *pg) choose(tb testing.TB, e el, optionLabel string) string {
	tb.Helper()
	return str(tb, p.run(tb, "select", e, "label", optionLabel))
}

// waitText waits until the element's text contains s, and returns the text.
func (p *pg) waitText(tb testing.TB, e el, s string) string {
	tb.Helper()
	return str(tb, p.run(tb, "wait", e, "text", s))
}

// waitCount waits until exactly n elements match.
func (p *pg) waitCount(tb testing.TB, e el, n int) {
	tb.Helper()
	p.run(tb, "wait", e, "count", n)
}

// waitValue waits until a form field holds v.
func (p *pg) waitValue(tb testing.TB, e el, v string) {
	tb.Helper()
	p.run(tb, "wait", e, "value", v)
}

// waitAttr waits until the element's attribute is v.
func (p *pg) waitAttr(tb testing.TB, e el, name, v string) {
	tb.Helper()
	p.run(tb, "wait", e, "attr", name, "is", v)
}

// waitAttrNot waits until the element's attribute is anything but v.
func (p *pg) waitAttrNot(tb testing.TB, e el, name, v string) {
	tb.Helper()
	p.run(tb, "wait", e, "attr", name, "isNot", v)
}

func (p *pg) text(tb testing.TB, e el) string  { tb.Helper(); return str(tb, p.run(tb, "text", e)) }
func (p *pg) value(tb testing.TB, e el) string { tb.Helper(); return str(tb, p.run(tb, "value", e)) }
func (p *pg) attr(tb testing.TB, e el, name string) string {
	tb.Helper()
	return str(tb, p.run(tb, "attr", e, "name", name))
}

// eval evaluates a JavaScript expression in the page and decodes its value into v.
func (p *pg) eval(tb testing.TB, expr string, v any) {
	tb.Helper()
	require.NoError(tb, json.Unmarshal(p.run(tb, "eval", nil, "expr", expr), v))
}

// shot saves a screenshot of the page as the test's next numbered step.
func (p *pg) shot(tb testing.TB, step string) {
	tb.Helper()
	p.run(tb, "screenshot", nil, "path", p.b.shots.next(p.name+"-"+step))
}

func str(tb testing.TB, raw json.RawMessage) string {
	tb.Helper()
	var s *string
	require.NoError(tb, json.Unmarshal(raw, &s), "not a string: %s", raw)
	if s == nil {
		return ""
	}
	return *s
}

// artifacts is where a test's screenshots go: $TALUS_ARTIFACTS/<test>, or
// test/artifacts/<test> (gitignored). The directory is emptied when the
// test starts, so what is there is from its last run only.
type artifacts struct {
	dir   string
	mu    sync.Mutex
	n     int
	paths []string
}

func newArtifacts(tb testing.TB) *artifacts {
	tb.Helper()
	root := os.Getenv("TALUS_ARTIFACTS")
	if root == "" {
		root = filepath.Join(filepath.Dir(jsDir(tb)), "artifacts")
	}
	dir := filepath.Join(root, regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(tb.Name(), "_"))
	require.NoError(tb, os.RemoveAll(dir))
	require.NoError(tb, os.MkdirAll(dir, 0o755))
	return &artifacts{dir: dir}
}

func (a *artifacts) next(step string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	p := filepath.Join(a.dir, fmt.Sprintf("%02d-%s.png", a.n, step))
	a.paths = append(a.paths, p)
	return p
}

// report prints where the screenshots are (go test -v shows it; a failing
// test always does).
func (a *artifacts) report(tb testing.TB) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tb.Logf("screenshots (%d) in %s", len(a.paths), a.dir)
	for _, p := range a.paths {
		tb.Logf("  %s", p)
	}
}

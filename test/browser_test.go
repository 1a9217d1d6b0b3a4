package test

// Browser tests: the web client (http/web) in headless Chromium, driven by
// test/js/browser.js against a real server on 127.0.0.1. Elements are found
// by role, accessible name and label, as a screen reader would, and every
// check reads what the page shows or what the server holds. Screenshots of
// each step go to $TALUS_ARTIFACTS or test/artifacts (see artifacts).

import (
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// treeRow is one visible tree item: its accessible name and its level.
type treeRow struct {
	Name  string `json:"name"`
	Level int    `json:"level"`
}

// pageTree is the tree as the page shows it, in order.
func pageTree(tb testing.TB, p *pg) []treeRow {
	tb.Helper()
	var rows []treeRow
	p.eval(tb, `[...document.querySelectorAll('[role="treeitem"]')].map((li) => ({
		name: document.getElementById(li.getAttribute("aria-labelledby")).textContent,
		level: Number(li.getAttribute("aria-level")),
	}))`, &rows)
	return rows
}

// restTree is the session's tree as the server holds it, in the same form.
func restTree(tb testing.TB, s *server, sid string) []treeRow {
	tb.Helper()
	var rows []treeRow
	var walk func(ns []any, level int)
	walk = func(ns []any, level int) {
		for _, n := range ns {
			m := n.(map[string]any)
			rows = append(rows, treeRow{Name: m["name"].(string), Level: level})
			walk(m["children"].([]any), level+1)
		}
	}
	walk(rootsOf(tb, s.tree(tb, sid)), 1)
	return rows
}

// node reads one node over REST.
func (s *server) node(tb testing.TB, sid, id string) map[string]any {
	tb.Helper()
	return s.ok(tb, nethttp.StatusOK, "GET", "/sessions/"+sid+"/graph/nodes/"+id, nil)
}

// optionID is the id of a select option, by its name, from the schema.
func optionID(tb testing.TB, s *server, template, nodeType, prop, name string) string {
	tb.Helper()
	schema := s.ok(tb, nethttp.StatusOK, "GET", "/templates/"+template+"/schema", nil)
	for _, t := range schema["node_types"].([]any) {
		tm := t.(map[string]any)
		if tm["id"] != nodeType {
			continue
		}
		for _, p := range tm["properties"].([]any) {
			pm := p.(map[string]any)
			if pm["id"] != prop {
				continue
			}
			for _, o := range pm["options"].([]any) {
				if om := o.(map[string]any); om["name"] == name {
					return om["id"].(string)
				}
			}
		}
	}
	tb.Fatalf("no option %q of %s.%s in %s", name, nodeType, prop, template)
	return ""
}

// waitLive waits until the page says it is live with n clients in the session.
func waitLive(tb testing.TB, p *pg, n int) {
	tb.Helper()
	p.waitAttr(tb, css("#connection"), "data-state", "live")
	p.waitAttr(tb, css("#connection"), "data-clients", fmt.Sprint(n))
	p.waitText(tb, css("#connection"), fmt.Sprintf("Live · %d connected", n))
}

func treeitem(name string) el { return role("treeitem", name) }

// rowOf is the visible row of a tree item (the item's box also holds its
// children): where a click or a drop lands.
func rowOf(name string) el { return css(".row").in(treeitem(name)).nth(0) }

// TestBrowserTwoPagesShareEdits creates a project on the start screen, opens
// its link in a second tab, and checks that edits made in either tab (add,
// typed properties, rename) appear in the other and on the server.
func TestBrowserTwoPagesShareEdits(t *testing.T) {
	s := startServer(t)
	b := startBrowser(t)

	p1 := b.open(t, "p1", s.origin+"/")
	p1.waitText(t, role("heading", "New project"), "New project")
	p1.choose(t, label("Template"), "Restomod")
	p1.fill(t, label("Project name"), "1969 Camaro")
	p1.shot(t, "start-screen")
	p1.click(t, role("button", "Create project"))
	waitLive(t, p1, 1)
	p1.waitCount(t, treeitem("1969 Camaro"), 1)
	p1.shot(t, "created")

	var url string
	p1.eval(t, "location.href", &url)
	sid, ok := strings.CutPrefix(url, s.origin+"/#session=")
	require.True(t, ok, "the session is in the URL: %s", url)
	info := s.ok(t, nethttp.StatusOK, "GET", "/sessions/"+sid+"/info", nil)
	require.Equal(t, true, info["has_project"])
	assert.Equal(t, url, p1.value(t, label("Link to this session (open it in another tab or give it to a collaborator)")))

	p2 := b.open(t, "p2", url)
	waitLive(t, p2, 2)
	waitLive(t, p1, 2) // p1 sees the second client arrive
	assert.Equal(t, "true", p2.attr(t, treeitem("1969 Camaro"), "aria-selected"), "the root is selected at first")
	p2.shot(t, "joined")

	// Add a phase in p1; p2 shows it under the root.
	p1.choose(t, label("Child type"), "Phase")
	p1.fill(t, label("Child name"), "Bodywork")
	p1.click(t, role("button", "Add"))
	p2.waitCount(t, treeitem("Bodywork"), 1)
	assert.Equal(t, "2", p2.attr(t, treeitem("Bodywork"), "aria-level"))
	assert.Equal(t, "true", p2.attr(t, treeitem("1969 Camaro"), "aria-expanded"))
	p1.waitText(t, css("#inspector-title"), "Bodywork") // the new node is selected where it was made
	p2.shot(t, "phase-added")

	// A select is chosen by its option's name; the value sent is its id.
	inProgress := optionID(t, s, "restomod", "phase", "status", "In Progress")
	assert.Equal(t, inProgress, p1.choose(t, label("Status"), "In Progress"))
	p1.fill(t, label("Start Date"), "2026-03-01")
	p2.click(t, rowOf("Bodywork"))
	p2.waitValue(t, label("Status"), inProgress)
	p2.waitText(t, css("#prop-status option:checked"), "In Progress")
	p2.waitValue(t, label("Start Date"), "2026-03-01")
	p2.shot(t, "properties-seen")

	// Rename in p1.
	p1.fill(t, label("Name"), "Body and paint")
	p1.click(t, role("button", "Rename"))
	p2.waitCount(t, treeitem("Body and paint"), 1)
	p2.waitCount(t, treeitem("Bodywork"), 0)
	p2.waitText(t, css("#inspector-title"), "Body and paint")

	// Currency (an exact decimal string) and text on the root, from p2.
	p2.click(t, rowOf("1969 Camaro"))
	p2.fill(t, label("Budget"), "12500.50")
	p2.press(t, label("Budget"), "Enter")
	p2.fill(t, label("Vehicle"), "Chevrolet Camaro SS")
	p2.press(t, label("Vehicle"), "Enter")
	p1.click(t, rowOf("1969 Camaro"))
	p1.waitValue(t, label("Budget"), "12500.50")
	p1.waitValue(t, label("Vehicle"), "Chevrolet Camaro SS")
	root := p1.text(t, css("#inspector"))
	assert.Contains(t, root, "The project's root stays at the top.")
	assert.NotContains(t, root, "Delete", "the root cannot be deleted, so no button offers it")
	assert.NotContains(t, root, "null")

	// A job and a task from p2, and a number on the task; p1 sees all.
	p2.click(t, rowOf("Body and paint"))
	p2.fill(t, label("Child name"), "Rust repair")
	p2.click(t, role("button", "Add"))
	p2.waitText(t, css("#inspector-title"), "Rust repair")
	p2.fill(t, label("Child name"), "Floor pans")
	p2.click(t, role("button", "Add"))
	p2.waitText(t, css("#inspector-title"), "Floor pans")
	p2.fill(t, label("Impact"), "3.5")
	p2.press(t, label("Impact"), "Enter")
	p1.waitCount(t, treeitem("Floor pans"), 1)
	p1.click(t, rowOf("Floor pans"))
	p1.waitValue(t, label("Impact"), "3.5")
	assert.Equal(t, "4", p1.attr(t, treeitem("Floor pans"), "aria-level"))
	p1.shot(t, "all-edits")
	p2.shot(t, "all-edits")

	// Both pages show exactly the server's tree, and the server holds the values as typed.
	want := []treeRow{{"1969 Camaro", 1}, {"Body and paint", 2}, {"Rust repair", 3}, {"Floor pans", 4}}
	assert.Equal(t, want, restTree(t, s, sid))
	assert.Equal(t, want, pageTree(t, p1))
	assert.Equal(t, want, pageTree(t, p2))
	roots := rootsOf(t, s.tree(t, sid))
	rootNode := roots[0].(map[string]any)
	props := rootNode["properties"].(map[string]any)
	assert.Equal(t, "12500.50", props["budget"], "currency is kept as the decimal string typed")
	assert.Equal(t, "Chevrolet Camaro SS", props["vehicle"])
	phase := rootNode["children"].([]any)[0].(map[string]any)
	assert.Equal(t, inProgress, phase["properties"].(map[string]any)["status"])
	assert.Equal(t, "2026-03-01", phase["properties"].(map[string]any)["start_date"])
	task := phase["children"].([]any)[0].(map[string]any)["children"].([]any)[0].(map[string]any)
	assert.Equal(t, json.Number("3.5"), task["properties"].(map[string]any)["impact"])
	assert.Empty(t, b.pageLines("p1", "pageerror"), "page errors in p1")
	assert.Empty(t, b.pageLines("p2", "pageerror"), "page errors in p2")
}

// TestBrowserUndoSeenByBoth checks that undo and redo, by button and by
// keyboard, in one page change the tree and the fields in both.
func TestBrowserUndoSeenByBoth(t *testing.T) {
	s := startServer(t)
	created := s.ok(t, nethttp.StatusCreated, "POST", "/projects", map[string]any{"template_id": "software_development", "project_name": "Release 2.0"})
	sid := created["session_id"].(string)
	root := rootsOf(t, created["graph"])[0].(map[string]any)["id"].(string)
	beta := s.createNode(t, sid, root, "milestone", "Beta")
	sync := s.createNode(t, sid, beta, "feature", "Sync")
	bug := s.createNode(t, sid, sync, "bug", "Crash on save")

	b := startBrowser(t)
	p1 := b.open(t, "p1", s.origin+"/#session="+sid)
	p2 := b.open(t, "p2", s.origin+"/#session="+sid)
	waitLive(t, p1, 2)
	waitLive(t, p2, 2)

	// A boolean, set in p1.
	p1.click(t, rowOf("Crash on save"))
	p1.click(t, role("checkbox", "Regression"))
	p2.click(t, rowOf("Crash on save"))
	p2.waitCount(t, role("checkbox", "Regression").with("checked", true), 1)
	assert.Equal(t, true, s.node(t, sid, bug)["properties"].(map[string]any)["regression"])

	// Delete a feature by keyboard in p1: its bug goes with it, in both.
	p1.focus(t, treeitem("Sync"))
	p1.press(t, treeitem("Sync"), "Delete")
	for _, p := range []*pg{p1, p2} {
		p.waitCount(t, treeitem("Sync"), 0)
		p.waitCount(t, treeitem("Crash on save"), 0)
	}
	p1.shot(t, "deleted")
	p2.shot(t, "deleted")

	// Undo in p2 (button) brings both back, in both pages.
	p2.waitCount(t, role("button", "Undo").with("disabled", false), 1)
	p2.click(t, role("button", "Undo"))
	for _, p := range []*pg{p1, p2} {
		p.waitCount(t, treeitem("Sync"), 1)
		p.waitCount(t, treeitem("Crash on save"), 1)
		p.waitAttr(t, treeitem("Crash on save"), "aria-level", "4")
	}
	p2.waitCount(t, role("button", "Redo").with("disabled", false), 1)
	p1.shot(t, "undone")
	p2.shot(t, "undone")

	// Undo in p1 again: the boolean goes back to unset, in p2's fields too.
	p1.click(t, role("button", "Undo"))
	p2.click(t, rowOf("Crash on save"))
	p2.waitCount(t, role("checkbox", "Regression").with("checked", false), 1)
	assert.Equal(t, false, s.node(t, sid, bug)["properties"].(map[string]any)["regression"], "undo restored the default")

	// Redo by keyboard (Ctrl+Shift+Z) in p1, with the tree focused.
	p1.focus(t, treeitem("Beta"))
	p1.press(t, treeitem("Beta"), "Control+Shift+Z")
	p2.waitCount(t, role("checkbox", "Regression").with("checked", true), 1)
	p1.click(t, rowOf("Crash on save"))
	p1.waitCount(t, role("checkbox", "Regression").with("checked", true), 1)
	p1.shot(t, "redone")

	want := []treeRow{{"Release 2.0", 1}, {"Beta", 2}, {"Sync", 3}, {"Crash on save", 4}}
	assert.Equal(t, want, restTree(t, s, sid))
	assert.Equal(t, want, pageTree(t, p1))
	assert.Equal(t, want, pageTree(t, p2))
}

// TestBrowserMovesByDragAndKeyboard moves nodes by drag and drop, by
// Alt+arrow keys and by the Move-to menu, within the template's rules, and
// checks the other page and the server follow.
func TestBrowserMovesByDragAndKeyboard(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Camaro")
	bodywork := s.createNode(t, p.sid, p.root, "phase", "Bodywork")
	engine := s.createNode(t, p.sid, p.root, "phase", "Engine")
	rust := s.createNode(t, p.sid, bodywork, "job", "Rust repair")

	b := startBrowser(t)
	p1 := b.open(t, "p1", s.origin+"/#session="+p.sid)
	p2 := b.open(t, "p2", s.origin+"/#session="+p.sid)
	waitLive(t, p1, 2)
	waitLive(t, p2, 2)
	p1.shot(t, "before")

	// Collapse and expand by keyboard: only this page's view changes.
	p1.focus(t, treeitem("Bodywork"))
	p1.press(t, treeitem("Bodywork"), "ArrowLeft")
	p1.waitAttr(t, treeitem("Bodywork"), "aria-expanded", "false")
	p1.waitCount(t, treeitem("Rust repair"), 0)
	p2.waitCount(t, treeitem("Rust repair"), 1)
	p1.shot(t, "collapsed")
	p1.press(t, treeitem("Bodywork"), "ArrowRight")
	p1.waitAttr(t, treeitem("Bodywork"), "aria-expanded", "true")
	p1.waitCount(t, treeitem("Rust repair"), 1)

	// Drag the job onto the other phase.
	p1.drag(t, treeitem("Rust repair"), rowOf("Engine"))
	p2.waitCount(t, treeitem("Rust repair").in(treeitem("Engine")), 1)
	assert.Equal(t, engine, s.node(t, p.sid, rust)["parent_id"])
	p2.shot(t, "dragged")

	// The template forbids a phase under a job: that drop is refused.
	p1.drag(t, treeitem("Bodywork"), rowOf("Rust repair"))

	// Alt+ArrowUp moves Engine above Bodywork.
	p1.click(t, rowOf("Engine"))
	p1.press(t, treeitem("Engine"), "Alt+ArrowUp")
	p2.waitAttr(t, treeitem("Engine"), "aria-posinset", "1")
	assert.Equal(t, []any{engine, bodywork}, s.node(t, p.sid, p.root)["children"])
	assert.Equal(t, p.root, s.node(t, p.sid, bodywork)["parent_id"], "the refused drop sent nothing")
	assert.Equal(t, "2", p2.attr(t, treeitem("Bodywork"), "aria-level"))

	// A phase can go nowhere else here; the page says so instead of offering a menu.
	p1.waitText(t, role("region", "Move"), "No other place in this project can hold it.")

	// Keyboard only: select the job with the arrows, M opens Move to, pick Bodywork.
	p1.focus(t, treeitem("Engine"))
	p1.press(t, treeitem("Engine"), "ArrowDown")
	p1.waitAttr(t, treeitem("Rust repair"), "aria-selected", "true")
	p1.press(t, treeitem("Rust repair"), "m")
	var focused string
	p1.eval(t, "document.activeElement.id", &focused)
	assert.Equal(t, "move-target", focused, "M puts the keyboard in Move to")
	p1.choose(t, label("Move to"), "Camaro › Bodywork (Phase)")
	p1.key(t, "Tab") // to the Move here button
	p1.key(t, "Enter")
	p2.waitCount(t, treeitem("Rust repair").in(treeitem("Bodywork")), 1)
	assert.Equal(t, bodywork, s.node(t, p.sid, rust)["parent_id"])
	p2.shot(t, "moved-by-menu")

	// Undo in p2 puts it back under Engine for both.
	p2.click(t, role("button", "Undo"))
	p1.waitCount(t, treeitem("Rust repair").in(treeitem("Engine")), 1)
	p2.waitCount(t, treeitem("Rust repair").in(treeitem("Engine")), 1)
	want := []treeRow{{"Camaro", 1}, {"Engine", 2}, {"Rust repair", 3}, {"Bodywork", 2}}
	assert.Equal(t, want, restTree(t, s, p.sid))
	assert.Equal(t, want, pageTree(t, p1))
	assert.Equal(t, want, pageTree(t, p2))
	p1.shot(t, "undone")
}

// TestBrowserCatchesUpAfterRestart stops the server under an open page,
// starts it again on the same data directory and port, makes edits over REST
// while the page is still disconnected, and checks that the page reconnects
// by itself and shows them, then keeps following live edits.
func TestBrowserCatchesUpAfterRestart(t *testing.T) {
	bin := buildTalus(t)
	dataDir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	proc := startTalusAt(t, bin, dataDir, addr)
	s := proc.server()
	p := s.newProject(t, "Camaro")
	bodywork := s.createNode(t, p.sid, p.root, "phase", "Bodywork")

	b := startBrowser(t)
	page := b.open(t, "p1", s.origin+"/#session="+p.sid)
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Bodywork"), 1)
	page.shot(t, "live")

	// SIGTERM: the server tells the page goodbye and stops.
	proc.stop(t)
	page.waitAttrNot(t, css("#connection"), "data-state", "live") // reconnecting, then offline while it retries
	page.shot(t, "server-stopped")

	// The page's network is cut while the server comes back, so the edits
	// below are certainly made while it is disconnected, whatever its
	// retry timing.
	b.do(t, map[string]any{"op": "offline", "on": true})
	proc = startTalusAt(t, bin, dataDir, addr)
	s = proc.server()
	s.execute(t, p.sid, "RenameNode", map[string]any{"node_id": bodywork, "name": "Body and paint"})
	engine := s.createNode(t, p.sid, p.root, "phase", "Engine")
	s.createNode(t, p.sid, engine, "job", "Rebuild carburettor")
	s.execute(t, p.sid, "UpdateProperty", map[string]any{"node_id": p.root, "property_id": "budget", "value": "9999.99"})
	s.createNode(t, p.sid, p.root, "phase", "Mistake")
	s.ok(t, nethttp.StatusOK, "POST", "/sessions/"+p.sid+"/undo", nil) // undo emits graph events too
	assert.NotEqual(t, "live", page.attr(t, css("#connection"), "data-state"), "the page is still cut off")
	assert.Equal(t, []treeRow{{"Camaro", 1}, {"Bodywork", 2}}, pageTree(t, page), "the page has not seen the edits yet")

	treeReads := func() int {
		n := 0
		for _, m := range b.pageLines("p1", "response") {
			if strings.HasSuffix(m.URL, "/sessions/"+p.sid+"/graph/tree") {
				n++
			}
		}
		return n
	}
	readsBefore := treeReads()
	require.Positive(t, readsBefore, "the page read the tree when it opened")

	b.do(t, map[string]any{"op": "offline", "on": false})
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Rebuild carburettor"), 1)
	page.waitCount(t, treeitem("Body and paint"), 1)
	page.waitCount(t, treeitem("Mistake"), 0)
	page.click(t, rowOf("Camaro"))
	page.waitValue(t, label("Budget"), "9999.99")
	page.shot(t, "caught-up")
	assert.Equal(t, restTree(t, s, p.sid), pageTree(t, page))
	assert.Equal(t, readsBefore, treeReads(),
		"the page caught up from the events it missed (join with last_seq), not by reading the tree again")

	// And it is live again: a new edit shows without a reload.
	s.createNode(t, p.sid, p.root, "phase", "Interior")
	page.waitCount(t, treeitem("Interior"), 1)
	assert.Equal(t, restTree(t, s, p.sid), pageTree(t, page))
	page.shot(t, "live-again")
	proc.stop(t)
}

// TestBrowserSaveExportImport saves a project from the page, exports it as a
// file, imports that file on the start screen and opens the saved copy.
func TestBrowserSaveExportImport(t *testing.T) {
	s := startDurable(t, "").server // saving needs a data directory
	p := s.newProject(t, "Camaro")
	s.createNode(t, p.sid, p.root, "phase", "Bodywork")

	b := startBrowser(t)
	page := b.open(t, "p1", s.origin+"/#session="+p.sid)
	waitLive(t, page, 1)
	page.click(t, role("button", "Save"))
	page.waitText(t, css("#notice"), "Project saved at")
	listed := s.ok(t, nethttp.StatusOK, "GET", "/projects", nil)["projects"].([]any)
	require.Len(t, listed, 1)
	assert.Equal(t, p.pid, listed[0].(map[string]any)["project_id"])

	file := b.shots.next("export")
	file = strings.TrimSuffix(file, ".png") + ".json"
	var dl struct{ Path, Name string }
	require.NoError(t, json.Unmarshal(page.run(t, "download", role("button", "Export"), "path", file), &dl))
	assert.Equal(t, "Camaro.json", dl.Name)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"Bodywork"`)

	// Import on the start screen: a new session, with the same tree.
	page.click(t, role("link", "Talus Tally"))
	page.waitText(t, role("heading", "Import a project file"), "Import")
	page.run(t, "files", label("Project file (.json, as exported here or by the prototype)"), "path", file)
	page.click(t, role("button", "Import"))
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Bodywork"), 1)
	var url string
	page.eval(t, "location.href", &url)
	imported, ok := strings.CutPrefix(url, s.origin+"/#session=")
	require.True(t, ok, url)
	assert.NotEqual(t, p.sid, imported, "an import opens in a new session")
	assert.Equal(t, restTree(t, s, p.sid), restTree(t, s, imported))
	page.shot(t, "imported")

	// Open the saved copy from the start screen's list.
	page.click(t, role("link", "Talus Tally"))
	page.click(t, role("button", "Open Camaro"))
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Bodywork"), 1)
	page.eval(t, "location.href", &url)
	loaded, _ := strings.CutPrefix(url, s.origin+"/#session=")
	assert.NotContains(t, []string{p.sid, imported, ""}, loaded)
	page.shot(t, "opened-saved")
}

// TestBrowserResyncsWhenHistoryIsGone cuts a page off while more happens
// than the server keeps for catch-up: on its way back it gets
// session:resync instead of the missed events, and must show the server's
// tree all the same.
func TestBrowserResyncsWhenHistoryIsGone(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.actors.HistoryLimit = 5 })
	p := s.newProject(t, "Camaro")
	s.createNode(t, p.sid, p.root, "phase", "Bodywork")

	b := startBrowser(t)
	page := b.open(t, "p1", s.origin+"/#session="+p.sid)
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Bodywork"), 1)

	b.do(t, map[string]any{"op": "offline", "on": true})
	page.waitAttrNot(t, css("#connection"), "data-state", "live")
	for _, name := range []string{"Engine", "Interior", "Electrical", "Paint"} {
		s.createNode(t, p.sid, p.root, "phase", name) // three events each: more than the 5 kept
	}
	b.do(t, map[string]any{"op": "offline", "on": false})
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Paint"), 1)
	assert.Equal(t, restTree(t, s, p.sid), pageTree(t, page))
	page.shot(t, "resynced")

	s.createNode(t, p.sid, p.root, "phase", "Chrome")
	page.waitCount(t, treeitem("Chrome"), 1)
	assert.Equal(t, restTree(t, s, p.sid), pageTree(t, page))
}

// TestBrowserAsksForToken opens the page on a server run with a token: it
// asks for it, and with it the API and the socket both let the page in.
func TestBrowserAsksForToken(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.http.Token = "s3cret"; o.ws.Token = "s3cret" })
	s.token = "s3cret"
	p := s.newProject(t, "Camaro")

	b := startBrowser(t)
	page := b.open(t, "p1", s.origin+"/#session="+p.sid)
	page.waitText(t, role("heading", "Access token needed"), "Access token needed")
	page.shot(t, "asked")
	page.fill(t, label("Access token"), "s3cret")
	page.click(t, role("button", "Use token"))
	waitLive(t, page, 1)
	page.waitCount(t, treeitem("Camaro"), 1)
	page.fill(t, label("Child name"), "Bodywork")
	page.click(t, role("button", "Add"))
	page.waitCount(t, treeitem("Bodywork"), 1)
	assert.Equal(t, []treeRow{{"Camaro", 1}, {"Bodywork", 2}}, restTree(t, s, p.sid))
	page.shot(t, "in")
}

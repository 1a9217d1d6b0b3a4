// Workspace is an open session: the header (connection, people, undo, redo,
// save, export), the tree and the inspector. Commands go over REST without
// the graph; what they change comes back as the session's events, the same
// way it reaches every other page on the session.

import { h, clear } from "./dom.js";
import * as api from "./api.js";
import { Live, State } from "./live.js";
import { Schema, canDelete } from "./rules.js";
import { TreeView } from "./tree-view.js";
import { Inspector } from "./inspector.js";

const STATUS_TEXT = {
  [State.CONNECTING]: "Connecting…",
  [State.LIVE]: "Live",
  [State.RECONNECTING]: "Reconnecting…",
  [State.OFFLINE]: "Offline, retrying…",
  [State.UNAUTHORIZED]: "Needs an access token",
  [State.MISSING]: "Session not found",
  [State.CLOSED]: "Session closed",
};

export class Workspace {
  /**
   * @param root the element to draw into
   * @param ctx {sid, info, project, schema} as fetched by open()
   * @param hooks {leave(notice), needToken(), fail(err)}
   */
  constructor(root, ctx, hooks) {
    this.root = root;
    this.sid = ctx.sid;
    this.pid = ctx.info.project_id;
    this.schema = new Schema(ctx.schema);
    this.hooks = hooks;
    this.selected = null;
    this.pendingSelect = null;
    this.collapsed = new Set();
    this.parents = new Map(); // last known parent of each node, to select after a delete
    this.canUndo = ctx.info.undo_available;
    this.canRedo = ctx.info.redo_available;
    this.renderQueued = false;
    this.live = new Live(this.sid);
    this.#build();
    this.live.addEventListener("change", () => this.#queueRender());
    this.live.addEventListener("status", () => this.#renderStatus());
    this.live.addEventListener("history", () => this.#refreshHistory());
    this.live.addEventListener("saved", (e) => this.say(`Project saved at ${new Date(e.detail.saved_at).toLocaleTimeString()}.`));
    this.live.addEventListener("project", (e) => this.#projectLoaded(e.detail));
    this.onKey = (e) => this.#globalKey(e);
    document.addEventListener("keydown", this.onKey);
    this.live.start();
  }

  /** open fetches what a workspace needs before it can draw: the session's
   * project and its template's schema. */
  static async open(root, sid, hooks) {
    const info = await api.sessionInfo(sid);
    if (!info.has_project) return null;
    const project = await api.getProject(info.project_id);
    const schema = await api.templateSchema(project.template_id);
    return new Workspace(root, { sid, info, project, schema }, hooks);
  }

  destroy() {
    this.live.stop();
    document.removeEventListener("keydown", this.onKey);
  }

  #build() {
    clear(this.root);
    this.title = h("h1", { id: "project-title" }, "Loading…");
    this.connection = h("p", { id: "connection", role: "status", "data-state": "connecting" }, "Connecting…");
    this.undoBtn = h("button", { type: "button", id: "undo", onclick: () => this.undo(), "aria-keyshortcuts": "Control+Z" }, "Undo");
    this.redoBtn = h("button", { type: "button", id: "redo", onclick: () => this.redo(), "aria-keyshortcuts": "Control+Shift+Z" }, "Redo");
    const link = location.href;
    this.notice = h("p", { id: "notice", role: "status" });
    this.error = h("p", { id: "error", role: "alert" });
    const treeRoot = h("ul", { role: "tree", id: "tree", "aria-label": "Project tree" });
    const inspectorRoot = h("section", { id: "inspector", "aria-labelledby": "inspector-title" });
    this.root.append(
      h("header", { class: "bar" },
        h("a", { href: "#", class: "home", title: "Start screen" }, "Talus Tally"),
        this.title,
        this.connection,
        h("div", { class: "toolbar", role: "toolbar", "aria-label": "Project" },
          this.undoBtn,
          this.redoBtn,
          h("button", { type: "button", id: "save", onclick: () => this.save() }, "Save"),
          h("button", { type: "button", id: "export", onclick: () => this.export() }, "Export"),
        ),
      ),
      h("div", { class: "messages" }, this.notice, this.error),
      h("main", { class: "workspace" },
        h("nav", { class: "tree-pane", "aria-label": "Project tree" },
          treeRoot,
          h("p", { class: "keys", id: "tree-keys" },
            "Keys: ↑ ↓ select, ← → collapse and expand, Alt+↑ ↓ reorder, Alt+← → outdent and indent, ",
            "F2 rename, A add, M move to, Delete delete, Ctrl+Z undo, Ctrl+Shift+Z redo. Drag a node onto another to move it."),
        ),
        inspectorRoot,
      ),
      h("footer", { class: "share" },
        h("label", { for: "share-link" }, "Link to this session (open it in another tab or give it to a collaborator)"),
        h("input", { id: "share-link", type: "text", readonly: true, value: link, onfocus: (e) => e.target.select() }),
      ),
    );
    treeRoot.setAttribute("aria-describedby", "tree-keys");
    this.tree = new TreeView(treeRoot, this);
    this.inspector = new Inspector(inspectorRoot, this);
    this.#renderHistory();
  }

  #queueRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  render(focusTree = false) {
    const f = this.live.forest;
    if (!f) return;
    if (this.pendingSelect && f.get(this.pendingSelect)) {
      this.selected = this.pendingSelect;
      this.pendingSelect = null;
    }
    if (this.selected && !f.get(this.selected)) {
      // Deleted (here or elsewhere): fall back to the nearest ancestor left.
      let p = this.parents.get(this.selected);
      while (p && !f.get(p)) p = this.parents.get(p);
      this.selected = p || null;
    }
    if (!this.selected && f.roots.length) this.selected = f.roots[0];
    for (const [n] of f.walk()) this.parents.set(n.id, n.parent);
    const root = f.get(f.roots[0]);
    this.title.textContent = root ? root.name : "Empty project";
    document.title = `${root ? root.name : "Project"} — Talus Tally`;
    const open = { has: (id) => !this.collapsed.has(id) };
    this.tree.render(f, this.schema, this.selected, open);
    this.inspector.render(f, this.schema, this.selected);
    if (focusTree) this.tree.focus(this.selected);
  }

  #renderStatus() {
    const l = this.live;
    let text = STATUS_TEXT[l.state] || l.state;
    if (l.state === State.LIVE) {
      const others = Math.max(l.clientCount - 1, 0);
      text += ` · ${l.clientCount} connected (you${others ? ` and ${others} other${others > 1 ? "s" : ""}` : " only"})`;
    }
    this.connection.textContent = text;
    this.connection.dataset.state = l.state;
    this.connection.dataset.clients = String(l.clientCount);
    if (l.state === State.UNAUTHORIZED) this.hooks.needToken();
    if (l.state === State.MISSING) this.hooks.leave("That session no longer exists. Start or open a project.");
    if (l.state === State.CLOSED) this.fail(new Error("This session was closed on the server. Its saved copy, if any, can be opened again."));
  }

  async #refreshHistory() {
    try {
      const info = await api.sessionInfo(this.sid);
      this.canUndo = info.undo_available;
      this.canRedo = info.redo_available;
      if (info.project_id && info.project_id !== this.pid) this.pid = info.project_id;
      this.#renderHistory();
    } catch {
      // Offline: the buttons keep their state until the next event.
    }
  }

  #renderHistory() {
    this.undoBtn.disabled = !this.canUndo;
    this.redoBtn.disabled = !this.canRedo;
  }

  async #projectLoaded(ev) {
    // Another project was opened in this session; its template may differ.
    this.pid = ev.project_id;
    this.selected = null;
    try {
      const project = await api.getProject(this.pid);
      this.schema = new Schema(await api.templateSchema(project.template_id));
      this.render();
      this.say(`${project.name} was opened in this session.`);
    } catch (e) {
      this.fail(e);
    }
  }

  #globalKey(e) {
    const t = e.target;
    const editing = t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName));
    if (editing || !(e.ctrlKey || e.metaKey) || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === "z" && !e.shiftKey) {
      e.preventDefault();
      this.undo();
    } else if ((k === "z" && e.shiftKey) || k === "y") {
      e.preventDefault();
      this.redo();
    }
  }

  // --- what the tree and the inspector ask for ---

  say(msg) {
    this.error.textContent = "";
    this.notice.textContent = msg;
  }

  fail(err) {
    if (err && err.code === "UNAUTHORIZED") this.hooks.needToken();
    this.notice.textContent = "";
    this.error.textContent = (err && err.message) || String(err);
  }

  select(id, focus = false) {
    this.selected = id;
    this.render(focus);
  }

  toggle(id, open) {
    if (open) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.render(this.tree.root.contains(document.activeElement));
  }

  focusInspector(field) {
    this.inspector.focusField(field);
  }

  /** execute runs one command and reports it; it resolves to whether it succeeded. */
  async execute(type, data, what) {
    try {
      const res = await api.execute(this.sid, type, data);
      this.canUndo = res.undo_available;
      this.canRedo = res.redo_available;
      this.#renderHistory();
      if (what) this.say(`${what}.`);
      return res;
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  async create(data) {
    this.collapsed.delete(data.parent_id);
    const res = await this.execute("CreateNode", data, `Added ${data.name}`);
    if (res && res.node_id) {
      this.pendingSelect = res.node_id;
      this.render(false);
    }
  }

  move(data, what) {
    const n = this.live.forest.get(data.node_id);
    return this.execute("MoveNode", data, n ? `${n.name} ${what}` : what);
  }

  remove(id) {
    const f = this.live.forest;
    const n = f.get(id);
    if (!n) return;
    if (!canDelete(f, this.schema, id)) {
      this.say("The project's root cannot be deleted.");
      return;
    }
    this.execute("DeleteNode", { node_id: id }, `Deleted ${n.name} (Undo brings it back)`);
  }

  async undo() {
    await this.#step(api.undo, "Undone");
  }

  async redo() {
    await this.#step(api.redo, "Redone");
  }

  async #step(call, what) {
    try {
      const res = await call(this.sid);
      this.canUndo = res.undo_available;
      this.canRedo = res.redo_available;
      this.#renderHistory();
      this.say(`${what}: ${res.command_type}.`);
    } catch (e) {
      this.fail(e);
    }
  }

  async save() {
    try {
      await api.saveProject(this.pid, this.sid);
    } catch (e) {
      this.fail(e);
    }
  }

  async export() {
    try {
      const { blob, filename } = await api.exportProject(this.pid);
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      this.say(`Exported ${filename}.`);
    } catch (e) {
      this.fail(e);
    }
  }
}

// TreeView draws the forest as an ARIA tree (tree, treeitem, group,
// aria-expanded, aria-selected, roving tabindex) and turns keys and drags
// into requests to the app. It holds no graph state of its own: every
// render starts from the forest the app passes in.

import { h } from "./dom.js";
import { canMoveInto, siblingMove } from "./rules.js";

const DRAG_TYPE = "application/x-talus-node";

export class TreeView {
  /**
   * @param root the <ul role="tree"> to draw into
   * @param app {select(id), toggle(id, open), move(data, what), focusInspector(field),
   *             remove(id)} — what a key or a drop asks for
   */
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.forest = null;
    this.schema = null;
    this.dragID = null;
    this.items = new Map(); // node id → its <li>, reused across renders
    root.addEventListener("keydown", (e) => this.#key(e));
    root.addEventListener("click", (e) => this.#click(e));
    // Selection follows focus (however the focus came: Tab, a click, a
    // screen reader), so a redraw, which puts the focus on the selected
    // item, never moves it elsewhere.
    root.addEventListener("focusin", (e) => {
      const li = e.target.closest && e.target.closest('[role="treeitem"]');
      if (li && e.target === li && li.getAttribute("aria-selected") !== "true") this.app.select(li.dataset.id, true);
    });
    root.addEventListener("dragstart", (e) => this.#dragStart(e));
    root.addEventListener("dragover", (e) => this.#dragOver(e));
    root.addEventListener("dragleave", (e) => this.#dragLeave(e));
    root.addEventListener("drop", (e) => this.#drop(e));
    root.addEventListener("dragend", () => this.#dragEnd());
  }

  /**
   * render brings the tree up to date with the forest. Items are kept by
   * node id and changed in place, and moved only when their place changed,
   * so a redraw never takes the focus from an item or cancels a drag.
   */
  render(forest, schema, selectedID, expanded) {
    this.forest = forest;
    this.schema = schema;
    const hadFocus = this.root.contains(document.activeElement);
    this.#place(this.root, forest.roots, 1, selectedID, expanded);
    for (const id of this.items.keys()) {
      if (!forest.get(id)) this.items.delete(id);
    }
    // With nothing selected the first item takes Tab, so the tree is reachable.
    if (!this.root.querySelector('[tabindex="0"]')) {
      const first = this.root.querySelector('[role="treeitem"]');
      if (first) first.tabIndex = 0;
    }
    if (hadFocus && !this.root.contains(document.activeElement)) this.focus(selectedID);
  }

  #place(container, ids, level, selectedID, expanded) {
    ids.forEach((id, i) => {
      const n = this.forest.get(id);
      const li = this.#item(id);
      const open = expanded.has(id);
      const hasKids = n.children.length > 0;
      const selected = id === selectedID;
      li.setAttribute("aria-level", String(level));
      li.setAttribute("aria-setsize", String(ids.length));
      li.setAttribute("aria-posinset", String(i + 1));
      if (hasKids) li.setAttribute("aria-expanded", String(open));
      else li.removeAttribute("aria-expanded");
      li.setAttribute("aria-selected", String(selected));
      li.tabIndex = selected ? 0 : -1;
      const [twisty, name, type] = li.firstElementChild.children;
      setText(twisty, hasKids ? (open ? "▾" : "▸") : "");
      setText(name, n.name || "(unnamed)");
      setText(type, this.schema.label(n.type));
      let group = li.children[1] || null;
      if (hasKids && open) {
        if (!group) {
          group = h("ul", { role: "group" });
          li.append(group);
        }
        this.#place(group, n.children, level + 1, selectedID, expanded);
      } else if (group) {
        group.remove();
      }
      if (container.children[i] !== li) container.insertBefore(li, container.children[i] || null);
    });
    while (container.children.length > ids.length) container.lastElementChild.remove();
  }

  #item(id) {
    let li = this.items.get(id);
    if (!li) {
      li = h(
        "li",
        {
          role: "treeitem",
          id: `node-${id}`,
          "data-id": id,
          "aria-labelledby": `label-${id}`,
          "aria-describedby": `type-${id}`,
          draggable: "true",
        },
        h(
          "div",
          { class: "row" },
          h("span", { class: "twisty", "aria-hidden": "true" }),
          h("span", { class: "name", id: `label-${id}` }),
          h("span", { class: "type", id: `type-${id}` }),
        ),
      );
      this.items.set(id, li);
    }
    return li;
  }

  focus(id) {
    const el = id && document.getElementById(`node-${id}`);
    if (el) el.focus();
  }

  #items() {
    return [...this.root.querySelectorAll('[role="treeitem"]')];
  }

  #click(e) {
    const li = e.target.closest('[role="treeitem"]');
    if (!li) return;
    const id = li.dataset.id;
    if (e.target.classList.contains("twisty")) {
      this.app.toggle(id, li.getAttribute("aria-expanded") !== "true");
    }
    this.app.select(id, true);
  }

  #key(e) {
    const li = e.target.closest('[role="treeitem"]');
    if (!li || e.target !== li) return;
    const id = li.dataset.id;
    const n = this.forest.get(id);
    const items = this.#items();
    const at = items.indexOf(li);
    const go = (el) => el && this.app.select(el.dataset.id, true);
    const open = li.getAttribute("aria-expanded");
    let handled = true;
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      handled = this.#altKey(e.key, n);
    } else if (e.ctrlKey || e.metaKey) {
      handled = false;
    } else {
      switch (e.key) {
        case "ArrowDown":
          go(items[at + 1]);
          break;
        case "ArrowUp":
          go(items[at - 1]);
          break;
        case "Home":
          go(items[0]);
          break;
        case "End":
          go(items[items.length - 1]);
          break;
        case "ArrowRight":
          if (open === "false") this.app.toggle(id, true);
          else if (open === "true") go(items[at + 1]);
          break;
        case "ArrowLeft":
          if (open === "true") this.app.toggle(id, false);
          else if (n.parent) this.app.select(n.parent, true);
          break;
        case "Enter":
        case "F2":
          this.app.focusInspector("name");
          break;
        case "Delete":
          this.app.remove(id);
          break;
        case "Insert":
        case "a":
          this.app.focusInspector("add");
          break;
        case "m":
          this.app.focusInspector("move");
          break;
        case "*":
          for (const s of this.forest.siblings(n.parent)) this.app.toggle(s, true);
          break;
        default:
          handled = false;
      }
    }
    if (handled) e.preventDefault();
  }

  // Alt+arrows move the node as in an outline: up and down among its
  // siblings, left out to follow its parent, right into the sibling above.
  #altKey(key, n) {
    const f = this.forest;
    switch (key) {
      case "ArrowUp":
      case "ArrowDown": {
        if (!n.parent) return true;
        const i = f.get(n.parent).children.indexOf(n.id);
        const data = siblingMove(f, n.id, key === "ArrowUp" ? i - 1 : i + 1);
        if (data) this.app.move(data, key === "ArrowUp" ? "moved up" : "moved down");
        else this.app.say(`${n.name} cannot move ${key === "ArrowUp" ? "up" : "down"} any further.`);
        return true;
      }
      case "ArrowLeft": {
        const p = n.parent && f.get(n.parent);
        if (!p || !p.parent || !canMoveInto(f, this.schema, n.id, p.parent)) {
          this.app.say(`${n.name} cannot move out of ${p ? p.name : "the top level"}.`);
          return true;
        }
        const index = f.get(p.parent).children.indexOf(p.id) + 1;
        this.app.move({ node_id: n.id, new_parent_id: p.parent, index }, `moved out of ${p.name}`);
        return true;
      }
      case "ArrowRight": {
        const sibs = f.siblings(n.parent);
        const prev = f.get(sibs[sibs.indexOf(n.id) - 1]);
        if (!prev || !canMoveInto(f, this.schema, n.id, prev.id)) {
          this.app.say(`${n.name} cannot move into the item above it.`);
          return true;
        }
        this.app.toggle(prev.id, true);
        this.app.move({ node_id: n.id, new_parent_id: prev.id }, `moved into ${prev.name}`);
        return true;
      }
    }
    return false;
  }

  #dragStart(e) {
    const li = e.target.closest && e.target.closest('[role="treeitem"]');
    if (!li) return;
    this.dragID = li.dataset.id;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(DRAG_TYPE, this.dragID);
    e.dataTransfer.setData("text/plain", this.forest.get(this.dragID).name);
    li.classList.add("dragging");
  }

  // dropPlan is where a drop at the pointer would put the dragged node:
  // the top quarter of a row means before it, the bottom quarter after it,
  // the middle inside it (last). null when the template forbids it.
  #dropPlan(e) {
    const row = e.target.closest && e.target.closest(".row");
    if (!row || !this.dragID) return null;
    const li = row.closest('[role="treeitem"]');
    const target = this.forest.get(li.dataset.id);
    const id = this.dragID;
    if (!target || target.id === id) return null;
    const box = row.getBoundingClientRect();
    const y = (e.clientY - box.top) / Math.max(box.height, 1);
    const zone = y < 0.25 ? "before" : y > 0.75 ? "after" : "inside";
    if (zone === "inside") {
      if (!canMoveInto(this.forest, this.schema, id, target.id)) return null;
      return { li, zone, data: { node_id: id, new_parent_id: target.id }, what: `moved into ${target.name}` };
    }
    const parent = target.parent;
    if (!parent || !canMoveInto(this.forest, this.schema, id, parent)) return null;
    const others = this.forest.get(parent).children.filter((c) => c !== id);
    const index = others.indexOf(target.id) + (zone === "after" ? 1 : 0);
    return { li, zone, data: { node_id: id, new_parent_id: parent, index }, what: `moved ${zone} ${target.name}` };
  }

  #mark(li, zone) {
    for (const el of this.root.querySelectorAll(".drop-before, .drop-after, .drop-inside")) {
      if (el !== li) el.classList.remove("drop-before", "drop-after", "drop-inside");
    }
    if (li) {
      li.classList.remove("drop-before", "drop-after", "drop-inside");
      li.classList.add(`drop-${zone}`);
    }
  }

  #dragOver(e) {
    const plan = this.#dropPlan(e);
    if (!plan) {
      this.#mark(null);
      return; // no preventDefault: the browser shows that a drop is refused
    }
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    this.#mark(plan.li, plan.zone);
  }

  #dragLeave(e) {
    if (!this.root.contains(e.relatedTarget)) this.#mark(null);
  }

  #drop(e) {
    const plan = this.#dropPlan(e);
    this.#mark(null);
    if (!plan) return;
    e.preventDefault();
    if (plan.zone === "inside") this.app.toggle(plan.data.new_parent_id, true);
    this.app.move(plan.data, plan.what);
    this.dragID = null;
  }

  #dragEnd() {
    this.#mark(null);
    for (const el of this.root.querySelectorAll(".dragging")) el.classList.remove("dragging");
    this.dragID = null;
  }
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// Inspector is the panel for the selected node: its name, its typed
// properties as the template's schema defines them, adding a child,
// moving and deleting. Each field sends one command when it changes; the
// new value shows once the session's event comes back, as in every other
// page watching the session.

import { h, clear } from "./dom.js";
import { canDelete, moveTargets, siblingMove } from "./rules.js";

// A currency value is a decimal string, kept exactly by the server.
const DECIMAL = /^-?\d+(\.\d+)?$/;

export class Inspector {
  /**
   * @param root the <section> to draw into
   * @param app {execute(type, data, what) → Promise, move(data, what), remove(id), say(msg)}
   */
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.nodeID = null;
  }

  /**
   * render redraws the panel for node id. When the same node is drawn
   * again (an event changed it) the field being edited keeps its focus and
   * what the user has typed but not yet sent.
   */
  render(forest, schema, id) {
    const same = id === this.nodeID;
    const active = document.activeElement;
    let keep = null;
    if (same && active && this.root.contains(active) && active.id) {
      keep = { id: active.id, value: active.value, dirty: active.dataset.shown !== active.value };
      if (typeof active.selectionStart === "number") {
        try {
          keep.sel = [active.selectionStart, active.selectionEnd];
        } catch {
          // type=number and date inputs have no selection
        }
      }
    }
    this.nodeID = id;
    this.forest = forest;
    this.schema = schema;
    clear(this.root);
    const n = id && forest.get(id);
    if (!n) {
      this.root.append(h("h2", { id: "inspector-title" }, "Nothing selected"),
        h("p", {}, forest.roots.length ? "Choose a node in the tree to see and edit it." : "This project has no nodes."));
      if (!forest.roots.length && schema.rootType) this.root.append(this.#addRoot(schema));
      return;
    }
    const type = schema.type(n.type);
    // Element.append would write a null as the text "null"; drop the parts
    // this node has none of.
    const parts = [
      h("h2", { id: "inspector-title" }, n.name || "(unnamed)", " ", h("span", { class: "type" }, schema.label(n.type))),
      h("p", { class: "path" }, forest.path(id).join(" › ")),
      this.#renameForm(n),
      this.#properties(n, type),
      this.#addChild(n, type, schema),
      this.#moveForm(n, forest, schema),
      this.#deleteButton(n, forest, schema),
    ];
    this.root.append(...parts.filter(Boolean));
    if (keep) {
      const el = document.getElementById(keep.id);
      if (el) {
        if (keep.dirty && "value" in el && el.type !== "checkbox") el.value = keep.value;
        el.focus();
        if (keep.sel && typeof el.setSelectionRange === "function") {
          try {
            el.setSelectionRange(keep.sel[0], keep.sel[1]);
          } catch {
            // not a text field
          }
        }
      }
    }
  }

  /** focusField puts the keyboard in one of the panel's fields. */
  focusField(which) {
    const el = document.getElementById({ name: "node-name", add: "add-type", move: "move-target" }[which]);
    if (el) el.focus();
  }

  #renameForm(n) {
    const input = h("input", { id: "node-name", type: "text", value: n.name, "data-shown": n.name, required: true, autocomplete: "off" });
    const send = () => {
      const name = input.value.trim();
      if (!name || name === n.name || input.dataset.sent === name) return;
      input.dataset.sent = name;
      this.app.execute("RenameNode", { node_id: n.id, name }, `Renamed to ${name}`);
    };
    return h(
      "form",
      { class: "rename", onsubmit: (e) => (e.preventDefault(), send()) },
      h("label", { for: "node-name" }, "Name"),
      input,
      h("button", { type: "submit" }, "Rename"),
    );
  }

  #properties(n, type) {
    const props = (type && type.properties) || [];
    const form = h("form", { class: "props", "aria-labelledby": "props-legend", onsubmit: (e) => e.preventDefault() });
    const fs = h("fieldset", {}, h("legend", { id: "props-legend" }, "Properties"));
    if (!props.length) fs.append(h("p", {}, "This type has no properties."));
    for (const p of props) fs.append(this.#field(n, p));
    form.append(fs);
    return form;
  }

  #field(n, p) {
    const id = `prop-${p.id}`;
    const has = Object.prototype.hasOwnProperty.call(n.properties, p.id);
    const cur = has ? n.properties[p.id] : null;
    const label = h("label", { for: id }, p.name);
    // Required is said in words beside the field (and aria-required), not
    // with a mark inside the label, which would become part of its name.
    const requiredNote = p.required && !has ? "Required." : "";
    const hint = h("span", { class: "hint", id: `${id}-hint` }, requiredNote);
    let input;
    const common = { id, name: p.id, "aria-describedby": `${id}-hint`, "aria-required": p.required ? "true" : null };
    const commit = (value, shown) => this.#commit(n, p, has, cur, value, input, hint, shown);
    switch (p.type) {
      case "select": {
        const opts = (p.options || []).map((o) => h("option", { value: o.id, selected: o.id === cur }, o.name));
        input = h("select", common, h("option", { value: "", selected: !has }, "—"), opts);
        input.addEventListener("change", () => commit(input.value === "" ? undefined : input.value, input.value));
        break;
      }
      case "boolean":
        input = h("input", { ...common, type: "checkbox", checked: cur === true });
        input.addEventListener("change", () => commit(input.checked, String(input.checked)));
        break;
      case "number":
        input = h("input", { ...common, type: "number", step: "any", inputmode: "decimal", value: cur ?? "" });
        input.addEventListener("change", () => {
          if (input.value === "") return commit(undefined, "");
          if (!Number.isFinite(input.valueAsNumber)) return this.#invalid(input, hint, "Enter a number.");
          commit(input.valueAsNumber, input.value);
        });
        break;
      case "currency":
        input = h("input", { ...common, type: "text", inputmode: "decimal", value: cur ?? "", placeholder: "0.00", autocomplete: "off" });
        input.addEventListener("change", () => {
          const v = input.value.trim();
          if (v === "") return commit(undefined, "");
          if (!DECIMAL.test(v)) return this.#invalid(input, hint, "Enter an amount such as 1250.50.");
          commit(v, v);
        });
        break;
      case "date":
        input = h("input", { ...common, type: "date", value: cur ?? "" });
        input.addEventListener("change", () => commit(input.value === "" ? undefined : input.value, input.value));
        break;
      default:
        input = h("input", { ...common, type: "text", value: cur ?? "", autocomplete: "off" });
        input.addEventListener("change", () => commit(input.value === "" ? undefined : input.value, input.value));
    }
    input.dataset.shown = input.type === "checkbox" ? String(input.checked) : input.value;
    // Enter in a text field sends it, as a change does when the field loses focus.
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && input.tagName === "INPUT" && input.type !== "checkbox") {
        e.preventDefault();
        input.dispatchEvent(new Event("change"));
      }
    });
    return h("div", { class: `field field-${p.type}` }, label, input, hint);
  }

  #invalid(input, hint, msg) {
    input.setAttribute("aria-invalid", "true");
    hint.textContent = msg;
    this.app.say(msg);
  }

  // commit sends one property change: undefined clears the property.
  async #commit(n, p, has, cur, value, input, hint, shown) {
    input.removeAttribute("aria-invalid");
    hint.textContent = p.required && value === undefined ? "Required." : "";
    if (value === undefined ? !has : has && cur === value) return;
    if (input.dataset.sent === shown) return; // the change and the Enter key both fired
    input.dataset.sent = shown;
    const ok =
      value === undefined
        ? await this.app.execute("DeleteProperty", { node_id: n.id, property_id: p.id }, `${p.name} cleared`)
        : await this.app.execute("UpdateProperty", { node_id: n.id, property_id: p.id, value }, `${p.name} set`);
    if (!ok) {
      delete input.dataset.sent;
      input.setAttribute("aria-invalid", "true");
      hint.textContent = "Not saved: see the message above.";
    }
  }

  #addChild(n, type, schema) {
    const kinds = (type && type.allowed_children) || [];
    const box = h("section", { class: "add", "aria-labelledby": "add-heading" }, h("h3", { id: "add-heading" }, "Add a child"));
    if (!kinds.length) {
      box.append(h("p", {}, `A ${schema.label(n.type)} holds no children.`));
      return box;
    }
    const sel = h("select", { id: "add-type" }, kinds.map((k) => h("option", { value: k }, schema.label(k))));
    const name = h("input", { id: "add-name", type: "text", autocomplete: "off", placeholder: "Name of the new node" });
    const submit = (e) => {
      e.preventDefault();
      const label = name.value.trim() || `New ${schema.label(sel.value)}`;
      this.app.create({ parent_id: n.id, blueprint_type_id: sel.value, name: label });
      name.value = "";
    };
    box.append(
      h(
        "form",
        { onsubmit: submit },
        h("label", { for: "add-type" }, "Child type"),
        sel,
        h("label", { for: "add-name" }, "Child name"),
        name,
        h("button", { type: "submit" }, "Add"),
      ),
    );
    return box;
  }

  #addRoot(schema) {
    const name = h("input", { id: "add-name", type: "text", autocomplete: "off" });
    return h(
      "form",
      {
        onsubmit: (e) => {
          e.preventDefault();
          this.app.create({ blueprint_type_id: schema.rootType, name: name.value.trim() || schema.label(schema.rootType) });
        },
      },
      h("label", { for: "add-name" }, `New ${schema.label(schema.rootType)} name`),
      name,
      h("button", { type: "submit" }, "Add"),
    );
  }

  #moveForm(n, forest, schema) {
    const box = h("section", { class: "move", "aria-labelledby": "move-heading" }, h("h3", { id: "move-heading" }, "Move"));
    if (n.parent) {
      const sibs = forest.get(n.parent).children;
      const i = sibs.indexOf(n.id);
      const up = siblingMove(forest, n.id, i - 1);
      const down = siblingMove(forest, n.id, i + 1);
      box.append(
        h("div", { class: "buttons" },
          h("button", { type: "button", disabled: !up, onclick: () => up && this.app.move(up, "moved up") }, "Move up"),
          h("button", { type: "button", disabled: !down, onclick: () => down && this.app.move(down, "moved down") }, "Move down"),
        ),
      );
    }
    const targets = moveTargets(forest, schema, n.id);
    if (!targets.length) {
      const atTop = !n.parent && n.type === schema.rootType;
      box.append(h("p", {}, atTop ? "The project's root stays at the top." : "No other place in this project can hold it."));
      return box;
    }
    const sel = h("select", { id: "move-target" },
      targets.map((t) => h("option", { value: t.id }, `${forest.path(t.id).join(" › ")} (${schema.label(t.type)})`)));
    box.append(
      h(
        "form",
        {
          onsubmit: (e) => {
            e.preventDefault();
            const t = forest.get(sel.value);
            if (t) this.app.move({ node_id: n.id, new_parent_id: t.id }, `moved into ${t.name}`);
          },
        },
        h("label", { for: "move-target" }, "Move to"),
        sel,
        h("button", { type: "submit" }, "Move here"),
      ),
    );
    return box;
  }

  #deleteButton(n, forest, schema) {
    if (!canDelete(forest, schema, n.id)) return null;
    const count = [...forest.walk([n.id])].length;
    const what = count > 1 ? `Delete ${n.name} and ${count - 1} below it` : `Delete ${n.name}`;
    return h("div", { class: "danger-zone" },
      h("button", { type: "button", class: "danger", id: "delete-node", onclick: () => this.app.remove(n.id) }, what));
  }
}

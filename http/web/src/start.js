// The start screen: create a project from a template, open a saved one, or
// import a project file. Each ends in a session, which the page then opens
// by putting its id in the URL.

import { h, clear } from "./dom.js";
import * as api from "./api.js";

/**
 * renderStart draws the start screen into root. open(sid) is called with
 * the session a choice produced; fail(err) reports a request that failed.
 */
export async function renderStart(root, { open, fail, notice }) {
  clear(root);
  const status = h("p", { class: "notice", role: "status" }, notice || "");
  const newForm = newProjectForm(open, fail);
  const saved = h("section", { class: "card", "aria-labelledby": "saved-heading" },
    h("h2", { id: "saved-heading" }, "Saved projects"), h("p", {}, "Loading…"));
  root.append(
    h("h1", {}, "Talus Tally"),
    h("p", { class: "lede" }, "Track a hands-on project as a tree: phases, jobs, tasks and parts, live for everyone who has it open."),
    status,
    h("div", { class: "start" }, newForm.el, saved, importForm(open, fail)),
  );

  const [templates, projects] = await Promise.allSettled([api.listTemplates(), api.listProjects()]);
  if (templates.status === "fulfilled") newForm.fill(templates.value.templates);
  else fail(templates.reason);
  clear(saved);
  saved.append(h("h2", { id: "saved-heading" }, "Saved projects"));
  if (projects.status === "rejected") {
    saved.append(h("p", {}, "The saved projects could not be listed."));
    fail(projects.reason);
    return;
  }
  const list = projects.value.projects || [];
  if (!list.length) {
    saved.append(h("p", {}, "No saved projects yet. Save a project to see it here."));
    return;
  }
  saved.append(
    h("ul", { class: "saved" },
      list.map((p) =>
        h("li", {},
          h("span", { class: "title", id: `saved-${p.project_id}` }, p.name),
          h("span", { class: "meta" }, `${p.template_id} · ${p.node_count} nodes · saved ${new Date(p.updated_at).toLocaleString()}`),
          h("button", {
            type: "button",
            "aria-describedby": `saved-${p.project_id}`,
            onclick: async (e) => {
              e.target.disabled = true;
              try {
                open((await api.loadProject(p.project_id)).session_id);
              } catch (err) {
                e.target.disabled = false;
                fail(err);
              }
            },
          }, `Open ${p.name}`),
        ),
      ),
    ),
  );
}

function newProjectForm(open, fail) {
  const tpl = h("select", { id: "new-template", required: true }, h("option", { value: "" }, "Loading templates…"));
  const desc = h("p", { class: "hint", id: "new-template-desc" });
  tpl.setAttribute("aria-describedby", "new-template-desc");
  const name = h("input", { id: "new-name", type: "text", required: true, autocomplete: "off", placeholder: "1969 Camaro" });
  const button = h("button", { type: "submit" }, "Create project");
  let templates = [];
  tpl.addEventListener("change", () => {
    desc.textContent = (templates.find((t) => t.id === tpl.value) || {}).description || "";
  });
  const el = h(
    "section",
    { class: "card", "aria-labelledby": "new-heading" },
    h("h2", { id: "new-heading" }, "New project"),
    h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          if (!tpl.value || !name.value.trim()) return;
          button.disabled = true;
          try {
            open((await api.createProject(tpl.value, name.value.trim())).session_id);
          } catch (err) {
            button.disabled = false;
            fail(err);
          }
        },
      },
      h("label", { for: "new-template" }, "Template"),
      tpl,
      desc,
      h("label", { for: "new-name" }, "Project name"),
      name,
      button,
    ),
  );
  return {
    el,
    fill(list) {
      templates = list;
      clear(tpl);
      for (const t of list) tpl.append(h("option", { value: t.id, selected: t.id === "restomod" }, t.name));
      tpl.dispatchEvent(new Event("change"));
    },
  };
}

function importForm(open, fail) {
  const file = h("input", { id: "import-file", type: "file", accept: ".json,application/json", required: true });
  const button = h("button", { type: "submit" }, "Import");
  return h(
    "section",
    { class: "card", "aria-labelledby": "import-heading" },
    h("h2", { id: "import-heading" }, "Import a project file"),
    h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          const f = file.files && file.files[0];
          if (!f) return;
          button.disabled = true;
          try {
            open((await api.importProject(await f.text())).session_id);
          } catch (err) {
            button.disabled = false;
            fail(err);
          }
        },
      },
      h("label", { for: "import-file" }, "Project file (.json, as exported here or by the prototype)"),
      file,
      button,
    ),
  );
}

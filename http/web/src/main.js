// The page's entry point: it reads the session from the URL
// (#session=<id>), so a second tab or a collaborator opening the same link
// lands in the same live session, and shows the start screen otherwise.

import { h, clear } from "./dom.js";
import * as api from "./api.js";
import { renderStart } from "./start.js";
import { Workspace } from "./workspace.js";

const app = document.getElementById("app");
let workspace = null;
let notice = "";

function sessionFromURL() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return params.get("session") || "";
}

function openSession(sid) {
  location.hash = `session=${encodeURIComponent(sid)}`;
}

function leave(msg) {
  notice = msg || "";
  if (location.hash) location.hash = "";
  else route();
}

function failHere(err) {
  if (err && err.code === "UNAUTHORIZED") return askToken();
  const el = document.getElementById("start-error") || app.appendChild(h("p", { id: "start-error", role: "alert" }));
  el.textContent = (err && err.message) || String(err);
}

// askToken asks for the bearer token of a server run with -token; it is
// kept for this tab only (sessionStorage) and sent on every request.
function askToken() {
  if (document.getElementById("token-form")) return;
  const input = h("input", { id: "token", type: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    {
      id: "token-form",
      class: "card token",
      onsubmit: (e) => {
        e.preventDefault();
        api.setToken(input.value.trim());
        form.remove();
        route();
      },
    },
    h("h2", {}, "Access token needed"),
    h("p", {}, "This server asks for a token. Ask whoever runs it."),
    h("label", { for: "token" }, "Access token"),
    input,
    h("button", { type: "submit" }, "Use token"),
  );
  document.body.prepend(form);
  input.focus();
}

async function route() {
  if (workspace) {
    workspace.destroy();
    workspace = null;
  }
  const sid = sessionFromURL();
  const shown = notice;
  notice = "";
  if (!sid) {
    document.title = "Talus Tally";
    renderStart(app, { open: openSession, fail: failHere, notice: shown });
    return;
  }
  clear(app);
  app.append(h("p", { role: "status" }, "Opening the session…"));
  try {
    const ws = await Workspace.open(app, sid, { leave, needToken: askToken, fail: failHere });
    if (sessionFromURL() !== sid) {
      if (ws) ws.destroy(); // the user went elsewhere while it loaded
      return;
    }
    if (!ws) return leave("That session has no project. Create or open one.");
    workspace = ws;
  } catch (e) {
    if (e.code === "UNAUTHORIZED") {
      clear(app);
      askToken();
    } else if (e.code === "INVALID_SESSION") {
      leave("That session does not exist any more. Start or open a project.");
    } else {
      clear(app);
      app.append(h("p", { role: "alert" }, `The session could not be opened: ${e.message}`),
        h("button", { type: "button", onclick: route }, "Try again"));
    }
  }
}

window.addEventListener("hashchange", route);
route();

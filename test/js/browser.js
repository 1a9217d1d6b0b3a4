// A headless Chromium puppet for the Go browser tests (test/browser_test.go),
// driven like agent.js: one JSON command per line on stdin, one JSON line on
// stdout per answer or page event. It uses playwright-core with Debian's
// /usr/bin/chromium and a fresh profile in a temporary directory.
//
// argv[2] is an optional JSON config: {"args": [extra chromium flags]}.
//
// Elements are named the way a user (or a screen reader) finds them, by
// role and accessible name or by label, so a test also checks the page's
// ARIA: {"role":"treeitem","name":"Bodywork"}, {"label":"Status"},
// {"text":"..."}, {"css":"#connection"}, with optional "exact" (default
// true), "nth", and "within" (another such object).
//
// Commands (each with "ref"; answered {"type":"done","ref",value} or
// {"type":"error","ref","message"}):
//   open {page, url}            a new tab
//   goto {page, url}
//   click|dblclick|focus|check|uncheck {page, el}
//   fill {page, el, value}      select {page, el, label}   files {page, el, path}
//   press {page, el?, key}      drag {page, el, to, position?}
//   wait {page, el, timeout?, count?|text?|textIs?|value?|attr?+is?|attr+isNot|visible?}
//   text|value {page, el}       attr {page, el, name}      count {page, el}
//   eval {page, expr}           screenshot {page, path}     offline {on}
//   download {page, el, path}   click el, save the download at path → {path, name}
//   close
// Page events: {"type":"console"|"pageerror"|"response"|"requestfailed", page, ...}.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");
const { chromium } = require("playwright-core");

const config = process.argv[2] ? JSON.parse(process.argv[2]) : {};
const pages = new Map();
let context = null;
let profile = "";

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function locate(root, spec) {
  if (!spec || typeof spec !== "object") throw new Error(`bad element ${JSON.stringify(spec)}`);
  const base = spec.within ? locate(root, spec.within) : root;
  const exact = spec.exact !== false;
  let loc;
  if (spec.role) {
    const opts = { exact };
    if (spec.name !== undefined) opts.name = spec.name;
    for (const k of ["expanded", "selected", "checked", "disabled", "level"]) {
      if (spec[k] !== undefined) opts[k] = spec[k];
    }
    loc = base.getByRole(spec.role, opts);
  } else if (spec.label) {
    loc = base.getByLabel(spec.label, { exact });
  } else if (spec.text) {
    loc = base.getByText(spec.text, { exact: spec.exact === true });
  } else if (spec.css) {
    loc = base.locator(spec.css);
  } else {
    throw new Error(`element needs role, label, text or css: ${JSON.stringify(spec)}`);
  }
  return spec.nth !== undefined ? loc.nth(spec.nth) : loc;
}

function page(cmd) {
  const p = pages.get(cmd.page);
  if (!p) throw new Error(`no page ${cmd.page}`);
  return p;
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// observe reads what a wait compares, or null when the element is not there.
async function observe(loc, cmd) {
  if (cmd.count !== undefined) return String(await loc.count());
  const first = loc.first();
  if ((await loc.count()) === 0) return null;
  if (cmd.value !== undefined) return await first.inputValue();
  if (cmd.attr !== undefined) return await first.getAttribute(cmd.attr);
  if (cmd.visible !== undefined) return String(await first.isVisible());
  return await first.innerText();
}

function satisfied(got, cmd) {
  if (got === null) return false;
  if (cmd.count !== undefined) return got === String(cmd.count);
  if (cmd.value !== undefined) return got === cmd.value;
  if (cmd.attr !== undefined && cmd.isNot !== undefined) return got !== cmd.isNot;
  if (cmd.attr !== undefined) return cmd.is === undefined ? true : got === cmd.is;
  if (cmd.visible !== undefined) return got === String(cmd.visible);
  if (cmd.textIs !== undefined) return got.trim() === cmd.textIs;
  if (cmd.text !== undefined) return got.includes(cmd.text);
  return true;
}

// wait polls until the condition holds or the timeout passes: a hang guard,
// not a speed requirement (a healthy page answers in milliseconds).
async function wait(cmd) {
  const loc = locate(page(cmd), cmd.el);
  const deadline = Date.now() + (cmd.timeout || 30000);
  let got = null;
  for (;;) {
    try {
      got = await observe(loc, cmd);
    } catch (e) {
      got = `(${e.message.split("\n")[0]})`;
    }
    if (satisfied(got, cmd)) return got;
    if (Date.now() > deadline) {
      throw new Error(`waited ${cmd.timeout || 30000} ms for ${JSON.stringify(cmd.el)} ${JSON.stringify(condition(cmd))}; last saw ${JSON.stringify(got)}`);
    }
    await pause(50);
  }
}

function condition(cmd) {
  const c = {};
  for (const k of ["count", "text", "textIs", "value", "attr", "is", "isNot", "visible"]) if (cmd[k] !== undefined) c[k] = cmd[k];
  return c;
}

function watch(name, p) {
  p.on("console", (m) => out({ type: "console", page: name, level: m.type(), text: m.text() }));
  p.on("pageerror", (e) => out({ type: "pageerror", page: name, text: String(e && e.stack ? e.stack : e) }));
  p.on("response", (r) => out({ type: "response", page: name, url: r.url(), status: r.status(), method: r.request().method() }));
  p.on("requestfailed", (r) => out({ type: "requestfailed", page: name, url: r.url(), method: r.method(), failure: (r.failure() || {}).errorText }));
  p.on("websocket", (ws) => {
    out({ type: "websocket", page: name, url: ws.url() });
    ws.on("socketerror", (err) => out({ type: "websocketerror", page: name, url: ws.url(), text: String(err) }));
  });
}

const handlers = {
  async open(cmd) {
    const p = await context.newPage();
    pages.set(cmd.page, p);
    watch(cmd.page, p);
    await p.goto(cmd.url);
  },
  goto: async (cmd) => void (await page(cmd).goto(cmd.url)),
  click: async (cmd) => void (await locate(page(cmd), cmd.el).click()),
  dblclick: async (cmd) => void (await locate(page(cmd), cmd.el).dblclick()),
  focus: async (cmd) => void (await locate(page(cmd), cmd.el).focus()),
  check: async (cmd) => void (await locate(page(cmd), cmd.el).check()),
  uncheck: async (cmd) => void (await locate(page(cmd), cmd.el).uncheck()),
  fill: async (cmd) => void (await locate(page(cmd), cmd.el).fill(cmd.value)),
  select: async (cmd) => (await locate(page(cmd), cmd.el).selectOption({ label: cmd.label }))[0],
  files: async (cmd) => void (await locate(page(cmd), cmd.el).setInputFiles(cmd.path)),
  async press(cmd) {
    if (cmd.el) await locate(page(cmd), cmd.el).press(cmd.key);
    else await page(cmd).keyboard.press(cmd.key);
  },
  async drag(cmd) {
    const p = page(cmd);
    const opts = cmd.position ? { targetPosition: cmd.position } : {};
    await locate(p, cmd.el).dragTo(locate(p, cmd.to), opts);
  },
  wait,
  text: async (cmd) => await locate(page(cmd), cmd.el).first().innerText(),
  value: async (cmd) => await locate(page(cmd), cmd.el).first().inputValue(),
  attr: async (cmd) => await locate(page(cmd), cmd.el).first().getAttribute(cmd.name),
  count: async (cmd) => await locate(page(cmd), cmd.el).count(),
  eval: async (cmd) => await page(cmd).evaluate(cmd.expr),
  async screenshot(cmd) {
    fs.mkdirSync(path.dirname(cmd.path), { recursive: true });
    await page(cmd).screenshot({ path: cmd.path, fullPage: true });
    return cmd.path;
  },
  offline: async (cmd) => void (await context.setOffline(Boolean(cmd.on))),
  async download(cmd) {
    const p = page(cmd);
    const [d] = await Promise.all([p.waitForEvent("download"), locate(p, cmd.el).click()]);
    fs.mkdirSync(path.dirname(cmd.path), { recursive: true });
    await d.saveAs(cmd.path);
    return { path: cmd.path, name: d.suggestedFilename() };
  },
};

async function closeAll() {
  try {
    if (context) await context.close();
  } catch {
    // the browser is gone already
  }
  context = null;
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  out({ type: "closed" });
  process.stdout.write("", () => process.exit(0));
}

async function main() {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "talus-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1200, height: 820 },
    acceptDownloads: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      ...(config.args || []),
    ],
  });
  context.setDefaultTimeout(30000);
  out({ type: "ready", version: context.browser() ? context.browser().version() : "" });

  // Commands run one at a time, in order, as the Go test sent them.
  let chain = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    chain = chain.then(async () => {
      let cmd;
      try {
        cmd = JSON.parse(line);
      } catch (e) {
        out({ type: "error", ref: 0, message: `bad command: ${e.message}` });
        return;
      }
      if (cmd.op === "close") return closeAll();
      const h = handlers[cmd.op];
      if (!h) {
        out({ type: "error", ref: cmd.ref, message: `unknown op ${cmd.op}` });
        return;
      }
      try {
        const value = await h(cmd);
        out({ type: "done", ref: cmd.ref, value: value === undefined ? null : value });
      } catch (e) {
        out({ type: "error", ref: cmd.ref, message: String(e && e.message ? e.message : e) });
      }
    });
  });
  // The test went away: stop, so no browser outlives it.
  rl.on("close", () => {
    chain = chain.then(closeAll);
  });
}

main().catch((e) => {
  out({ type: "fatal", message: String(e && e.stack ? e.stack : e) });
  process.exit(1);
});

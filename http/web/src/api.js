// The REST client: every call the page makes to /api/v1, one function each.
// Errors arrive as ApiError with the server's code, so the page can tell a
// missing session from a broken rule.

import { uuid } from "./dom.js";

const BASE = "/api/v1";
const TOKEN_KEY = "talus.token";

/** ApiError is a failed request: the HTTP status (0 when the server could
 * not be reached) and the error body's code and message. */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** token is the bearer token this tab holds for a server run with -token. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

/** setToken remembers the token for this tab only. */
export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = typeof body === "string" ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "NETWORK", "The server cannot be reached.");
  }
  return res;
}

async function call(method, path, body) {
  const res = await send(method, path, body);
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    // A proxy's HTML error page, or an empty body: report the status alone.
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || `HTTP_${res.status}`, e.message || res.statusText, e.details);
  }
  return data;
}

const enc = encodeURIComponent;

export const listTemplates = () => call("GET", "/templates");
export const templateSchema = (tid) => call("GET", `/templates/${enc(tid)}/schema`);
export const listProjects = () => call("GET", "/projects");
export const createProject = (templateID, name) =>
  call("POST", "/projects", { template_id: templateID, project_name: name });
export const loadProject = (pid) => call("POST", `/projects/${enc(pid)}/load`, {});
export const getProject = (pid) => call("GET", `/projects/${enc(pid)}`);
export const sessionInfo = (sid) => call("GET", `/sessions/${enc(sid)}/info`);
export const sessionTree = (sid) => call("GET", `/sessions/${enc(sid)}/graph/tree`);
export const saveProject = (pid, sid) => call("POST", `/projects/${enc(pid)}/save`, { session_id: sid });
/** importProject sends a project file's text as the body, as it is. */
export const importProject = (text) => call("POST", "/projects/import", text);

/** retryable says whether the outcome of a request is unknown: sent again
 * with the same command_id, the session answers the first result instead
 * of applying it twice. */
const retryable = (e) => e instanceof ApiError && (e.status === 0 || e.status === 503);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function withRetry(fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e) || attempt >= 2) throw e;
      await pause(500 * (attempt + 1));
    }
  }
}

/** execute runs one command. The tree changes through the socket's events,
 * so the reply leaves the graph out. */
export function execute(sid, commandType, data) {
  const body = { session_id: sid, command_type: commandType, data, include_graph: false, command_id: uuid() };
  return withRetry(() => call("POST", "/commands/execute", body));
}

export function undo(sid) {
  const body = { command_id: uuid() };
  return withRetry(() => call("POST", `/sessions/${enc(sid)}/undo`, body));
}

export function redo(sid) {
  const body = { command_id: uuid() };
  return withRetry(() => call("POST", `/sessions/${enc(sid)}/redo`, body));
}

/** exportProject fetches the project file and the name the server gives it. */
export async function exportProject(pid) {
  const res = await send("GET", `/projects/${enc(pid)}/export`);
  if (!res.ok) {
    let e = {};
    try {
      e = (await res.json()).error || {};
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(res.status, e.code || `HTTP_${res.status}`, e.message || res.statusText);
  }
  const disp = res.headers.get("Content-Disposition") || "";
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disp);
  let filename = "project.json";
  if (m) {
    try {
      filename = decodeURIComponent(m[1]);
    } catch {
      filename = m[1];
    }
  }
  return { blob: await res.blob(), filename };
}

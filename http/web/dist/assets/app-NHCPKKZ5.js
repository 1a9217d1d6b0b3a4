/* Talus Tally web client, built by make web (http/web/build.mjs) from sources sha256:3f594e004d99d1fca32d22bc24a0f074436a3d9c9945bc27af67fb19b12e27fb. Do not edit: change src/ and rebuild. */
var __defProp = Object.defineProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/dom.js
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, val] of Object.entries(attrs)) {
    if (key.startsWith("on") && typeof val === "function") {
      el.addEventListener(key.slice(2), val);
    } else if (key === "value" || key === "checked" || key === "selected" || key === "disabled") {
      el[key] = val;
    } else if (val === true) {
      el.setAttribute(key, "");
    } else if (val !== false && val !== null && val !== void 0) {
      el.setAttribute(key, String(val));
    }
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === null || c === void 0 || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = b[6] & 15 | 64;
  b[8] = b[8] & 63 | 128;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// src/api.js
var BASE = "/api/v1";
var TOKEN_KEY = "talus.token";
var ApiError = class extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
};
function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}
function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}
async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let payload;
  if (body !== void 0) {
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
  }
  if (!res.ok) {
    const e = data && data.error || {};
    throw new ApiError(res.status, e.code || `HTTP_${res.status}`, e.message || res.statusText, e.details);
  }
  return data;
}
var enc = encodeURIComponent;
var listTemplates = () => call("GET", "/templates");
var templateSchema = (tid) => call("GET", `/templates/${enc(tid)}/schema`);
var listProjects = () => call("GET", "/projects");
var createProject = (templateID, name) => call("POST", "/projects", { template_id: templateID, project_name: name });
var loadProject = (pid) => call("POST", `/projects/${enc(pid)}/load`, {});
var getProject = (pid) => call("GET", `/projects/${enc(pid)}`);
var sessionInfo = (sid) => call("GET", `/sessions/${enc(sid)}/info`);
var sessionTree = (sid) => call("GET", `/sessions/${enc(sid)}/graph/tree`);
var saveProject = (pid, sid) => call("POST", `/projects/${enc(pid)}/save`, { session_id: sid });
var importProject = (text) => call("POST", "/projects/import", text);
var retryable = (e) => e instanceof ApiError && (e.status === 0 || e.status === 503);
var pause = (ms) => new Promise((r) => setTimeout(r, ms));
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
function execute(sid, commandType, data) {
  const body = { session_id: sid, command_type: commandType, data, include_graph: false, command_id: uuid() };
  return withRetry(() => call("POST", "/commands/execute", body));
}
function undo(sid) {
  const body = { command_id: uuid() };
  return withRetry(() => call("POST", `/sessions/${enc(sid)}/undo`, body));
}
function redo(sid) {
  const body = { command_id: uuid() };
  return withRetry(() => call("POST", `/sessions/${enc(sid)}/redo`, body));
}
async function exportProject(pid) {
  const res = await send("GET", `/projects/${enc(pid)}/export`);
  if (!res.ok) {
    let e = {};
    try {
      e = (await res.json()).error || {};
    } catch {
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

// src/start.js
async function renderStart(root, { open, fail, notice: notice2 }) {
  clear(root);
  const status = h("p", { class: "notice", role: "status" }, notice2 || "");
  const newForm = newProjectForm(open, fail);
  const saved = h(
    "section",
    { class: "card", "aria-labelledby": "saved-heading" },
    h("h2", { id: "saved-heading" }, "Saved projects"),
    h("p", {}, "Loading…")
  );
  root.append(
    h("h1", {}, "Talus Tally"),
    h("p", { class: "lede" }, "Track a hands-on project as a tree: phases, jobs, tasks and parts, live for everyone who has it open."),
    status,
    h("div", { class: "start" }, newForm.el, saved, importForm(open, fail))
  );
  const [templates, projects] = await Promise.allSettled([listTemplates(), listProjects()]);
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
    h(
      "ul",
      { class: "saved" },
      list.map(
        (p) => h(
          "li",
          {},
          h("span", { class: "title", id: `saved-${p.project_id}` }, p.name),
          h("span", { class: "meta" }, `${p.template_id} · ${p.node_count} nodes · saved ${new Date(p.updated_at).toLocaleString()}`),
          h("button", {
            type: "button",
            "aria-describedby": `saved-${p.project_id}`,
            onclick: async (e) => {
              e.target.disabled = true;
              try {
                open((await loadProject(p.project_id)).session_id);
              } catch (err) {
                e.target.disabled = false;
                fail(err);
              }
            }
          }, `Open ${p.name}`)
        )
      )
    )
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
            open((await createProject(tpl.value, name.value.trim())).session_id);
          } catch (err) {
            button.disabled = false;
            fail(err);
          }
        }
      },
      h("label", { for: "new-template" }, "Template"),
      tpl,
      desc,
      h("label", { for: "new-name" }, "Project name"),
      name,
      button
    )
  );
  return {
    el,
    fill(list) {
      templates = list;
      clear(tpl);
      for (const t of list) tpl.append(h("option", { value: t.id, selected: t.id === "restomod" }, t.name));
      tpl.dispatchEvent(new Event("change"));
    }
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
            open((await importProject(await f.text())).session_id);
          } catch (err) {
            button.disabled = false;
            fail(err);
          }
        }
      },
      h("label", { for: "import-file" }, "Project file (.json, as exported here or by the prototype)"),
      file,
      button
    )
  );
}

// node_modules/engine.io-parser/build/esm/commons.js
var PACKET_TYPES = /* @__PURE__ */ Object.create(null);
PACKET_TYPES["open"] = "0";
PACKET_TYPES["close"] = "1";
PACKET_TYPES["ping"] = "2";
PACKET_TYPES["pong"] = "3";
PACKET_TYPES["message"] = "4";
PACKET_TYPES["upgrade"] = "5";
PACKET_TYPES["noop"] = "6";
var PACKET_TYPES_REVERSE = /* @__PURE__ */ Object.create(null);
Object.keys(PACKET_TYPES).forEach((key) => {
  PACKET_TYPES_REVERSE[PACKET_TYPES[key]] = key;
});
var ERROR_PACKET = { type: "error", data: "parser error" };

// node_modules/engine.io-parser/build/esm/encodePacket.browser.js
var withNativeBlob = typeof Blob === "function" || typeof Blob !== "undefined" && Object.prototype.toString.call(Blob) === "[object BlobConstructor]";
var withNativeArrayBuffer = typeof ArrayBuffer === "function";
var isView = (obj) => {
  return typeof ArrayBuffer.isView === "function" ? ArrayBuffer.isView(obj) : obj && obj.buffer instanceof ArrayBuffer;
};
var encodePacket = ({ type, data }, supportsBinary, callback) => {
  if (withNativeBlob && data instanceof Blob) {
    if (supportsBinary) {
      return callback(data);
    } else {
      return encodeBlobAsBase64(data, callback);
    }
  } else if (withNativeArrayBuffer && (data instanceof ArrayBuffer || isView(data))) {
    if (supportsBinary) {
      return callback(data);
    } else {
      return encodeBlobAsBase64(new Blob([data]), callback);
    }
  }
  return callback(PACKET_TYPES[type] + (data || ""));
};
var encodeBlobAsBase64 = (data, callback) => {
  const fileReader = new FileReader();
  fileReader.onload = function() {
    const content = fileReader.result.split(",")[1];
    callback("b" + (content || ""));
  };
  return fileReader.readAsDataURL(data);
};
function toArray(data) {
  if (data instanceof Uint8Array) {
    return data;
  } else if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  } else {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
}
var TEXT_ENCODER;
function encodePacketToBinary(packet, callback) {
  if (withNativeBlob && packet.data instanceof Blob) {
    return packet.data.arrayBuffer().then(toArray).then(callback);
  } else if (withNativeArrayBuffer && (packet.data instanceof ArrayBuffer || isView(packet.data))) {
    return callback(toArray(packet.data));
  }
  encodePacket(packet, false, (encoded) => {
    if (!TEXT_ENCODER) {
      TEXT_ENCODER = new TextEncoder();
    }
    callback(TEXT_ENCODER.encode(encoded));
  });
}

// node_modules/engine.io-parser/build/esm/contrib/base64-arraybuffer.js
var chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
var lookup = typeof Uint8Array === "undefined" ? [] : new Uint8Array(256);
for (let i = 0; i < chars.length; i++) {
  lookup[chars.charCodeAt(i)] = i;
}
var decode = (base64) => {
  let bufferLength = base64.length * 0.75, len = base64.length, i, p = 0, encoded1, encoded2, encoded3, encoded4;
  if (base64[base64.length - 1] === "=") {
    bufferLength--;
    if (base64[base64.length - 2] === "=") {
      bufferLength--;
    }
  }
  const arraybuffer = new ArrayBuffer(bufferLength), bytes = new Uint8Array(arraybuffer);
  for (i = 0; i < len; i += 4) {
    encoded1 = lookup[base64.charCodeAt(i)];
    encoded2 = lookup[base64.charCodeAt(i + 1)];
    encoded3 = lookup[base64.charCodeAt(i + 2)];
    encoded4 = lookup[base64.charCodeAt(i + 3)];
    bytes[p++] = encoded1 << 2 | encoded2 >> 4;
    bytes[p++] = (encoded2 & 15) << 4 | encoded3 >> 2;
    bytes[p++] = (encoded3 & 3) << 6 | encoded4 & 63;
  }
  return arraybuffer;
};

// node_modules/engine.io-parser/build/esm/decodePacket.browser.js
var withNativeArrayBuffer2 = typeof ArrayBuffer === "function";
var decodePacket = (encodedPacket, binaryType) => {
  if (typeof encodedPacket !== "string") {
    return {
      type: "message",
      data: mapBinary(encodedPacket, binaryType)
    };
  }
  const type = encodedPacket.charAt(0);
  if (type === "b") {
    return {
      type: "message",
      data: decodeBase64Packet(encodedPacket.substring(1), binaryType)
    };
  }
  const packetType = PACKET_TYPES_REVERSE[type];
  if (!packetType) {
    return ERROR_PACKET;
  }
  return encodedPacket.length > 1 ? {
    type: PACKET_TYPES_REVERSE[type],
    data: encodedPacket.substring(1)
  } : {
    type: PACKET_TYPES_REVERSE[type]
  };
};
var decodeBase64Packet = (data, binaryType) => {
  if (withNativeArrayBuffer2) {
    const decoded = decode(data);
    return mapBinary(decoded, binaryType);
  } else {
    return { base64: true, data };
  }
};
var mapBinary = (data, binaryType) => {
  switch (binaryType) {
    case "blob":
      if (data instanceof Blob) {
        return data;
      } else {
        return new Blob([data]);
      }
    case "arraybuffer":
    default:
      if (data instanceof ArrayBuffer) {
        return data;
      } else {
        return data.buffer;
      }
  }
};

// node_modules/engine.io-parser/build/esm/index.js
var SEPARATOR = String.fromCharCode(30);
var encodePayload = (packets, callback) => {
  const length = packets.length;
  const encodedPackets = new Array(length);
  let count = 0;
  packets.forEach((packet, i) => {
    encodePacket(packet, false, (encodedPacket) => {
      encodedPackets[i] = encodedPacket;
      if (++count === length) {
        callback(encodedPackets.join(SEPARATOR));
      }
    });
  });
};
var decodePayload = (encodedPayload, binaryType) => {
  const encodedPackets = encodedPayload.split(SEPARATOR);
  const packets = [];
  for (let i = 0; i < encodedPackets.length; i++) {
    const decodedPacket = decodePacket(encodedPackets[i], binaryType);
    packets.push(decodedPacket);
    if (decodedPacket.type === "error") {
      break;
    }
  }
  return packets;
};
function createPacketEncoderStream() {
  return new TransformStream({
    transform(packet, controller) {
      encodePacketToBinary(packet, (encodedPacket) => {
        const payloadLength = encodedPacket.length;
        let header;
        if (payloadLength < 126) {
          header = new Uint8Array(1);
          new DataView(header.buffer).setUint8(0, payloadLength);
        } else if (payloadLength < 65536) {
          header = new Uint8Array(3);
          const view = new DataView(header.buffer);
          view.setUint8(0, 126);
          view.setUint16(1, payloadLength);
        } else {
          header = new Uint8Array(9);
          const view = new DataView(header.buffer);
          view.setUint8(0, 127);
          view.setBigUint64(1, BigInt(payloadLength));
        }
        if (packet.data && typeof packet.data !== "string") {
          header[0] |= 128;
        }
        controller.enqueue(header);
        controller.enqueue(encodedPacket);
      });
    }
  });
}
var TEXT_DECODER;
function totalLength(chunks) {
  return chunks.reduce((acc, chunk) => acc + chunk.length, 0);
}
function concatChunks(chunks, size) {
  if (chunks[0].length === size) {
    return chunks.shift();
  }
  const buffer = new Uint8Array(size);
  let j = 0;
  for (let i = 0; i < size; i++) {
    buffer[i] = chunks[0][j++];
    if (j === chunks[0].length) {
      chunks.shift();
      j = 0;
    }
  }
  if (chunks.length && j < chunks[0].length) {
    chunks[0] = chunks[0].slice(j);
  }
  return buffer;
}
function createPacketDecoderStream(maxPayload, binaryType) {
  if (!TEXT_DECODER) {
    TEXT_DECODER = new TextDecoder();
  }
  const chunks = [];
  let state = 0;
  let expectedLength = -1;
  let isBinary2 = false;
  return new TransformStream({
    transform(chunk, controller) {
      chunks.push(chunk);
      while (true) {
        if (state === 0) {
          if (totalLength(chunks) < 1) {
            break;
          }
          const header = concatChunks(chunks, 1);
          isBinary2 = (header[0] & 128) === 128;
          expectedLength = header[0] & 127;
          if (expectedLength < 126) {
            state = 3;
          } else if (expectedLength === 126) {
            state = 1;
          } else {
            state = 2;
          }
        } else if (state === 1) {
          if (totalLength(chunks) < 2) {
            break;
          }
          const headerArray = concatChunks(chunks, 2);
          expectedLength = new DataView(headerArray.buffer, headerArray.byteOffset, headerArray.length).getUint16(0);
          state = 3;
        } else if (state === 2) {
          if (totalLength(chunks) < 8) {
            break;
          }
          const headerArray = concatChunks(chunks, 8);
          const view = new DataView(headerArray.buffer, headerArray.byteOffset, headerArray.length);
          const n = view.getUint32(0);
          if (n > Math.pow(2, 53 - 32) - 1) {
            controller.enqueue(ERROR_PACKET);
            break;
          }
          expectedLength = n * Math.pow(2, 32) + view.getUint32(4);
          state = 3;
        } else {
          if (totalLength(chunks) < expectedLength) {
            break;
          }
          const data = concatChunks(chunks, expectedLength);
          controller.enqueue(decodePacket(isBinary2 ? data : TEXT_DECODER.decode(data), binaryType));
          state = 0;
        }
        if (expectedLength === 0 || expectedLength > maxPayload) {
          controller.enqueue(ERROR_PACKET);
          break;
        }
      }
    }
  });
}
var protocol = 4;

// node_modules/@socket.io/component-emitter/lib/esm/index.js
function Emitter(obj) {
  if (obj) return mixin(obj);
}
function mixin(obj) {
  for (var key in Emitter.prototype) {
    obj[key] = Emitter.prototype[key];
  }
  return obj;
}
Emitter.prototype.on = Emitter.prototype.addEventListener = function(event, fn) {
  this._callbacks = this._callbacks || {};
  (this._callbacks["$" + event] = this._callbacks["$" + event] || []).push(fn);
  return this;
};
Emitter.prototype.once = function(event, fn) {
  function on2() {
    this.off(event, on2);
    fn.apply(this, arguments);
  }
  on2.fn = fn;
  this.on(event, on2);
  return this;
};
Emitter.prototype.off = Emitter.prototype.removeListener = Emitter.prototype.removeAllListeners = Emitter.prototype.removeEventListener = function(event, fn) {
  this._callbacks = this._callbacks || {};
  if (0 == arguments.length) {
    this._callbacks = {};
    return this;
  }
  var callbacks = this._callbacks["$" + event];
  if (!callbacks) return this;
  if (1 == arguments.length) {
    delete this._callbacks["$" + event];
    return this;
  }
  var cb;
  for (var i = 0; i < callbacks.length; i++) {
    cb = callbacks[i];
    if (cb === fn || cb.fn === fn) {
      callbacks.splice(i, 1);
      break;
    }
  }
  if (callbacks.length === 0) {
    delete this._callbacks["$" + event];
  }
  return this;
};
Emitter.prototype.emit = function(event) {
  this._callbacks = this._callbacks || {};
  var args = new Array(arguments.length - 1), callbacks = this._callbacks["$" + event];
  for (var i = 1; i < arguments.length; i++) {
    args[i - 1] = arguments[i];
  }
  if (callbacks) {
    callbacks = callbacks.slice(0);
    for (var i = 0, len = callbacks.length; i < len; ++i) {
      callbacks[i].apply(this, args);
    }
  }
  return this;
};
Emitter.prototype.emitReserved = Emitter.prototype.emit;
Emitter.prototype.listeners = function(event) {
  this._callbacks = this._callbacks || {};
  return this._callbacks["$" + event] || [];
};
Emitter.prototype.hasListeners = function(event) {
  return !!this.listeners(event).length;
};

// node_modules/engine.io-client/build/esm/globals.js
var nextTick = (() => {
  const isPromiseAvailable = typeof Promise === "function" && typeof Promise.resolve === "function";
  if (isPromiseAvailable) {
    return (cb) => Promise.resolve().then(cb);
  } else {
    return (cb, setTimeoutFn) => setTimeoutFn(cb, 0);
  }
})();
var globalThisShim = (() => {
  if (typeof self !== "undefined") {
    return self;
  } else if (typeof window !== "undefined") {
    return window;
  } else {
    return Function("return this")();
  }
})();
var defaultBinaryType = "arraybuffer";
function createCookieJar() {
}

// node_modules/engine.io-client/build/esm/util.js
function pick(obj, ...attr) {
  return attr.reduce((acc, k) => {
    if (obj.hasOwnProperty(k)) {
      acc[k] = obj[k];
    }
    return acc;
  }, {});
}
var NATIVE_SET_TIMEOUT = globalThisShim.setTimeout;
var NATIVE_CLEAR_TIMEOUT = globalThisShim.clearTimeout;
function installTimerFunctions(obj, opts) {
  if (opts.useNativeTimers) {
    obj.setTimeoutFn = NATIVE_SET_TIMEOUT.bind(globalThisShim);
    obj.clearTimeoutFn = NATIVE_CLEAR_TIMEOUT.bind(globalThisShim);
  } else {
    obj.setTimeoutFn = globalThisShim.setTimeout.bind(globalThisShim);
    obj.clearTimeoutFn = globalThisShim.clearTimeout.bind(globalThisShim);
  }
}
var BASE64_OVERHEAD = 1.33;
function byteLength(obj) {
  if (typeof obj === "string") {
    return utf8Length(obj);
  }
  return Math.ceil((obj.byteLength || obj.size) * BASE64_OVERHEAD);
}
function utf8Length(str) {
  let c = 0, length = 0;
  for (let i = 0, l = str.length; i < l; i++) {
    c = str.charCodeAt(i);
    if (c < 128) {
      length += 1;
    } else if (c < 2048) {
      length += 2;
    } else if (c < 55296 || c >= 57344) {
      length += 3;
    } else {
      i++;
      length += 4;
    }
  }
  return length;
}
function randomString() {
  return Date.now().toString(36).substring(3) + Math.random().toString(36).substring(2, 5);
}

// node_modules/engine.io-client/build/esm/contrib/parseqs.js
function encode(obj) {
  let str = "";
  for (let i in obj) {
    if (obj.hasOwnProperty(i)) {
      if (str.length)
        str += "&";
      str += encodeURIComponent(i) + "=" + encodeURIComponent(obj[i]);
    }
  }
  return str;
}
function decode2(qs) {
  let qry = {};
  let pairs = qs.split("&");
  for (let i = 0, l = pairs.length; i < l; i++) {
    let pair = pairs[i].split("=");
    qry[decodeURIComponent(pair[0])] = decodeURIComponent(pair.slice(1).join("="));
  }
  return qry;
}

// node_modules/engine.io-client/build/esm/transport.js
var TransportError = class extends Error {
  constructor(reason, description, context) {
    super(reason);
    this.description = description;
    this.context = context;
    this.type = "TransportError";
  }
};
var Transport = class extends Emitter {
  /**
   * Transport abstract constructor.
   *
   * @param {Object} opts - options
   * @protected
   */
  constructor(opts) {
    super();
    this.writable = false;
    installTimerFunctions(this, opts);
    this.opts = opts;
    this.query = opts.query;
    this.socket = opts.socket;
    this.supportsBinary = !opts.forceBase64;
  }
  /**
   * Emits an error.
   *
   * @param {String} reason
   * @param description
   * @param context - the error context
   * @return {Transport} for chaining
   * @protected
   */
  onError(reason, description, context) {
    super.emitReserved("error", new TransportError(reason, description, context));
    return this;
  }
  /**
   * Opens the transport.
   */
  open() {
    this.readyState = "opening";
    this.doOpen();
    return this;
  }
  /**
   * Closes the transport.
   */
  close() {
    if (this.readyState === "opening" || this.readyState === "open") {
      this.doClose();
      this.onClose();
    }
    return this;
  }
  /**
   * Sends multiple packets.
   *
   * @param {Array} packets
   */
  send(packets) {
    if (this.readyState === "open") {
      this.write(packets);
    } else {
    }
  }
  /**
   * Called upon open
   *
   * @protected
   */
  onOpen() {
    this.readyState = "open";
    this.writable = true;
    super.emitReserved("open");
  }
  /**
   * Called with data.
   *
   * @param {String} data
   * @protected
   */
  onData(data) {
    const packet = decodePacket(data, this.socket.binaryType);
    this.onPacket(packet);
  }
  /**
   * Called with a decoded packet.
   *
   * @protected
   */
  onPacket(packet) {
    super.emitReserved("packet", packet);
  }
  /**
   * Called upon close.
   *
   * @protected
   */
  onClose(details) {
    this.readyState = "closed";
    super.emitReserved("close", details);
  }
  /**
   * Pauses the transport, in order not to lose packets during an upgrade.
   *
   * @param onPause
   */
  pause(onPause) {
  }
  createUri(schema, query = {}) {
    return schema + "://" + this._hostname() + this._port() + this.opts.path + this._query(query);
  }
  _hostname() {
    const hostname = this.opts.hostname;
    return hostname.indexOf(":") === -1 ? hostname : "[" + hostname + "]";
  }
  _port() {
    if (this.opts.port && (this.opts.secure && Number(this.opts.port) !== 443 || !this.opts.secure && Number(this.opts.port) !== 80)) {
      return ":" + this.opts.port;
    } else {
      return "";
    }
  }
  _query(query) {
    const encodedQuery = encode(query);
    return encodedQuery.length ? "?" + encodedQuery : "";
  }
};

// node_modules/engine.io-client/build/esm/transports/polling.js
var Polling = class extends Transport {
  constructor() {
    super(...arguments);
    this._polling = false;
  }
  get name() {
    return "polling";
  }
  /**
   * Opens the socket (triggers polling). We write a PING message to determine
   * when the transport is open.
   *
   * @protected
   */
  doOpen() {
    this._poll();
  }
  /**
   * Pauses polling.
   *
   * @param {Function} onPause - callback upon buffers are flushed and transport is paused
   * @package
   */
  pause(onPause) {
    this.readyState = "pausing";
    const pause2 = () => {
      this.readyState = "paused";
      onPause();
    };
    if (this._polling || !this.writable) {
      let total = 0;
      if (this._polling) {
        total++;
        this.once("pollComplete", function() {
          --total || pause2();
        });
      }
      if (!this.writable) {
        total++;
        this.once("drain", function() {
          --total || pause2();
        });
      }
    } else {
      pause2();
    }
  }
  /**
   * Starts polling cycle.
   *
   * @private
   */
  _poll() {
    this._polling = true;
    this.doPoll();
    this.emitReserved("poll");
  }
  /**
   * Overloads onData to detect payloads.
   *
   * @protected
   */
  onData(data) {
    const callback = (packet) => {
      if ("opening" === this.readyState && packet.type === "open") {
        this.onOpen();
      }
      if ("close" === packet.type) {
        this.onClose({ description: "transport closed by the server" });
        return false;
      }
      this.onPacket(packet);
    };
    decodePayload(data, this.socket.binaryType).forEach(callback);
    if ("closed" !== this.readyState) {
      this._polling = false;
      this.emitReserved("pollComplete");
      if ("open" === this.readyState) {
        this._poll();
      } else {
      }
    }
  }
  /**
   * For polling, send a close packet.
   *
   * @protected
   */
  doClose() {
    const close = () => {
      this.write([{ type: "close" }]);
    };
    if ("open" === this.readyState) {
      close();
    } else {
      this.once("open", close);
    }
  }
  /**
   * Writes a packets payload.
   *
   * @param {Array} packets - data packets
   * @protected
   */
  write(packets) {
    this.writable = false;
    encodePayload(packets, (data) => {
      this.doWrite(data, () => {
        this.writable = true;
        this.emitReserved("drain");
      });
    });
  }
  /**
   * Generates uri for connection.
   *
   * @private
   */
  uri() {
    const schema = this.opts.secure ? "https" : "http";
    const query = this.query || {};
    if (false !== this.opts.timestampRequests) {
      query[this.opts.timestampParam] = randomString();
    }
    if (!this.supportsBinary && !query.sid) {
      query.b64 = 1;
    }
    return this.createUri(schema, query);
  }
};

// node_modules/engine.io-client/build/esm/contrib/has-cors.js
var value = false;
try {
  value = typeof XMLHttpRequest !== "undefined" && "withCredentials" in new XMLHttpRequest();
} catch (err) {
}
var hasCORS = value;

// node_modules/engine.io-client/build/esm/transports/polling-xhr.js
function empty() {
}
var BaseXHR = class extends Polling {
  /**
   * XHR Polling constructor.
   *
   * @param {Object} opts
   * @package
   */
  constructor(opts) {
    super(opts);
    if (typeof location !== "undefined") {
      const isSSL = "https:" === location.protocol;
      let port = location.port;
      if (!port) {
        port = isSSL ? "443" : "80";
      }
      this.xd = typeof location !== "undefined" && opts.hostname !== location.hostname || port !== opts.port;
    }
  }
  /**
   * Sends data.
   *
   * @param {String} data - data to send.
   * @param {Function} fn - called upon flush.
   * @private
   */
  doWrite(data, fn) {
    const req = this.request({
      method: "POST",
      data
    });
    req.on("success", fn);
    req.on("error", (xhrStatus, context) => {
      this.onError("xhr post error", xhrStatus, context);
    });
  }
  /**
   * Starts a poll cycle.
   *
   * @private
   */
  doPoll() {
    const req = this.request();
    req.on("data", this.onData.bind(this));
    req.on("error", (xhrStatus, context) => {
      this.onError("xhr poll error", xhrStatus, context);
    });
    this.pollXhr = req;
  }
};
var Request = class _Request extends Emitter {
  /**
   * Request constructor
   *
   * @param {Object} options
   * @package
   */
  constructor(createRequest, uri, opts) {
    super();
    this.createRequest = createRequest;
    installTimerFunctions(this, opts);
    this._opts = opts;
    this._method = opts.method || "GET";
    this._uri = uri;
    this._data = void 0 !== opts.data ? opts.data : null;
    this._create();
  }
  /**
   * Creates the XHR object and sends the request.
   *
   * @private
   */
  _create() {
    var _a;
    const opts = pick(this._opts, "agent", "pfx", "key", "passphrase", "cert", "ca", "ciphers", "rejectUnauthorized", "autoUnref");
    opts.xdomain = !!this._opts.xd;
    const xhr = this._xhr = this.createRequest(opts);
    try {
      xhr.open(this._method, this._uri, true);
      try {
        if (this._opts.extraHeaders) {
          xhr.setDisableHeaderCheck && xhr.setDisableHeaderCheck(true);
          for (let i in this._opts.extraHeaders) {
            if (this._opts.extraHeaders.hasOwnProperty(i)) {
              xhr.setRequestHeader(i, this._opts.extraHeaders[i]);
            }
          }
        }
      } catch (e) {
      }
      if ("POST" === this._method) {
        try {
          xhr.setRequestHeader("Content-type", "text/plain;charset=UTF-8");
        } catch (e) {
        }
      }
      try {
        xhr.setRequestHeader("Accept", "*/*");
      } catch (e) {
      }
      (_a = this._opts.cookieJar) === null || _a === void 0 ? void 0 : _a.addCookies(xhr);
      if ("withCredentials" in xhr) {
        xhr.withCredentials = this._opts.withCredentials;
      }
      if (this._opts.requestTimeout) {
        xhr.timeout = this._opts.requestTimeout;
      }
      xhr.onreadystatechange = () => {
        var _a2;
        if (xhr.readyState === 3) {
          (_a2 = this._opts.cookieJar) === null || _a2 === void 0 ? void 0 : _a2.parseCookies(
            // @ts-ignore
            xhr.getResponseHeader("set-cookie")
          );
        }
        if (4 !== xhr.readyState)
          return;
        if (200 === xhr.status || 1223 === xhr.status) {
          this._onLoad();
        } else {
          this.setTimeoutFn(() => {
            this._onError(typeof xhr.status === "number" ? xhr.status : 0);
          }, 0);
        }
      };
      xhr.send(this._data);
    } catch (e) {
      this.setTimeoutFn(() => {
        this._onError(e);
      }, 0);
      return;
    }
    if (typeof document !== "undefined") {
      this._index = _Request.requestsCount++;
      _Request.requests[this._index] = this;
    }
  }
  /**
   * Called upon error.
   *
   * @private
   */
  _onError(err) {
    this.emitReserved("error", err, this._xhr);
    this._cleanup(true);
  }
  /**
   * Cleans up house.
   *
   * @private
   */
  _cleanup(fromError) {
    if ("undefined" === typeof this._xhr || null === this._xhr) {
      return;
    }
    this._xhr.onreadystatechange = empty;
    if (fromError) {
      try {
        this._xhr.abort();
      } catch (e) {
      }
    }
    if (typeof document !== "undefined") {
      delete _Request.requests[this._index];
    }
    this._xhr = null;
  }
  /**
   * Called upon load.
   *
   * @private
   */
  _onLoad() {
    const data = this._xhr.responseText;
    if (data !== null) {
      this.emitReserved("data", data);
      this.emitReserved("success");
      this._cleanup();
    }
  }
  /**
   * Aborts the request.
   *
   * @package
   */
  abort() {
    this._cleanup();
  }
};
Request.requestsCount = 0;
Request.requests = {};
if (typeof document !== "undefined") {
  if (typeof attachEvent === "function") {
    attachEvent("onunload", unloadHandler);
  } else if (typeof addEventListener === "function") {
    const terminationEvent = "onpagehide" in globalThisShim ? "pagehide" : "unload";
    addEventListener(terminationEvent, unloadHandler, false);
  }
}
function unloadHandler() {
  for (let i in Request.requests) {
    if (Request.requests.hasOwnProperty(i)) {
      Request.requests[i].abort();
    }
  }
}
var hasXHR2 = (function() {
  const xhr = newRequest({
    xdomain: false
  });
  return xhr && xhr.responseType !== null;
})();
var XHR = class extends BaseXHR {
  constructor(opts) {
    super(opts);
    const forceBase64 = opts && opts.forceBase64;
    this.supportsBinary = hasXHR2 && !forceBase64;
  }
  request(opts = {}) {
    Object.assign(opts, { xd: this.xd }, this.opts);
    return new Request(newRequest, this.uri(), opts);
  }
};
function newRequest(opts) {
  const xdomain = opts.xdomain;
  try {
    if ("undefined" !== typeof XMLHttpRequest && (!xdomain || hasCORS)) {
      return new XMLHttpRequest();
    }
  } catch (e) {
  }
  if (!xdomain) {
    try {
      return new globalThisShim[["Active"].concat("Object").join("X")]("Microsoft.XMLHTTP");
    } catch (e) {
    }
  }
}

// node_modules/engine.io-client/build/esm/transports/websocket.js
var isReactNative = typeof navigator !== "undefined" && typeof navigator.product === "string" && navigator.product.toLowerCase() === "reactnative";
var BaseWS = class extends Transport {
  get name() {
    return "websocket";
  }
  doOpen() {
    const uri = this.uri();
    const protocols = this.opts.protocols;
    const opts = isReactNative ? {} : pick(this.opts, "agent", "perMessageDeflate", "pfx", "key", "passphrase", "cert", "ca", "ciphers", "rejectUnauthorized", "localAddress", "protocolVersion", "origin", "maxPayload", "family", "checkServerIdentity");
    if (this.opts.extraHeaders) {
      opts.headers = this.opts.extraHeaders;
    }
    try {
      this.ws = this.createSocket(uri, protocols, opts);
    } catch (err) {
      return this.emitReserved("error", err);
    }
    this.ws.binaryType = this.socket.binaryType;
    this.addEventListeners();
  }
  /**
   * Adds event listeners to the socket
   *
   * @private
   */
  addEventListeners() {
    this.ws.onopen = () => {
      if (this.opts.autoUnref) {
        this.ws._socket.unref();
      }
      this.onOpen();
    };
    this.ws.onclose = (closeEvent) => this.onClose({
      description: "websocket connection closed",
      context: closeEvent
    });
    this.ws.onmessage = (ev) => this.onData(ev.data);
    this.ws.onerror = (e) => this.onError("websocket error", e);
  }
  write(packets) {
    this.writable = false;
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i];
      const lastPacket = i === packets.length - 1;
      encodePacket(packet, this.supportsBinary, (data) => {
        try {
          this.doWrite(packet, data);
        } catch (e) {
        }
        if (lastPacket) {
          nextTick(() => {
            this.writable = true;
            this.emitReserved("drain");
          }, this.setTimeoutFn);
        }
      });
    }
  }
  doClose() {
    if (typeof this.ws !== "undefined") {
      this.ws.onerror = () => {
      };
      this.ws.close();
      this.ws = null;
    }
  }
  /**
   * Generates uri for connection.
   *
   * @private
   */
  uri() {
    const schema = this.opts.secure ? "wss" : "ws";
    const query = this.query || {};
    if (this.opts.timestampRequests) {
      query[this.opts.timestampParam] = randomString();
    }
    if (!this.supportsBinary) {
      query.b64 = 1;
    }
    return this.createUri(schema, query);
  }
};
var WebSocketCtor = globalThisShim.WebSocket || globalThisShim.MozWebSocket;
var WS = class extends BaseWS {
  createSocket(uri, protocols, opts) {
    return !isReactNative ? protocols ? new WebSocketCtor(uri, protocols) : new WebSocketCtor(uri) : new WebSocketCtor(uri, protocols, opts);
  }
  doWrite(_packet, data) {
    this.ws.send(data);
  }
};

// node_modules/engine.io-client/build/esm/transports/webtransport.js
var WT = class extends Transport {
  get name() {
    return "webtransport";
  }
  doOpen() {
    try {
      this._transport = new WebTransport(this.createUri("https"), this.opts.transportOptions[this.name]);
    } catch (err) {
      return this.emitReserved("error", err);
    }
    this._transport.closed.then(() => {
      this.onClose();
    }).catch((err) => {
      this.onError("webtransport error", err);
    });
    this._transport.ready.then(() => {
      this._transport.createBidirectionalStream().then((stream) => {
        const decoderStream = createPacketDecoderStream(Number.MAX_SAFE_INTEGER, this.socket.binaryType);
        const reader = stream.readable.pipeThrough(decoderStream).getReader();
        const encoderStream = createPacketEncoderStream();
        encoderStream.readable.pipeTo(stream.writable);
        this._writer = encoderStream.writable.getWriter();
        const read = () => {
          reader.read().then(({ done, value: value2 }) => {
            if (done) {
              return;
            }
            this.onPacket(value2);
            read();
          }).catch((err) => {
          });
        };
        read();
        const packet = { type: "open" };
        if (this.query.sid) {
          packet.data = `{"sid":"${this.query.sid}"}`;
        }
        this._writer.write(packet).then(() => this.onOpen());
      });
    });
  }
  write(packets) {
    this.writable = false;
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i];
      const lastPacket = i === packets.length - 1;
      this._writer.write(packet).then(() => {
        if (lastPacket) {
          nextTick(() => {
            this.writable = true;
            this.emitReserved("drain");
          }, this.setTimeoutFn);
        }
      });
    }
  }
  doClose() {
    var _a;
    (_a = this._transport) === null || _a === void 0 ? void 0 : _a.close();
  }
};

// node_modules/engine.io-client/build/esm/transports/index.js
var transports = {
  websocket: WS,
  webtransport: WT,
  polling: XHR
};

// node_modules/engine.io-client/build/esm/contrib/parseuri.js
var re = /^(?:(?![^:@\/?#]+:[^:@\/]*@)(http|https|ws|wss):\/\/)?((?:(([^:@\/?#]*)(?::([^:@\/?#]*))?)?@)?((?:[a-f0-9]{0,4}:){2,7}[a-f0-9]{0,4}|[^:\/?#]*)(?::(\d*))?)(((\/(?:[^?#](?![^?#\/]*\.[^?#\/.]+(?:[?#]|$)))*\/?)?([^?#\/]*))(?:\?([^#]*))?(?:#(.*))?)/;
var parts = [
  "source",
  "protocol",
  "authority",
  "userInfo",
  "user",
  "password",
  "host",
  "port",
  "relative",
  "path",
  "directory",
  "file",
  "query",
  "anchor"
];
function parse(str) {
  if (str.length > 8e3) {
    throw "URI too long";
  }
  const src = str, b = str.indexOf("["), e = str.indexOf("]");
  if (b != -1 && e != -1) {
    str = str.substring(0, b) + str.substring(b, e).replace(/:/g, ";") + str.substring(e, str.length);
  }
  let m = re.exec(str || ""), uri = {}, i = 14;
  while (i--) {
    uri[parts[i]] = m[i] || "";
  }
  if (b != -1 && e != -1) {
    uri.source = src;
    uri.host = uri.host.substring(1, uri.host.length - 1).replace(/;/g, ":");
    uri.authority = uri.authority.replace("[", "").replace("]", "").replace(/;/g, ":");
    uri.ipv6uri = true;
  }
  uri.pathNames = pathNames(uri, uri["path"]);
  uri.queryKey = queryKey(uri, uri["query"]);
  return uri;
}
function pathNames(obj, path) {
  const regx = /\/{2,9}/g, names = path.replace(regx, "/").split("/");
  if (path.slice(0, 1) == "/" || path.length === 0) {
    names.splice(0, 1);
  }
  if (path.slice(-1) == "/") {
    names.splice(names.length - 1, 1);
  }
  return names;
}
function queryKey(uri, query) {
  const data = {};
  query.replace(/(?:^|&)([^&=]*)=?([^&]*)/g, function($0, $1, $2) {
    if ($1) {
      data[$1] = $2;
    }
  });
  return data;
}

// node_modules/engine.io-client/build/esm/socket.js
var withEventListeners = typeof addEventListener === "function" && typeof removeEventListener === "function";
var OFFLINE_EVENT_LISTENERS = [];
if (withEventListeners) {
  addEventListener("offline", () => {
    OFFLINE_EVENT_LISTENERS.forEach((listener) => listener());
  }, false);
}
var Socket = class _Socket extends Emitter {
  constructor(uri, opts = {}) {
    var _a, _b;
    super();
    this.binaryType = defaultBinaryType;
    this.writeBuffer = [];
    this._prevBufferLen = 0;
    this._upgrades = [];
    this._pingInterval = -1;
    this._pingTimeout = -1;
    this._maxPayload = -1;
    this._pingTimeoutTime = Infinity;
    if (uri && "object" === typeof uri) {
      opts = uri;
      uri = null;
    }
    if (uri) {
      const parsedUri = parse(uri);
      opts.hostname = parsedUri.host;
      opts.secure = parsedUri.protocol === "https" || parsedUri.protocol === "wss";
      opts.port = parsedUri.port;
      if (parsedUri.query)
        opts.query = parsedUri.query;
    } else if (opts.host) {
      opts.hostname = parse(opts.host).host;
    }
    installTimerFunctions(this, opts);
    this.secure = null != opts.secure ? opts.secure : typeof location !== "undefined" && "https:" === location.protocol;
    if (opts.hostname && !opts.port) {
      opts.port = this.secure ? "443" : "80";
    }
    this.hostname = opts.hostname || (typeof location !== "undefined" ? location.hostname : "localhost");
    this.port = opts.port || (typeof location !== "undefined" && location.port ? location.port : this.secure ? "443" : "80");
    if (opts.transportImplementations && opts.transports) {
      throw new Error("specifying both 'transportImplementations' and 'transports' options is not supported");
    }
    if (opts.transportImplementations || ((_a = opts.transports) === null || _a === void 0 ? void 0 : _a.length) && typeof opts.transports[0] === "function") {
      this.transports = [];
      this._transportsByName = /* @__PURE__ */ Object.create(null);
      ((_b = opts.transportImplementations) !== null && _b !== void 0 ? _b : opts.transports).forEach((t) => {
        const transportName = t.prototype.name;
        this.transports.push(transportName);
        this._transportsByName[transportName] = t;
      });
    } else {
      this.transports = opts.transports ? [...opts.transports] : ["polling", "websocket", "webtransport"];
      this._transportsByName = transports;
    }
    this.opts = Object.assign({
      path: "/engine.io",
      agent: false,
      withCredentials: false,
      upgrade: true,
      timestampParam: "t",
      rememberUpgrade: false,
      addTrailingSlash: true,
      rejectUnauthorized: true,
      perMessageDeflate: {
        threshold: 1024
      },
      transportOptions: {},
      closeOnBeforeunload: false
    }, opts);
    this.opts.path = this.opts.path.replace(/\/$/, "") + (this.opts.addTrailingSlash ? "/" : "");
    if (typeof this.opts.query === "string") {
      this.opts.query = decode2(this.opts.query);
    }
    if (withEventListeners) {
      if (this.opts.closeOnBeforeunload) {
        this._beforeunloadEventListener = () => {
          if (this.transport) {
            this.transport.removeAllListeners();
            this.transport.close();
          }
        };
        addEventListener("beforeunload", this._beforeunloadEventListener, false);
      }
      if (this.hostname !== "localhost") {
        this._offlineEventListener = () => {
          this._onClose("transport close", {
            description: "network connection lost"
          });
        };
        OFFLINE_EVENT_LISTENERS.push(this._offlineEventListener);
      }
    }
    if (this.opts.withCredentials) {
      this._cookieJar = createCookieJar();
    }
    this._open();
  }
  /**
   * Creates transport of the given type.
   *
   * @param {String} name - transport name
   * @return {Transport}
   * @private
   */
  createTransport(name) {
    const query = Object.assign({}, this.opts.query);
    query.EIO = protocol;
    query.transport = name;
    if (this.id)
      query.sid = this.id;
    const opts = Object.assign({}, this.opts, {
      query,
      socket: this,
      hostname: this.hostname,
      secure: this.secure,
      port: this.port
    }, this.opts.transportOptions[name]);
    return new this._transportsByName[name](opts);
  }
  /**
   * Initializes transport to use and starts probe.
   *
   * @private
   */
  _open() {
    if (this.transports.length === 0) {
      this.setTimeoutFn(() => {
        this.emitReserved("error", "No transports available");
      }, 0);
      return;
    }
    const transportName = this.opts.rememberUpgrade && _Socket.priorWebsocketSuccess && this.transports.indexOf("websocket") !== -1 ? "websocket" : this.transports[0];
    this.readyState = "opening";
    const transport = this.createTransport(transportName);
    transport.open();
    this.setTransport(transport);
  }
  /**
   * Sets the current transport. Disables the existing one (if any).
   *
   * @private
   */
  setTransport(transport) {
    if (this.transport) {
      this.transport.removeAllListeners();
    }
    this.transport = transport;
    transport.on("drain", this._onDrain.bind(this)).on("packet", this._onPacket.bind(this)).on("error", this._onError.bind(this)).on("close", (reason) => this._onClose("transport close", reason));
  }
  /**
   * Probes a transport.
   *
   * @param {String} name - transport name
   * @private
   */
  _probe(name) {
    let transport = this.createTransport(name);
    let failed = false;
    _Socket.priorWebsocketSuccess = false;
    const onTransportOpen = () => {
      if (failed)
        return;
      transport.send([{ type: "ping", data: "probe" }]);
      transport.once("packet", (msg) => {
        if (failed)
          return;
        if ("pong" === msg.type && "probe" === msg.data) {
          this.upgrading = true;
          this.emitReserved("upgrading", transport);
          if (!transport)
            return;
          _Socket.priorWebsocketSuccess = "websocket" === transport.name;
          this.transport.pause(() => {
            if (failed)
              return;
            if ("closed" === this.readyState)
              return;
            cleanup();
            this.setTransport(transport);
            transport.send([{ type: "upgrade" }]);
            this.emitReserved("upgrade", transport);
            transport = null;
            this.upgrading = false;
            this.flush();
          });
        } else {
          const err = new Error("probe error");
          err.transport = transport.name;
          this.emitReserved("upgradeError", err);
        }
      });
    };
    function freezeTransport() {
      if (failed)
        return;
      failed = true;
      cleanup();
      transport.close();
      transport = null;
    }
    const onerror = (err) => {
      const error = new Error("probe error: " + err);
      error.transport = transport.name;
      freezeTransport();
      this.emitReserved("upgradeError", error);
    };
    function onTransportClose() {
      onerror("transport closed");
    }
    function onclose() {
      onerror("socket closed");
    }
    function onupgrade(to) {
      if (transport && to.name !== transport.name) {
        freezeTransport();
      }
    }
    const cleanup = () => {
      transport.removeListener("open", onTransportOpen);
      transport.removeListener("error", onerror);
      transport.removeListener("close", onTransportClose);
      this.off("close", onclose);
      this.off("upgrading", onupgrade);
    };
    transport.once("open", onTransportOpen);
    transport.once("error", onerror);
    transport.once("close", onTransportClose);
    this.once("close", onclose);
    this.once("upgrading", onupgrade);
    if (this._upgrades.indexOf("webtransport") !== -1 && name !== "webtransport") {
      this.setTimeoutFn(() => {
        if (!failed) {
          transport.open();
        }
      }, 200);
    } else {
      transport.open();
    }
  }
  /**
   * Called when connection is deemed open.
   *
   * @private
   */
  onOpen() {
    this.readyState = "open";
    _Socket.priorWebsocketSuccess = "websocket" === this.transport.name;
    this.emitReserved("open");
    this.flush();
    if ("open" === this.readyState && this.opts.upgrade) {
      for (let i = 0; i < this._upgrades.length; i++) {
        this._probe(this._upgrades[i]);
      }
    }
  }
  /**
   * Handles a packet.
   *
   * @private
   */
  _onPacket(packet) {
    if ("opening" === this.readyState || "open" === this.readyState || "closing" === this.readyState) {
      this.emitReserved("packet", packet);
      this.emitReserved("heartbeat");
      switch (packet.type) {
        case "open":
          this.onHandshake(JSON.parse(packet.data));
          break;
        case "ping":
          this._sendPacket("pong");
          this.emitReserved("ping");
          this.emitReserved("pong");
          this._resetPingTimeout();
          break;
        case "error":
          const err = new Error("server error");
          err.code = packet.data;
          this._onError(err);
          break;
        case "message":
          this.emitReserved("data", packet.data);
          this.emitReserved("message", packet.data);
          break;
      }
    } else {
    }
  }
  /**
   * Called upon handshake completion.
   *
   * @param {Object} data - handshake obj
   * @private
   */
  onHandshake(data) {
    this.emitReserved("handshake", data);
    this.id = data.sid;
    this.transport.query.sid = data.sid;
    this._upgrades = this._filterUpgrades(data.upgrades);
    this._pingInterval = data.pingInterval;
    this._pingTimeout = data.pingTimeout;
    this._maxPayload = data.maxPayload;
    this.onOpen();
    if ("closed" === this.readyState)
      return;
    this._resetPingTimeout();
  }
  /**
   * Sets and resets ping timeout timer based on server pings.
   *
   * @private
   */
  _resetPingTimeout() {
    this.clearTimeoutFn(this._pingTimeoutTimer);
    const delay = this._pingInterval + this._pingTimeout;
    this._pingTimeoutTime = Date.now() + delay;
    this._pingTimeoutTimer = this.setTimeoutFn(() => {
      this._onClose("ping timeout");
    }, delay);
    if (this.opts.autoUnref) {
      this._pingTimeoutTimer.unref();
    }
  }
  /**
   * Called on `drain` event
   *
   * @private
   */
  _onDrain() {
    this.writeBuffer.splice(0, this._prevBufferLen);
    this._prevBufferLen = 0;
    if (0 === this.writeBuffer.length) {
      this.emitReserved("drain");
    } else {
      this.flush();
    }
  }
  /**
   * Flush write buffers.
   *
   * @private
   */
  flush() {
    if ("closed" !== this.readyState && this.transport.writable && !this.upgrading && this.writeBuffer.length) {
      const packets = this._getWritablePackets();
      this.transport.send(packets);
      this._prevBufferLen = packets.length;
      this.emitReserved("flush");
    }
  }
  /**
   * Ensure the encoded size of the writeBuffer is below the maxPayload value sent by the server (only for HTTP
   * long-polling)
   *
   * @private
   */
  _getWritablePackets() {
    const shouldCheckPayloadSize = this._maxPayload && this.transport.name === "polling" && this.writeBuffer.length > 1;
    if (!shouldCheckPayloadSize) {
      return this.writeBuffer;
    }
    let payloadSize = 1;
    for (let i = 0; i < this.writeBuffer.length; i++) {
      const data = this.writeBuffer[i].data;
      if (data) {
        payloadSize += byteLength(data);
      }
      if (i > 0 && payloadSize > this._maxPayload) {
        return this.writeBuffer.slice(0, i);
      }
      payloadSize += 2;
    }
    return this.writeBuffer;
  }
  /**
   * Checks whether the heartbeat timer has expired but the socket has not yet been notified.
   *
   * Note: this method is private for now because it does not really fit the WebSocket API, but if we put it in the
   * `write()` method then the message would not be buffered by the Socket.IO client.
   *
   * @return {boolean}
   * @private
   */
  /* private */
  _hasPingExpired() {
    if (!this._pingTimeoutTime)
      return true;
    const hasExpired = Date.now() > this._pingTimeoutTime;
    if (hasExpired) {
      this._pingTimeoutTime = 0;
      nextTick(() => {
        this._onClose("ping timeout");
      }, this.setTimeoutFn);
    }
    return hasExpired;
  }
  /**
   * Sends a message.
   *
   * @param {String} msg - message.
   * @param {Object} options.
   * @param {Function} fn - callback function.
   * @return {Socket} for chaining.
   */
  write(msg, options, fn) {
    this._sendPacket("message", msg, options, fn);
    return this;
  }
  /**
   * Sends a message. Alias of {@link Socket#write}.
   *
   * @param {String} msg - message.
   * @param {Object} options.
   * @param {Function} fn - callback function.
   * @return {Socket} for chaining.
   */
  send(msg, options, fn) {
    this._sendPacket("message", msg, options, fn);
    return this;
  }
  /**
   * Sends a packet.
   *
   * @param {String} type - packet type.
   * @param {String} data.
   * @param {Object} options.
   * @param {Function} fn - callback function.
   * @private
   */
  _sendPacket(type, data, options, fn) {
    if ("function" === typeof data) {
      fn = data;
      data = void 0;
    }
    if ("function" === typeof options) {
      fn = options;
      options = null;
    }
    if ("closing" === this.readyState || "closed" === this.readyState) {
      return;
    }
    options = options || {};
    options.compress = false !== options.compress;
    const packet = {
      type,
      data,
      options
    };
    this.emitReserved("packetCreate", packet);
    this.writeBuffer.push(packet);
    if (fn)
      this.once("flush", fn);
    this.flush();
  }
  /**
   * Closes the connection.
   */
  close() {
    const close = () => {
      this._onClose("forced close");
      this.transport.close();
    };
    const cleanupAndClose = () => {
      this.off("upgrade", cleanupAndClose);
      this.off("upgradeError", cleanupAndClose);
      close();
    };
    const waitForUpgrade = () => {
      this.once("upgrade", cleanupAndClose);
      this.once("upgradeError", cleanupAndClose);
    };
    if ("opening" === this.readyState || "open" === this.readyState) {
      this.readyState = "closing";
      if (this.writeBuffer.length) {
        this.once("drain", () => {
          if (this.upgrading) {
            waitForUpgrade();
          } else {
            close();
          }
        });
      } else if (this.upgrading) {
        waitForUpgrade();
      } else {
        close();
      }
    }
    return this;
  }
  /**
   * Called upon transport error
   *
   * @private
   */
  _onError(err) {
    _Socket.priorWebsocketSuccess = false;
    if (this.opts.tryAllTransports && this.transports.length > 1 && this.readyState === "opening") {
      this.transports.shift();
      return this._open();
    }
    this.emitReserved("error", err);
    this._onClose("transport error", err);
  }
  /**
   * Called upon transport close.
   *
   * @private
   */
  _onClose(reason, description) {
    if ("opening" === this.readyState || "open" === this.readyState || "closing" === this.readyState) {
      this.clearTimeoutFn(this._pingTimeoutTimer);
      this.transport.removeAllListeners("close");
      this.transport.close();
      this.transport.removeAllListeners();
      if (withEventListeners) {
        if (this._beforeunloadEventListener) {
          removeEventListener("beforeunload", this._beforeunloadEventListener, false);
        }
        if (this._offlineEventListener) {
          const i = OFFLINE_EVENT_LISTENERS.indexOf(this._offlineEventListener);
          if (i !== -1) {
            OFFLINE_EVENT_LISTENERS.splice(i, 1);
          }
        }
      }
      this.readyState = "closed";
      this.id = null;
      this.emitReserved("close", reason, description);
      this.writeBuffer = [];
      this._prevBufferLen = 0;
    }
  }
  /**
   * Filters upgrades, returning only those matching client transports.
   *
   * @param {Array} upgrades - server upgrades
   * @private
   */
  _filterUpgrades(upgrades) {
    const filteredUpgrades = [];
    for (let i = 0; i < upgrades.length; i++) {
      if (~this.transports.indexOf(upgrades[i]))
        filteredUpgrades.push(upgrades[i]);
    }
    return filteredUpgrades;
  }
};
Socket.protocol = protocol;

// node_modules/engine.io-client/build/esm/index.js
var protocol2 = Socket.protocol;

// node_modules/socket.io-client/build/esm/url.js
function url(uri, path = "", loc) {
  let obj = uri;
  loc = loc || typeof location !== "undefined" && location;
  if (null == uri)
    uri = loc.protocol + "//" + loc.host;
  if (typeof uri === "string") {
    if ("/" === uri.charAt(0)) {
      if ("/" === uri.charAt(1)) {
        uri = loc.protocol + uri;
      } else {
        uri = loc.host + uri;
      }
    }
    if (!/^(https?|wss?):\/\//.test(uri)) {
      if ("undefined" !== typeof loc) {
        uri = loc.protocol + "//" + uri;
      } else {
        uri = "https://" + uri;
      }
    }
    obj = parse(uri);
  }
  if (!obj.port) {
    if (/^(http|ws)$/.test(obj.protocol)) {
      obj.port = "80";
    } else if (/^(http|ws)s$/.test(obj.protocol)) {
      obj.port = "443";
    }
  }
  obj.path = obj.path || "/";
  const ipv6 = obj.host.indexOf(":") !== -1;
  const host = ipv6 ? "[" + obj.host + "]" : obj.host;
  obj.id = obj.protocol + "://" + host + ":" + obj.port + path;
  obj.href = obj.protocol + "://" + host + (loc && loc.port === obj.port ? "" : ":" + obj.port);
  return obj;
}

// node_modules/socket.io-parser/build/esm/index.js
var esm_exports = {};
__export(esm_exports, {
  Decoder: () => Decoder,
  Encoder: () => Encoder,
  PacketType: () => PacketType,
  isPacketValid: () => isPacketValid,
  protocol: () => protocol3
});

// node_modules/socket.io-parser/build/esm/is-binary.js
var withNativeArrayBuffer3 = typeof ArrayBuffer === "function";
var isView2 = (obj) => {
  return typeof ArrayBuffer.isView === "function" ? ArrayBuffer.isView(obj) : obj.buffer instanceof ArrayBuffer;
};
var toString = Object.prototype.toString;
var withNativeBlob2 = typeof Blob === "function" || typeof Blob !== "undefined" && toString.call(Blob) === "[object BlobConstructor]";
var withNativeFile = typeof File === "function" || typeof File !== "undefined" && toString.call(File) === "[object FileConstructor]";
function isBinary(obj) {
  return withNativeArrayBuffer3 && (obj instanceof ArrayBuffer || isView2(obj)) || withNativeBlob2 && obj instanceof Blob || withNativeFile && obj instanceof File;
}
function hasBinary(obj, toJSON) {
  if (!obj || typeof obj !== "object") {
    return false;
  }
  if (Array.isArray(obj)) {
    for (let i = 0, l = obj.length; i < l; i++) {
      if (hasBinary(obj[i])) {
        return true;
      }
    }
    return false;
  }
  if (isBinary(obj)) {
    return true;
  }
  if (obj.toJSON && typeof obj.toJSON === "function" && arguments.length === 1) {
    return hasBinary(obj.toJSON(), true);
  }
  for (const key in obj) {
    if (Object.prototype.hasOwnProperty.call(obj, key) && hasBinary(obj[key])) {
      return true;
    }
  }
  return false;
}

// node_modules/socket.io-parser/build/esm/binary.js
function deconstructPacket(packet) {
  const buffers = [];
  const packetData = packet.data;
  const pack = packet;
  pack.data = _deconstructPacket(packetData, buffers);
  pack.attachments = buffers.length;
  return { packet: pack, buffers };
}
function _deconstructPacket(data, buffers, toJSON) {
  if (!data)
    return data;
  if (isBinary(data)) {
    const placeholder = { _placeholder: true, num: buffers.length };
    buffers.push(data);
    return placeholder;
  } else if (Array.isArray(data)) {
    const newData = new Array(data.length);
    for (let i = 0; i < data.length; i++) {
      newData[i] = _deconstructPacket(data[i], buffers);
    }
    return newData;
  } else if (typeof data === "object" && !(data instanceof Date)) {
    if (data.toJSON && typeof data.toJSON === "function" && !toJSON) {
      return _deconstructPacket(data.toJSON(), buffers, true);
    }
    const newData = {};
    for (const key in data) {
      if (Object.prototype.hasOwnProperty.call(data, key)) {
        newData[key] = _deconstructPacket(data[key], buffers);
      }
    }
    return newData;
  }
  return data;
}
function reconstructPacket(packet, buffers) {
  packet.data = _reconstructPacket(packet.data, buffers);
  delete packet.attachments;
  return packet;
}
function _reconstructPacket(data, buffers) {
  if (!data)
    return data;
  if (data && data._placeholder === true) {
    const isIndexValid = typeof data.num === "number" && data.num >= 0 && data.num < buffers.length;
    if (isIndexValid) {
      return buffers[data.num];
    } else {
      throw new Error("illegal attachments");
    }
  } else if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      data[i] = _reconstructPacket(data[i], buffers);
    }
  } else if (typeof data === "object") {
    for (const key in data) {
      if (Object.prototype.hasOwnProperty.call(data, key)) {
        data[key] = _reconstructPacket(data[key], buffers);
      }
    }
  }
  return data;
}

// node_modules/socket.io-parser/build/esm/index.js
var RESERVED_EVENTS = [
  "connect",
  // used on the client side
  "connect_error",
  // used on the client side
  "disconnect",
  // used on both sides
  "disconnecting",
  // used on the server side
  "newListener",
  // used by the Node.js EventEmitter
  "removeListener"
  // used by the Node.js EventEmitter
];
var protocol3 = 5;
var PacketType;
(function(PacketType2) {
  PacketType2[PacketType2["CONNECT"] = 0] = "CONNECT";
  PacketType2[PacketType2["DISCONNECT"] = 1] = "DISCONNECT";
  PacketType2[PacketType2["EVENT"] = 2] = "EVENT";
  PacketType2[PacketType2["ACK"] = 3] = "ACK";
  PacketType2[PacketType2["CONNECT_ERROR"] = 4] = "CONNECT_ERROR";
  PacketType2[PacketType2["BINARY_EVENT"] = 5] = "BINARY_EVENT";
  PacketType2[PacketType2["BINARY_ACK"] = 6] = "BINARY_ACK";
})(PacketType || (PacketType = {}));
var Encoder = class {
  /**
   * Encoder constructor
   *
   * @param {function} replacer - custom replacer to pass down to JSON.parse
   */
  constructor(replacer) {
    this.replacer = replacer;
  }
  /**
   * Encode a packet as a single string if non-binary, or as a
   * buffer sequence, depending on packet type.
   *
   * @param {Object} obj - packet object
   */
  encode(obj) {
    if (obj.type === PacketType.EVENT || obj.type === PacketType.ACK) {
      if (hasBinary(obj)) {
        return this.encodeAsBinary({
          type: obj.type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK,
          nsp: obj.nsp,
          data: obj.data,
          id: obj.id
        });
      }
    }
    return [this.encodeAsString(obj)];
  }
  /**
   * Encode packet as string.
   */
  encodeAsString(obj) {
    let str = "" + obj.type;
    if (obj.type === PacketType.BINARY_EVENT || obj.type === PacketType.BINARY_ACK) {
      str += obj.attachments + "-";
    }
    if (obj.nsp && "/" !== obj.nsp) {
      str += obj.nsp + ",";
    }
    if (null != obj.id) {
      str += obj.id;
    }
    if (null != obj.data) {
      str += JSON.stringify(obj.data, this.replacer);
    }
    return str;
  }
  /**
   * Encode packet as 'buffer sequence' by removing blobs, and
   * deconstructing packet into object with placeholders and
   * a list of buffers.
   */
  encodeAsBinary(obj) {
    const deconstruction = deconstructPacket(obj);
    const pack = this.encodeAsString(deconstruction.packet);
    const buffers = deconstruction.buffers;
    buffers.unshift(pack);
    return buffers;
  }
};
var Decoder = class _Decoder extends Emitter {
  /**
   * Decoder constructor
   */
  constructor(opts) {
    super();
    this.opts = Object.assign({
      reviver: void 0,
      maxAttachments: 10
    }, typeof opts === "function" ? { reviver: opts } : opts);
  }
  /**
   * Decodes an encoded packet string into packet JSON.
   *
   * @param {String} obj - encoded packet
   */
  add(obj) {
    let packet;
    if (typeof obj === "string") {
      if (this.reconstructor) {
        throw new Error("got plaintext data when reconstructing a packet");
      }
      packet = this.decodeString(obj);
      const isBinaryEvent = packet.type === PacketType.BINARY_EVENT;
      if (isBinaryEvent || packet.type === PacketType.BINARY_ACK) {
        packet.type = isBinaryEvent ? PacketType.EVENT : PacketType.ACK;
        this.reconstructor = new BinaryReconstructor(packet);
      } else {
        super.emitReserved("decoded", packet);
      }
    } else if (isBinary(obj) || obj.base64) {
      if (!this.reconstructor) {
        throw new Error("got binary data when not reconstructing a packet");
      } else {
        packet = this.reconstructor.takeBinaryData(obj);
        if (packet) {
          this.reconstructor = null;
          super.emitReserved("decoded", packet);
        }
      }
    } else {
      throw new Error("Unknown type: " + obj);
    }
  }
  /**
   * Decode a packet String (JSON data)
   *
   * @param {String} str
   * @return {Object} packet
   */
  decodeString(str) {
    let i = 0;
    const p = {
      type: Number(str.charAt(0))
    };
    if (PacketType[p.type] === void 0) {
      throw new Error("unknown packet type " + p.type);
    }
    if (p.type === PacketType.BINARY_EVENT || p.type === PacketType.BINARY_ACK) {
      const start = i + 1;
      while (str.charAt(++i) !== "-" && i != str.length) {
      }
      const buf = str.substring(start, i);
      if (buf != Number(buf) || str.charAt(i) !== "-") {
        throw new Error("Illegal attachments");
      }
      const n = Number(buf);
      if (!isInteger(n) || n < 1) {
        throw new Error("Illegal attachments");
      } else if (n > this.opts.maxAttachments) {
        throw new Error("too many attachments");
      }
      p.attachments = n;
    }
    if ("/" === str.charAt(i + 1)) {
      const start = i + 1;
      while (++i) {
        const c = str.charAt(i);
        if ("," === c)
          break;
        if (i === str.length)
          break;
      }
      p.nsp = str.substring(start, i);
    } else {
      p.nsp = "/";
    }
    const next = str.charAt(i + 1);
    if ("" !== next && Number(next) == next) {
      const start = i + 1;
      while (++i) {
        const c = str.charAt(i);
        if (null == c || Number(c) != c) {
          --i;
          break;
        }
        if (i === str.length)
          break;
      }
      p.id = Number(str.substring(start, i + 1));
    }
    if (str.charAt(++i)) {
      const payload = this.tryParse(str.substr(i));
      if (_Decoder.isPayloadValid(p.type, payload)) {
        p.data = payload;
      } else {
        throw new Error("invalid payload");
      }
    }
    return p;
  }
  tryParse(str) {
    try {
      return JSON.parse(str, this.opts.reviver);
    } catch (e) {
      return false;
    }
  }
  static isPayloadValid(type, payload) {
    switch (type) {
      case PacketType.CONNECT:
        return isObject(payload);
      case PacketType.DISCONNECT:
        return payload === void 0;
      case PacketType.CONNECT_ERROR:
        return typeof payload === "string" || isObject(payload);
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        return Array.isArray(payload) && (typeof payload[0] === "number" || typeof payload[0] === "string" && RESERVED_EVENTS.indexOf(payload[0]) === -1);
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        return Array.isArray(payload);
    }
  }
  /**
   * Deallocates a parser's resources
   */
  destroy() {
    if (this.reconstructor) {
      this.reconstructor.finishedReconstruction();
      this.reconstructor = null;
    }
  }
};
var BinaryReconstructor = class {
  constructor(packet) {
    this.packet = packet;
    this.buffers = [];
    this.reconPack = packet;
  }
  /**
   * Method to be called when binary data received from connection
   * after a BINARY_EVENT packet.
   *
   * @param {Buffer | ArrayBuffer} binData - the raw binary data received
   * @return {null | Object} returns null if more binary data is expected or
   *   a reconstructed packet object if all buffers have been received.
   */
  takeBinaryData(binData) {
    this.buffers.push(binData);
    if (this.buffers.length === this.reconPack.attachments) {
      const packet = reconstructPacket(this.reconPack, this.buffers);
      this.finishedReconstruction();
      return packet;
    }
    return null;
  }
  /**
   * Cleans up binary packet reconstruction variables.
   */
  finishedReconstruction() {
    this.reconPack = null;
    this.buffers = [];
  }
};
function isNamespaceValid(nsp) {
  return typeof nsp === "string";
}
var isInteger = Number.isInteger || function(value2) {
  return typeof value2 === "number" && isFinite(value2) && Math.floor(value2) === value2;
};
function isAckIdValid(id) {
  return id === void 0 || isInteger(id);
}
function isObject(value2) {
  return Object.prototype.toString.call(value2) === "[object Object]";
}
function isDataValid(type, payload) {
  switch (type) {
    case PacketType.CONNECT:
      return payload === void 0 || isObject(payload);
    case PacketType.DISCONNECT:
      return payload === void 0;
    case PacketType.EVENT:
      return Array.isArray(payload) && (typeof payload[0] === "number" || typeof payload[0] === "string" && RESERVED_EVENTS.indexOf(payload[0]) === -1);
    case PacketType.ACK:
      return Array.isArray(payload);
    case PacketType.CONNECT_ERROR:
      return typeof payload === "string" || isObject(payload);
    default:
      return false;
  }
}
function isPacketValid(packet) {
  return isNamespaceValid(packet.nsp) && isAckIdValid(packet.id) && isDataValid(packet.type, packet.data);
}

// node_modules/socket.io-client/build/esm/on.js
function on(obj, ev, fn) {
  obj.on(ev, fn);
  return function subDestroy() {
    obj.off(ev, fn);
  };
}

// node_modules/socket.io-client/build/esm/socket.js
var RESERVED_EVENTS2 = Object.freeze({
  connect: 1,
  connect_error: 1,
  disconnect: 1,
  disconnecting: 1,
  // EventEmitter reserved events: https://nodejs.org/api/events.html#events_event_newlistener
  newListener: 1,
  removeListener: 1
});
var Socket2 = class extends Emitter {
  /**
   * `Socket` constructor.
   */
  constructor(io, nsp, opts) {
    super();
    this.connected = false;
    this.recovered = false;
    this.receiveBuffer = [];
    this.sendBuffer = [];
    this._queue = [];
    this._queueSeq = 0;
    this.ids = 0;
    this.acks = {};
    this.flags = {};
    this.io = io;
    this.nsp = nsp;
    if (opts && opts.auth) {
      this.auth = opts.auth;
    }
    this._opts = Object.assign({}, opts);
    if (this.io._autoConnect)
      this.open();
  }
  /**
   * Whether the socket is currently disconnected
   *
   * @example
   * const socket = io();
   *
   * socket.on("connect", () => {
   *   console.log(socket.disconnected); // false
   * });
   *
   * socket.on("disconnect", () => {
   *   console.log(socket.disconnected); // true
   * });
   */
  get disconnected() {
    return !this.connected;
  }
  /**
   * Subscribe to open, close and packet events
   *
   * @private
   */
  subEvents() {
    if (this.subs)
      return;
    const io = this.io;
    this.subs = [
      on(io, "open", this.onopen.bind(this)),
      on(io, "packet", this.onpacket.bind(this)),
      on(io, "error", this.onerror.bind(this)),
      on(io, "close", this.onclose.bind(this))
    ];
  }
  /**
   * Whether the Socket will try to reconnect when its Manager connects or reconnects.
   *
   * @example
   * const socket = io();
   *
   * console.log(socket.active); // true
   *
   * socket.on("disconnect", (reason) => {
   *   if (reason === "io server disconnect") {
   *     // the disconnection was initiated by the server, you need to manually reconnect
   *     console.log(socket.active); // false
   *   }
   *   // else the socket will automatically try to reconnect
   *   console.log(socket.active); // true
   * });
   */
  get active() {
    return !!this.subs;
  }
  /**
   * "Opens" the socket.
   *
   * @example
   * const socket = io({
   *   autoConnect: false
   * });
   *
   * socket.connect();
   */
  connect() {
    if (this.connected)
      return this;
    this.subEvents();
    if (!this.io["_reconnecting"])
      this.io.open();
    if ("open" === this.io._readyState)
      this.onopen();
    return this;
  }
  /**
   * Alias for {@link connect()}.
   */
  open() {
    return this.connect();
  }
  /**
   * Sends a `message` event.
   *
   * This method mimics the WebSocket.send() method.
   *
   * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/send
   *
   * @example
   * socket.send("hello");
   *
   * // this is equivalent to
   * socket.emit("message", "hello");
   *
   * @return self
   */
  send(...args) {
    args.unshift("message");
    this.emit.apply(this, args);
    return this;
  }
  /**
   * Override `emit`.
   * If the event is in `events`, it's emitted normally.
   *
   * @example
   * socket.emit("hello", "world");
   *
   * // all serializable datastructures are supported (no need to call JSON.stringify)
   * socket.emit("hello", 1, "2", { 3: ["4"], 5: Uint8Array.from([6]) });
   *
   * // with an acknowledgement from the server
   * socket.emit("hello", "world", (val) => {
   *   // ...
   * });
   *
   * @return self
   */
  emit(ev, ...args) {
    var _a, _b, _c;
    if (RESERVED_EVENTS2.hasOwnProperty(ev)) {
      throw new Error('"' + ev.toString() + '" is a reserved event name');
    }
    args.unshift(ev);
    if (this._opts.retries && !this.flags.fromQueue && !this.flags.volatile) {
      this._addToQueue(args);
      return this;
    }
    const packet = {
      type: PacketType.EVENT,
      data: args
    };
    packet.options = {};
    packet.options.compress = this.flags.compress !== false;
    if ("function" === typeof args[args.length - 1]) {
      const id = this.ids++;
      const ack = args.pop();
      this._registerAckCallback(id, ack);
      packet.id = id;
    }
    const isTransportWritable = (_b = (_a = this.io.engine) === null || _a === void 0 ? void 0 : _a.transport) === null || _b === void 0 ? void 0 : _b.writable;
    const isConnected = this.connected && !((_c = this.io.engine) === null || _c === void 0 ? void 0 : _c._hasPingExpired());
    const discardPacket = this.flags.volatile && !isTransportWritable;
    if (discardPacket) {
    } else if (isConnected) {
      this.notifyOutgoingListeners(packet);
      this.packet(packet);
    } else {
      this.sendBuffer.push(packet);
    }
    this.flags = {};
    return this;
  }
  /**
   * @private
   */
  _registerAckCallback(id, ack) {
    var _a;
    const timeout = (_a = this.flags.timeout) !== null && _a !== void 0 ? _a : this._opts.ackTimeout;
    if (timeout === void 0) {
      this.acks[id] = ack;
      return;
    }
    const timer = this.io.setTimeoutFn(() => {
      delete this.acks[id];
      for (let i = 0; i < this.sendBuffer.length; i++) {
        if (this.sendBuffer[i].id === id) {
          this.sendBuffer.splice(i, 1);
        }
      }
      ack.call(this, new Error("operation has timed out"));
    }, timeout);
    const fn = (...args) => {
      this.io.clearTimeoutFn(timer);
      ack.apply(this, args);
    };
    fn.withError = true;
    this.acks[id] = fn;
  }
  /**
   * Emits an event and waits for an acknowledgement
   *
   * @example
   * // without timeout
   * const response = await socket.emitWithAck("hello", "world");
   *
   * // with a specific timeout
   * try {
   *   const response = await socket.timeout(1000).emitWithAck("hello", "world");
   * } catch (err) {
   *   // the server did not acknowledge the event in the given delay
   * }
   *
   * @return a Promise that will be fulfilled when the server acknowledges the event
   */
  emitWithAck(ev, ...args) {
    return new Promise((resolve, reject) => {
      const fn = (arg1, arg2) => {
        return arg1 ? reject(arg1) : resolve(arg2);
      };
      fn.withError = true;
      args.push(fn);
      this.emit(ev, ...args);
    });
  }
  /**
   * Add the packet to the queue.
   * @param args
   * @private
   */
  _addToQueue(args) {
    let ack;
    if (typeof args[args.length - 1] === "function") {
      ack = args.pop();
    }
    const packet = {
      id: this._queueSeq++,
      tryCount: 0,
      pending: false,
      args,
      flags: Object.assign({ fromQueue: true }, this.flags)
    };
    args.push((err, ...responseArgs) => {
      if (packet !== this._queue[0]) {
      }
      const hasError = err !== null;
      if (hasError) {
        if (packet.tryCount > this._opts.retries) {
          this._queue.shift();
          if (ack) {
            ack(err);
          }
        }
      } else {
        this._queue.shift();
        if (ack) {
          ack(null, ...responseArgs);
        }
      }
      packet.pending = false;
      return this._drainQueue();
    });
    this._queue.push(packet);
    this._drainQueue();
  }
  /**
   * Send the first packet of the queue, and wait for an acknowledgement from the server.
   * @param force - whether to resend a packet that has not been acknowledged yet
   *
   * @private
   */
  _drainQueue(force = false) {
    if (!this.connected || this._queue.length === 0) {
      return;
    }
    const packet = this._queue[0];
    if (packet.pending && !force) {
      return;
    }
    packet.pending = true;
    packet.tryCount++;
    this.flags = packet.flags;
    this.emit.apply(this, packet.args);
  }
  /**
   * Sends a packet.
   *
   * @param packet
   * @private
   */
  packet(packet) {
    packet.nsp = this.nsp;
    this.io._packet(packet);
  }
  /**
   * Called upon engine `open`.
   *
   * @private
   */
  onopen() {
    if (typeof this.auth == "function") {
      this.auth((data) => {
        this._sendConnectPacket(data);
      });
    } else {
      this._sendConnectPacket(this.auth);
    }
  }
  /**
   * Sends a CONNECT packet to initiate the Socket.IO session.
   *
   * @param data
   * @private
   */
  _sendConnectPacket(data) {
    this.packet({
      type: PacketType.CONNECT,
      data: this._pid ? Object.assign({ pid: this._pid, offset: this._lastOffset }, data) : data
    });
  }
  /**
   * Called upon engine or manager `error`.
   *
   * @param err
   * @private
   */
  onerror(err) {
    if (!this.connected) {
      this.emitReserved("connect_error", err);
    }
  }
  /**
   * Called upon engine `close`.
   *
   * @param reason
   * @param description
   * @private
   */
  onclose(reason, description) {
    this.connected = false;
    delete this.id;
    this.emitReserved("disconnect", reason, description);
    this._clearAcks();
  }
  /**
   * Clears the acknowledgement handlers upon disconnection, since the client will never receive an acknowledgement from
   * the server.
   *
   * @private
   */
  _clearAcks() {
    Object.keys(this.acks).forEach((id) => {
      const isBuffered = this.sendBuffer.some((packet) => String(packet.id) === id);
      if (!isBuffered) {
        const ack = this.acks[id];
        delete this.acks[id];
        if (ack.withError) {
          ack.call(this, new Error("socket has been disconnected"));
        }
      }
    });
  }
  /**
   * Called with socket packet.
   *
   * @param packet
   * @private
   */
  onpacket(packet) {
    const sameNamespace = packet.nsp === this.nsp;
    if (!sameNamespace)
      return;
    switch (packet.type) {
      case PacketType.CONNECT:
        if (packet.data && packet.data.sid) {
          this.onconnect(packet.data.sid, packet.data.pid);
        } else {
          this.emitReserved("connect_error", new Error("It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"));
        }
        break;
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.onevent(packet);
        break;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.onack(packet);
        break;
      case PacketType.DISCONNECT:
        this.ondisconnect();
        break;
      case PacketType.CONNECT_ERROR:
        this.destroy();
        const err = new Error(packet.data.message);
        err.data = packet.data.data;
        this.emitReserved("connect_error", err);
        break;
    }
  }
  /**
   * Called upon a server event.
   *
   * @param packet
   * @private
   */
  onevent(packet) {
    const args = packet.data || [];
    if (null != packet.id) {
      args.push(this.ack(packet.id));
    }
    if (this.connected) {
      this.emitEvent(args);
    } else {
      this.receiveBuffer.push(Object.freeze(args));
    }
  }
  emitEvent(args) {
    if (this._anyListeners && this._anyListeners.length) {
      const listeners = this._anyListeners.slice();
      for (const listener of listeners) {
        listener.apply(this, args);
      }
    }
    super.emit.apply(this, args);
    if (this._pid && args.length && typeof args[args.length - 1] === "string") {
      this._lastOffset = args[args.length - 1];
    }
  }
  /**
   * Produces an ack callback to emit with an event.
   *
   * @private
   */
  ack(id) {
    const self2 = this;
    let sent = false;
    return function(...args) {
      if (sent)
        return;
      sent = true;
      self2.packet({
        type: PacketType.ACK,
        id,
        data: args
      });
    };
  }
  /**
   * Called upon a server acknowledgement.
   *
   * @param packet
   * @private
   */
  onack(packet) {
    const ack = this.acks[packet.id];
    if (typeof ack !== "function") {
      return;
    }
    delete this.acks[packet.id];
    if (ack.withError) {
      packet.data.unshift(null);
    }
    ack.apply(this, packet.data);
  }
  /**
   * Called upon server connect.
   *
   * @private
   */
  onconnect(id, pid) {
    this.id = id;
    this.recovered = pid && this._pid === pid;
    this._pid = pid;
    this.connected = true;
    this.emitBuffered();
    this._drainQueue(true);
    this.emitReserved("connect");
  }
  /**
   * Emit buffered events (received and emitted).
   *
   * @private
   */
  emitBuffered() {
    this.receiveBuffer.forEach((args) => this.emitEvent(args));
    this.receiveBuffer = [];
    this.sendBuffer.forEach((packet) => {
      this.notifyOutgoingListeners(packet);
      this.packet(packet);
    });
    this.sendBuffer = [];
  }
  /**
   * Called upon server disconnect.
   *
   * @private
   */
  ondisconnect() {
    this.destroy();
    this.onclose("io server disconnect");
  }
  /**
   * Called upon forced client/server side disconnections,
   * this method ensures the manager stops tracking us and
   * that reconnections don't get triggered for this.
   *
   * @private
   */
  destroy() {
    if (this.subs) {
      this.subs.forEach((subDestroy) => subDestroy());
      this.subs = void 0;
    }
    this.io["_destroy"](this);
  }
  /**
   * Disconnects the socket manually. In that case, the socket will not try to reconnect.
   *
   * If this is the last active Socket instance of the {@link Manager}, the low-level connection will be closed.
   *
   * @example
   * const socket = io();
   *
   * socket.on("disconnect", (reason) => {
   *   // console.log(reason); prints "io client disconnect"
   * });
   *
   * socket.disconnect();
   *
   * @return self
   */
  disconnect() {
    if (this.connected) {
      this.packet({ type: PacketType.DISCONNECT });
    }
    this.destroy();
    if (this.connected) {
      this.onclose("io client disconnect");
    }
    return this;
  }
  /**
   * Alias for {@link disconnect()}.
   *
   * @return self
   */
  close() {
    return this.disconnect();
  }
  /**
   * Sets the compress flag.
   *
   * @example
   * socket.compress(false).emit("hello");
   *
   * @param compress - if `true`, compresses the sending data
   * @return self
   */
  compress(compress) {
    this.flags.compress = compress;
    return this;
  }
  /**
   * Sets a modifier for a subsequent event emission that the event message will be dropped when this socket is not
   * ready to send messages.
   *
   * @example
   * socket.volatile.emit("hello"); // the server may or may not receive it
   *
   * @returns self
   */
  get volatile() {
    this.flags.volatile = true;
    return this;
  }
  /**
   * Sets a modifier for a subsequent event emission that the callback will be called with an error when the
   * given number of milliseconds have elapsed without an acknowledgement from the server:
   *
   * @example
   * socket.timeout(5000).emit("my-event", (err) => {
   *   if (err) {
   *     // the server did not acknowledge the event in the given delay
   *   }
   * });
   *
   * @returns self
   */
  timeout(timeout) {
    this.flags.timeout = timeout;
    return this;
  }
  /**
   * Adds a listener that will be fired when any event is emitted. The event name is passed as the first argument to the
   * callback.
   *
   * @example
   * socket.onAny((event, ...args) => {
   *   console.log(`got ${event}`);
   * });
   *
   * @param listener
   */
  onAny(listener) {
    this._anyListeners = this._anyListeners || [];
    this._anyListeners.push(listener);
    return this;
  }
  /**
   * Adds a listener that will be fired when any event is emitted. The event name is passed as the first argument to the
   * callback. The listener is added to the beginning of the listeners array.
   *
   * @example
   * socket.prependAny((event, ...args) => {
   *   console.log(`got event ${event}`);
   * });
   *
   * @param listener
   */
  prependAny(listener) {
    this._anyListeners = this._anyListeners || [];
    this._anyListeners.unshift(listener);
    return this;
  }
  /**
   * Removes the listener that will be fired when any event is emitted.
   *
   * @example
   * const catchAllListener = (event, ...args) => {
   *   console.log(`got event ${event}`);
   * }
   *
   * socket.onAny(catchAllListener);
   *
   * // remove a specific listener
   * socket.offAny(catchAllListener);
   *
   * // or remove all listeners
   * socket.offAny();
   *
   * @param listener
   */
  offAny(listener) {
    if (!this._anyListeners) {
      return this;
    }
    if (listener) {
      const listeners = this._anyListeners;
      for (let i = 0; i < listeners.length; i++) {
        if (listener === listeners[i]) {
          listeners.splice(i, 1);
          return this;
        }
      }
    } else {
      this._anyListeners = [];
    }
    return this;
  }
  /**
   * Returns an array of listeners that are listening for any event that is specified. This array can be manipulated,
   * e.g. to remove listeners.
   */
  listenersAny() {
    return this._anyListeners || [];
  }
  /**
   * Adds a listener that will be fired when any event is emitted. The event name is passed as the first argument to the
   * callback.
   *
   * Note: acknowledgements sent to the server are not included.
   *
   * @example
   * socket.onAnyOutgoing((event, ...args) => {
   *   console.log(`sent event ${event}`);
   * });
   *
   * @param listener
   */
  onAnyOutgoing(listener) {
    this._anyOutgoingListeners = this._anyOutgoingListeners || [];
    this._anyOutgoingListeners.push(listener);
    return this;
  }
  /**
   * Adds a listener that will be fired when any event is emitted. The event name is passed as the first argument to the
   * callback. The listener is added to the beginning of the listeners array.
   *
   * Note: acknowledgements sent to the server are not included.
   *
   * @example
   * socket.prependAnyOutgoing((event, ...args) => {
   *   console.log(`sent event ${event}`);
   * });
   *
   * @param listener
   */
  prependAnyOutgoing(listener) {
    this._anyOutgoingListeners = this._anyOutgoingListeners || [];
    this._anyOutgoingListeners.unshift(listener);
    return this;
  }
  /**
   * Removes the listener that will be fired when any event is emitted.
   *
   * @example
   * const catchAllListener = (event, ...args) => {
   *   console.log(`sent event ${event}`);
   * }
   *
   * socket.onAnyOutgoing(catchAllListener);
   *
   * // remove a specific listener
   * socket.offAnyOutgoing(catchAllListener);
   *
   * // or remove all listeners
   * socket.offAnyOutgoing();
   *
   * @param [listener] - the catch-all listener (optional)
   */
  offAnyOutgoing(listener) {
    if (!this._anyOutgoingListeners) {
      return this;
    }
    if (listener) {
      const listeners = this._anyOutgoingListeners;
      for (let i = 0; i < listeners.length; i++) {
        if (listener === listeners[i]) {
          listeners.splice(i, 1);
          return this;
        }
      }
    } else {
      this._anyOutgoingListeners = [];
    }
    return this;
  }
  /**
   * Returns an array of listeners that are listening for any event that is specified. This array can be manipulated,
   * e.g. to remove listeners.
   */
  listenersAnyOutgoing() {
    return this._anyOutgoingListeners || [];
  }
  /**
   * Notify the listeners for each packet sent
   *
   * @param packet
   *
   * @private
   */
  notifyOutgoingListeners(packet) {
    if (this._anyOutgoingListeners && this._anyOutgoingListeners.length) {
      const listeners = this._anyOutgoingListeners.slice();
      for (const listener of listeners) {
        listener.apply(this, packet.data);
      }
    }
  }
};

// node_modules/socket.io-client/build/esm/contrib/backo2.js
function Backoff(opts) {
  opts = opts || {};
  this.ms = opts.min || 100;
  this.max = opts.max || 1e4;
  this.factor = opts.factor || 2;
  this.jitter = opts.jitter > 0 && opts.jitter <= 1 ? opts.jitter : 0;
  this.attempts = 0;
}
Backoff.prototype.duration = function() {
  var ms = this.ms * Math.pow(this.factor, this.attempts++);
  if (this.jitter) {
    var rand = Math.random();
    var deviation = Math.floor(rand * this.jitter * ms);
    ms = (Math.floor(rand * 10) & 1) == 0 ? ms - deviation : ms + deviation;
  }
  return Math.min(ms, this.max) | 0;
};
Backoff.prototype.reset = function() {
  this.attempts = 0;
};
Backoff.prototype.setMin = function(min) {
  this.ms = min;
};
Backoff.prototype.setMax = function(max) {
  this.max = max;
};
Backoff.prototype.setJitter = function(jitter) {
  this.jitter = jitter;
};

// node_modules/socket.io-client/build/esm/manager.js
var Manager = class extends Emitter {
  constructor(uri, opts) {
    var _a;
    super();
    this.nsps = {};
    this.subs = [];
    if (uri && "object" === typeof uri) {
      opts = uri;
      uri = void 0;
    }
    opts = opts || {};
    opts.path = opts.path || "/socket.io";
    this.opts = opts;
    installTimerFunctions(this, opts);
    this.reconnection(opts.reconnection !== false);
    this.reconnectionAttempts(opts.reconnectionAttempts || Infinity);
    this.reconnectionDelay(opts.reconnectionDelay || 1e3);
    this.reconnectionDelayMax(opts.reconnectionDelayMax || 5e3);
    this.randomizationFactor((_a = opts.randomizationFactor) !== null && _a !== void 0 ? _a : 0.5);
    this.backoff = new Backoff({
      min: this.reconnectionDelay(),
      max: this.reconnectionDelayMax(),
      jitter: this.randomizationFactor()
    });
    this.timeout(null == opts.timeout ? 2e4 : opts.timeout);
    this._readyState = "closed";
    this.uri = uri;
    const _parser = opts.parser || esm_exports;
    this.encoder = new _parser.Encoder();
    this.decoder = new _parser.Decoder();
    this._autoConnect = opts.autoConnect !== false;
    if (this._autoConnect)
      this.open();
  }
  reconnection(v) {
    if (!arguments.length)
      return this._reconnection;
    this._reconnection = !!v;
    if (!v) {
      this.skipReconnect = true;
    }
    return this;
  }
  reconnectionAttempts(v) {
    if (v === void 0)
      return this._reconnectionAttempts;
    this._reconnectionAttempts = v;
    return this;
  }
  reconnectionDelay(v) {
    var _a;
    if (v === void 0)
      return this._reconnectionDelay;
    this._reconnectionDelay = v;
    (_a = this.backoff) === null || _a === void 0 ? void 0 : _a.setMin(v);
    return this;
  }
  randomizationFactor(v) {
    var _a;
    if (v === void 0)
      return this._randomizationFactor;
    this._randomizationFactor = v;
    (_a = this.backoff) === null || _a === void 0 ? void 0 : _a.setJitter(v);
    return this;
  }
  reconnectionDelayMax(v) {
    var _a;
    if (v === void 0)
      return this._reconnectionDelayMax;
    this._reconnectionDelayMax = v;
    (_a = this.backoff) === null || _a === void 0 ? void 0 : _a.setMax(v);
    return this;
  }
  timeout(v) {
    if (!arguments.length)
      return this._timeout;
    this._timeout = v;
    return this;
  }
  /**
   * Starts trying to reconnect if reconnection is enabled and we have not
   * started reconnecting yet
   *
   * @private
   */
  maybeReconnectOnOpen() {
    if (!this._reconnecting && this._reconnection && this.backoff.attempts === 0) {
      this.reconnect();
    }
  }
  /**
   * Sets the current transport `socket`.
   *
   * @param {Function} fn - optional, callback
   * @return self
   * @public
   */
  open(fn) {
    if (~this._readyState.indexOf("open"))
      return this;
    this.engine = new Socket(this.uri, this.opts);
    const socket = this.engine;
    const self2 = this;
    this._readyState = "opening";
    this.skipReconnect = false;
    const openSubDestroy = on(socket, "open", function() {
      self2.onopen();
      fn && fn();
    });
    const onError = (err) => {
      this.cleanup();
      this._readyState = "closed";
      this.emitReserved("error", err);
      if (fn) {
        fn(err);
      } else {
        this.maybeReconnectOnOpen();
      }
    };
    const errorSub = on(socket, "error", onError);
    if (false !== this._timeout) {
      const timeout = this._timeout;
      const timer = this.setTimeoutFn(() => {
        openSubDestroy();
        onError(new Error("timeout"));
        socket.close();
      }, timeout);
      if (this.opts.autoUnref) {
        timer.unref();
      }
      this.subs.push(() => {
        this.clearTimeoutFn(timer);
      });
    }
    this.subs.push(openSubDestroy);
    this.subs.push(errorSub);
    return this;
  }
  /**
   * Alias for open()
   *
   * @return self
   * @public
   */
  connect(fn) {
    return this.open(fn);
  }
  /**
   * Called upon transport open.
   *
   * @private
   */
  onopen() {
    this.cleanup();
    this._readyState = "open";
    this.emitReserved("open");
    const socket = this.engine;
    this.subs.push(
      on(socket, "ping", this.onping.bind(this)),
      on(socket, "data", this.ondata.bind(this)),
      on(socket, "error", this.onerror.bind(this)),
      on(socket, "close", this.onclose.bind(this)),
      // @ts-ignore
      on(this.decoder, "decoded", this.ondecoded.bind(this))
    );
  }
  /**
   * Called upon a ping.
   *
   * @private
   */
  onping() {
    this.emitReserved("ping");
  }
  /**
   * Called with data.
   *
   * @private
   */
  ondata(data) {
    try {
      this.decoder.add(data);
    } catch (e) {
      this.onclose("parse error", e);
    }
  }
  /**
   * Called when parser fully decodes a packet.
   *
   * @private
   */
  ondecoded(packet) {
    nextTick(() => {
      this.emitReserved("packet", packet);
    }, this.setTimeoutFn);
  }
  /**
   * Called upon socket error.
   *
   * @private
   */
  onerror(err) {
    this.emitReserved("error", err);
  }
  /**
   * Creates a new socket for the given `nsp`.
   *
   * @return {Socket}
   * @public
   */
  socket(nsp, opts) {
    let socket = this.nsps[nsp];
    if (!socket) {
      socket = new Socket2(this, nsp, opts);
      this.nsps[nsp] = socket;
    } else if (this._autoConnect && !socket.active) {
      socket.connect();
    }
    return socket;
  }
  /**
   * Called upon a socket close.
   *
   * @param socket
   * @private
   */
  _destroy(socket) {
    const nsps = Object.keys(this.nsps);
    for (const nsp of nsps) {
      const socket2 = this.nsps[nsp];
      if (socket2.active) {
        return;
      }
    }
    this._close();
  }
  /**
   * Writes a packet.
   *
   * @param packet
   * @private
   */
  _packet(packet) {
    const encodedPackets = this.encoder.encode(packet);
    for (let i = 0; i < encodedPackets.length; i++) {
      this.engine.write(encodedPackets[i], packet.options);
    }
  }
  /**
   * Clean up transport subscriptions and packet buffer.
   *
   * @private
   */
  cleanup() {
    this.subs.forEach((subDestroy) => subDestroy());
    this.subs.length = 0;
    this.decoder.destroy();
  }
  /**
   * Close the current socket.
   *
   * @private
   */
  _close() {
    this.skipReconnect = true;
    this._reconnecting = false;
    this.onclose("forced close");
  }
  /**
   * Alias for close()
   *
   * @private
   */
  disconnect() {
    return this._close();
  }
  /**
   * Called when:
   *
   * - the low-level engine is closed
   * - the parser encountered a badly formatted packet
   * - all sockets are disconnected
   *
   * @private
   */
  onclose(reason, description) {
    var _a;
    this.cleanup();
    (_a = this.engine) === null || _a === void 0 ? void 0 : _a.close();
    this.backoff.reset();
    this._readyState = "closed";
    this.emitReserved("close", reason, description);
    if (this._reconnection && !this.skipReconnect) {
      this.reconnect();
    }
  }
  /**
   * Attempt a reconnection.
   *
   * @private
   */
  reconnect() {
    if (this._reconnecting || this.skipReconnect)
      return this;
    const self2 = this;
    if (this.backoff.attempts >= this._reconnectionAttempts) {
      this.backoff.reset();
      this.emitReserved("reconnect_failed");
      this._reconnecting = false;
    } else {
      const delay = this.backoff.duration();
      this._reconnecting = true;
      const timer = this.setTimeoutFn(() => {
        if (self2.skipReconnect)
          return;
        this.emitReserved("reconnect_attempt", self2.backoff.attempts);
        if (self2.skipReconnect)
          return;
        self2.open((err) => {
          if (err) {
            self2._reconnecting = false;
            self2.reconnect();
            this.emitReserved("reconnect_error", err);
          } else {
            self2.onreconnect();
          }
        });
      }, delay);
      if (this.opts.autoUnref) {
        timer.unref();
      }
      this.subs.push(() => {
        this.clearTimeoutFn(timer);
      });
    }
  }
  /**
   * Called upon successful reconnect.
   *
   * @private
   */
  onreconnect() {
    const attempt = this.backoff.attempts;
    this._reconnecting = false;
    this.backoff.reset();
    this.emitReserved("reconnect", attempt);
  }
};

// node_modules/socket.io-client/build/esm/index.js
var cache = {};
function lookup2(uri, opts) {
  if (typeof uri === "object") {
    opts = uri;
    uri = void 0;
  }
  opts = opts || {};
  const parsed = url(uri, opts.path || "/socket.io");
  const source = parsed.source;
  const id = parsed.id;
  const path = parsed.path;
  const sameNamespace = cache[id] && path in cache[id]["nsps"];
  const newConnection = opts.forceNew || opts["force new connection"] || false === opts.multiplex || sameNamespace;
  let io;
  if (newConnection) {
    io = new Manager(source, opts);
  } else {
    if (!cache[id]) {
      cache[id] = new Manager(source, opts);
    }
    io = cache[id];
  }
  if (parsed.query && !opts.query) {
    opts.query = parsed.queryKey;
  }
  return io.socket(parsed.path, opts);
}
Object.assign(lookup2, {
  Manager,
  Socket: Socket2,
  io: lookup2,
  connect: lookup2
});

// src/forest.js
var Forest = class {
  /** @param roots the nested {id, name, blueprint_type_id, properties, children} of GET graph/tree */
  constructor(roots = []) {
    this.nodes = /* @__PURE__ */ new Map();
    this.roots = [];
    const add = (t, parent) => {
      this.nodes.set(t.id, {
        id: t.id,
        name: t.name,
        type: t.blueprint_type_id,
        properties: { ...t.properties || {} },
        parent,
        children: []
      });
      for (const c of t.children || []) this.nodes.get(t.id).children.push(add(c, t.id));
      return t.id;
    };
    for (const r of roots) this.roots.push(add(r, null));
  }
  get(id) {
    return this.nodes.get(id);
  }
  /** siblings is the child list a node sits in: its parent's, or the roots. */
  siblings(parentID) {
    if (parentID === null || parentID === void 0 || parentID === "") return this.roots;
    const p = this.nodes.get(parentID);
    if (!p) throw new Error(`no node ${parentID}`);
    return p.children;
  }
  /** contains reports whether id is ancestor itself or one of its descendants. */
  contains(ancestor, id) {
    for (let cur = id; cur; cur = this.nodes.get(cur)?.parent) {
      if (cur === ancestor) return true;
    }
    return false;
  }
  /** path is the names from the root down to id. */
  path(id) {
    const names = [];
    for (let cur = this.nodes.get(id); cur; cur = this.nodes.get(cur.parent)) names.unshift(cur.name);
    return names;
  }
  /** walk visits every node, parents first, in tree order. */
  *walk(ids = this.roots, depth = 1) {
    for (const id of ids) {
      const n = this.nodes.get(id);
      yield [n, depth];
      yield* this.walk(n.children, depth + 1);
    }
  }
  /**
   * apply changes the forest by one session event. It returns true for a
   * graph event and false for any other; it throws when the event does not
   * fit (the caller then fetches the tree again).
   */
  apply(ev) {
    switch (ev.event) {
      case "graph:node-created":
        this.#create(ev.node);
        return true;
      case "graph:node-deleted":
        this.#remove(ev.node_id);
        return true;
      case "graph:node-linked":
        this.#move(ev.child_id, ev.parent_id, ev.index);
        return true;
      case "graph:node-unlinked":
        this.#move(ev.child_id, null, ev.root_index ?? this.roots.length);
        return true;
      case "graph:node-updated":
        if (ev.changes && ev.changes.name) this.#need(ev.node_id).name = ev.changes.name.new;
        return true;
      case "graph:property-changed":
        this.#need(ev.node_id).properties[ev.property_id] = ev.new_value;
        return true;
      case "graph:property-deleted":
        delete this.#need(ev.node_id).properties[ev.property_id];
        return true;
      default:
        return false;
    }
  }
  #need(id) {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }
  #insert(list, index, id) {
    if (!(index >= 0 && index <= list.length)) throw new Error(`index ${index} out of range`);
    list.splice(index, 0, id);
  }
  #create(node) {
    if (this.nodes.has(node.id)) throw new Error(`node ${node.id} exists`);
    const parent = node.parent_id || null;
    this.#insert(this.siblings(parent), node.index, node.id);
    this.nodes.set(node.id, {
      id: node.id,
      name: node.name,
      type: node.blueprint_type_id,
      properties: { ...node.properties || {} },
      parent,
      children: []
    });
  }
  #unhook(id) {
    const n = this.#need(id);
    const list = this.siblings(n.parent);
    const i = list.indexOf(id);
    if (i < 0) throw new Error(`node ${id} missing from its parent`);
    list.splice(i, 1);
    return n;
  }
  #remove(id) {
    const stack = [this.#unhook(id)];
    while (stack.length) {
      const n = stack.pop();
      this.nodes.delete(n.id);
      for (const c of n.children) stack.push(this.nodes.get(c));
    }
  }
  #move(id, parentID, index) {
    const list = this.siblings(parentID);
    const n = this.#unhook(id);
    this.#insert(list, index, id);
    n.parent = parentID || null;
  }
};

// src/live.js
var State = Object.freeze({
  CONNECTING: "connecting",
  LIVE: "live",
  RECONNECTING: "reconnecting",
  OFFLINE: "offline",
  UNAUTHORIZED: "unauthorized",
  MISSING: "missing",
  CLOSED: "closed"
});
var Live = class extends EventTarget {
  constructor(sid) {
    super();
    this.sid = sid;
    this.forest = null;
    this.seq = 0;
    this.state = State.CONNECTING;
    this.clientCount = 0;
    this.countSeq = 0;
    this.clientID = "";
    this.lastError = "";
    this.buffer = [];
    this.generation = 0;
    this.retryDelay = 0;
    this.retryTimer = null;
    this.socket = null;
  }
  start() {
    const t = token();
    this.socket = lookup2("/graph", {
      query: t ? { token: t } : {},
      auth: (cb) => {
        const auth = { session_id: this.sid, names: "canonical" };
        if (this.forest) auth.last_seq = this.seq;
        cb(auth);
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5e3
    });
    const s = this.socket;
    s.on("connect", () => this.#setState(State.CONNECTING));
    s.on("joined", (j) => this.#joined(j));
    s.on("session:resync", (r) => this.#resync(r));
    s.on("error", (e) => this.#serverError(e));
    s.on("disconnect", (reason) => this.#disconnected(reason));
    s.on("connect_error", (err) => this.#connectError(err));
    s.io.on("reconnect_attempt", () => {
      const token2 = token();
      s.io.opts.query = token2 ? { token: token2 } : {};
      if (this.state !== State.OFFLINE) this.#setState(State.RECONNECTING);
    });
    s.onAny((name, payload) => {
      if (name === "session:resync" || !payload || typeof payload.seq !== "number" || !payload.event) return;
      if (payload.session_id && payload.session_id !== this.sid) return;
      this.#event(payload);
    });
  }
  stop() {
    clearTimeout(this.retryTimer);
    this.generation++;
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.io.removeAllListeners();
      this.socket.disconnect();
    }
    this.socket = null;
  }
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
  #setState(state, error = "") {
    this.state = state;
    this.lastError = error;
    this.#emit("status");
  }
  async #joined(j) {
    this.clientID = j.client_id;
    this.clientCount = j.active_clients;
    this.countSeq = j.seq;
    this.retryDelay = 0;
    if (this.forest) {
      this.#setState(State.LIVE);
      return;
    }
    await this.#fetchTree();
  }
  async #fetchTree() {
    const gen = ++this.generation;
    try {
      const tree = await sessionTree(this.sid);
      if (gen !== this.generation) return;
      this.forest = new Forest(tree.roots);
      this.seq = tree.seq;
      const pending = this.buffer.sort((a, b) => a.seq - b.seq);
      this.buffer = [];
      this.#setState(State.LIVE);
      for (const ev of pending) this.#event(ev);
      this.#emit("change");
      this.#emit("history");
    } catch (e) {
      if (gen !== this.generation) return;
      if (e.code === "INVALID_SESSION") this.#setState(State.MISSING, e.message);
      else if (e.code === "UNAUTHORIZED") this.#setState(State.UNAUTHORIZED, e.message);
      else this.#setState(State.OFFLINE, e.message);
    }
  }
  #resync(r) {
    this.generation++;
    this.forest = new Forest(r.graph.roots);
    this.seq = r.seq;
    this.buffer = [];
    this.#setState(State.LIVE);
    this.#emit("change");
    this.#emit("history");
  }
  #event(ev) {
    if ((ev.event === "session:connected" || ev.event === "session:disconnected") && ev.seq > this.countSeq) {
      this.clientCount = ev.client_count;
      this.countSeq = ev.seq;
      this.#emit("status");
    }
    if (!this.forest) {
      this.buffer.push(ev);
      return;
    }
    if (ev.seq <= this.seq) return;
    if (ev.seq !== this.seq + 1) {
      this.#refetch(ev);
      return;
    }
    try {
      this.forest.apply(ev);
    } catch {
      this.#refetch(ev);
      return;
    }
    this.seq = ev.seq;
    switch (ev.event) {
      case "session:closed":
        this.#setState(State.CLOSED);
        break;
      case "project:loaded":
        this.forest = new Forest(ev.graph.roots);
        this.#emit("project", ev);
        this.#emit("history");
        break;
      case "project:saved":
        this.#emit("saved", ev);
        break;
      case "command:executed":
      case "command:undo":
      case "command:redo":
        this.#emit("history");
        break;
    }
    this.#emit("change");
  }
  #refetch(ev) {
    this.forest = null;
    this.buffer = [ev];
    this.#fetchTree();
  }
  #serverError(e) {
    if (!e) return;
    if (e.code === "INVALID_SESSION") this.#setState(State.MISSING, e.message);
    else if (e.code === "UNAUTHORIZED") this.#setState(State.UNAUTHORIZED, e.message);
    else this.lastError = e.message || e.code;
  }
  #disconnected(reason) {
    if (this.state === State.MISSING || this.state === State.CLOSED) return;
    this.#setState(State.RECONNECTING, reason);
    if (reason === "io server disconnect") this.#retryLater();
  }
  #connectError(err) {
    const code = err && err.data && err.data.code;
    if (code === "UNAUTHORIZED") {
      this.#setState(State.UNAUTHORIZED, err.message);
      return;
    }
    this.#setState(State.OFFLINE, err && err.message || "cannot connect");
    if (!this.socket.active) this.#retryLater();
  }
  #retryLater() {
    clearTimeout(this.retryTimer);
    this.retryDelay = Math.min(Math.max(this.retryDelay * 2, 500), 1e4);
    this.retryTimer = setTimeout(() => {
      if (this.socket && !this.socket.connected) this.socket.connect();
    }, this.retryDelay);
  }
};

// src/rules.js
var Schema = class {
  constructor(doc) {
    this.id = doc.id;
    this.name = doc.name;
    this.types = new Map(doc.node_types.map((t) => [t.id, t]));
    this.rootType = doc.node_types.length ? doc.node_types[0].id : "";
  }
  type(id) {
    return this.types.get(id);
  }
  label(typeID) {
    const t = this.types.get(typeID);
    return t ? t.name : typeID;
  }
  /** allows reports whether a node of parentType may hold one of childType. */
  allows(parentType, childType) {
    const t = this.types.get(parentType);
    return Boolean(t && t.allowed_children.includes(childType));
  }
};
function canMoveInto(forest, schema, id, target) {
  const n = forest.get(id);
  const t = forest.get(target);
  if (!n || !t || forest.contains(id, target)) return false;
  return schema.allows(t.type, n.type);
}
function moveTargets(forest, schema, id) {
  const n = forest.get(id);
  const out = [];
  for (const [t] of forest.walk()) {
    if (t.id !== n.parent && canMoveInto(forest, schema, id, t.id)) out.push(t);
  }
  return out;
}
function siblingMove(forest, id, to) {
  const n = forest.get(id);
  if (!n || !n.parent) return null;
  const count = forest.get(n.parent).children.length;
  if (to < 0 || to >= count || forest.get(n.parent).children[to] === id) return null;
  return { node_id: id, new_parent_id: n.parent, index: to };
}
function canDelete(forest, schema, id) {
  const n = forest.get(id);
  return Boolean(n && !(n.parent === null && n.type === schema.rootType));
}

// src/tree-view.js
var DRAG_TYPE = "application/x-talus-node";
var TreeView = class {
  /**
   * @param root the <ul role="tree"> to draw into
   * @param app {select(id), toggle(id, open), move(data, what), focusInspector(field),
   *             remove(id)} — what a key or a drop asks for
   */
  constructor(root, app2) {
    this.root = root;
    this.app = app2;
    this.forest = null;
    this.schema = null;
    this.dragID = null;
    this.items = /* @__PURE__ */ new Map();
    root.addEventListener("keydown", (e) => this.#key(e));
    root.addEventListener("click", (e) => this.#click(e));
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
      setText(twisty, hasKids ? open ? "▾" : "▸" : "");
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
          draggable: "true"
        },
        h(
          "div",
          { class: "row" },
          h("span", { class: "twisty", "aria-hidden": "true" }),
          h("span", { class: "name", id: `label-${id}` }),
          h("span", { class: "type", id: `type-${id}` })
        )
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
      return;
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
};
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// src/inspector.js
var DECIMAL = /^-?\d+(\.\d+)?$/;
var Inspector = class {
  /**
   * @param root the <section> to draw into
   * @param app {execute(type, data, what) → Promise, move(data, what), remove(id), say(msg)}
   */
  constructor(root, app2) {
    this.root = root;
    this.app = app2;
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
        }
      }
    }
    this.nodeID = id;
    this.forest = forest;
    this.schema = schema;
    clear(this.root);
    const n = id && forest.get(id);
    if (!n) {
      this.root.append(
        h("h2", { id: "inspector-title" }, "Nothing selected"),
        h("p", {}, forest.roots.length ? "Choose a node in the tree to see and edit it." : "This project has no nodes.")
      );
      if (!forest.roots.length && schema.rootType) this.root.append(this.#addRoot(schema));
      return;
    }
    const type = schema.type(n.type);
    const parts2 = [
      h("h2", { id: "inspector-title" }, n.name || "(unnamed)", " ", h("span", { class: "type" }, schema.label(n.type))),
      h("p", { class: "path" }, forest.path(id).join(" › ")),
      this.#renameForm(n),
      this.#properties(n, type),
      this.#addChild(n, type, schema),
      this.#moveForm(n, forest, schema),
      this.#deleteButton(n, forest, schema)
    ];
    this.root.append(...parts2.filter(Boolean));
    if (keep) {
      const el = document.getElementById(keep.id);
      if (el) {
        if (keep.dirty && "value" in el && el.type !== "checkbox") el.value = keep.value;
        el.focus();
        if (keep.sel && typeof el.setSelectionRange === "function") {
          try {
            el.setSelectionRange(keep.sel[0], keep.sel[1]);
          } catch {
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
    const send2 = () => {
      const name = input.value.trim();
      if (!name || name === n.name || input.dataset.sent === name) return;
      input.dataset.sent = name;
      this.app.execute("RenameNode", { node_id: n.id, name }, `Renamed to ${name}`);
    };
    return h(
      "form",
      { class: "rename", onsubmit: (e) => (e.preventDefault(), send2()) },
      h("label", { for: "node-name" }, "Name"),
      input,
      h("button", { type: "submit" }, "Rename")
    );
  }
  #properties(n, type) {
    const props = type && type.properties || [];
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
    const requiredNote = p.required && !has ? "Required." : "";
    const hint = h("span", { class: "hint", id: `${id}-hint` }, requiredNote);
    let input;
    const common = { id, name: p.id, "aria-describedby": `${id}-hint`, "aria-required": p.required ? "true" : null };
    const commit = (value2, shown) => this.#commit(n, p, has, cur, value2, input, hint, shown);
    switch (p.type) {
      case "select": {
        const opts = (p.options || []).map((o) => h("option", { value: o.id, selected: o.id === cur }, o.name));
        input = h("select", common, h("option", { value: "", selected: !has }, "—"), opts);
        input.addEventListener("change", () => commit(input.value === "" ? void 0 : input.value, input.value));
        break;
      }
      case "boolean":
        input = h("input", { ...common, type: "checkbox", checked: cur === true });
        input.addEventListener("change", () => commit(input.checked, String(input.checked)));
        break;
      case "number":
        input = h("input", { ...common, type: "number", step: "any", inputmode: "decimal", value: cur ?? "" });
        input.addEventListener("change", () => {
          if (input.value === "") return commit(void 0, "");
          if (!Number.isFinite(input.valueAsNumber)) return this.#invalid(input, hint, "Enter a number.");
          commit(input.valueAsNumber, input.value);
        });
        break;
      case "currency":
        input = h("input", { ...common, type: "text", inputmode: "decimal", value: cur ?? "", placeholder: "0.00", autocomplete: "off" });
        input.addEventListener("change", () => {
          const v = input.value.trim();
          if (v === "") return commit(void 0, "");
          if (!DECIMAL.test(v)) return this.#invalid(input, hint, "Enter an amount such as 1250.50.");
          commit(v, v);
        });
        break;
      case "date":
        input = h("input", { ...common, type: "date", value: cur ?? "" });
        input.addEventListener("change", () => commit(input.value === "" ? void 0 : input.value, input.value));
        break;
      default:
        input = h("input", { ...common, type: "text", value: cur ?? "", autocomplete: "off" });
        input.addEventListener("change", () => commit(input.value === "" ? void 0 : input.value, input.value));
    }
    input.dataset.shown = input.type === "checkbox" ? String(input.checked) : input.value;
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
  async #commit(n, p, has, cur, value2, input, hint, shown) {
    input.removeAttribute("aria-invalid");
    hint.textContent = p.required && value2 === void 0 ? "Required." : "";
    if (value2 === void 0 ? !has : has && cur === value2) return;
    if (input.dataset.sent === shown) return;
    input.dataset.sent = shown;
    const ok = value2 === void 0 ? await this.app.execute("DeleteProperty", { node_id: n.id, property_id: p.id }, `${p.name} cleared`) : await this.app.execute("UpdateProperty", { node_id: n.id, property_id: p.id, value: value2 }, `${p.name} set`);
    if (!ok) {
      delete input.dataset.sent;
      input.setAttribute("aria-invalid", "true");
      hint.textContent = "Not saved: see the message above.";
    }
  }
  #addChild(n, type, schema) {
    const kinds = type && type.allowed_children || [];
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
        h("button", { type: "submit" }, "Add")
      )
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
        }
      },
      h("label", { for: "add-name" }, `New ${schema.label(schema.rootType)} name`),
      name,
      h("button", { type: "submit" }, "Add")
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
        h(
          "div",
          { class: "buttons" },
          h("button", { type: "button", disabled: !up, onclick: () => up && this.app.move(up, "moved up") }, "Move up"),
          h("button", { type: "button", disabled: !down, onclick: () => down && this.app.move(down, "moved down") }, "Move down")
        )
      );
    }
    const targets = moveTargets(forest, schema, n.id);
    if (!targets.length) {
      const atTop = !n.parent && n.type === schema.rootType;
      box.append(h("p", {}, atTop ? "The project's root stays at the top." : "No other place in this project can hold it."));
      return box;
    }
    const sel = h(
      "select",
      { id: "move-target" },
      targets.map((t) => h("option", { value: t.id }, `${forest.path(t.id).join(" › ")} (${schema.label(t.type)})`))
    );
    box.append(
      h(
        "form",
        {
          onsubmit: (e) => {
            e.preventDefault();
            const t = forest.get(sel.value);
            if (t) this.app.move({ node_id: n.id, new_parent_id: t.id }, `moved into ${t.name}`);
          }
        },
        h("label", { for: "move-target" }, "Move to"),
        sel,
        h("button", { type: "submit" }, "Move here")
      )
    );
    return box;
  }
  #deleteButton(n, forest, schema) {
    if (!canDelete(forest, schema, n.id)) return null;
    const count = [...forest.walk([n.id])].length;
    const what = count > 1 ? `Delete ${n.name} and ${count - 1} below it` : `Delete ${n.name}`;
    return h(
      "div",
      { class: "danger-zone" },
      h("button", { type: "button", class: "danger", id: "delete-node", onclick: () => this.app.remove(n.id) }, what)
    );
  }
};

// src/workspace.js
var STATUS_TEXT = {
  [State.CONNECTING]: "Connecting…",
  [State.LIVE]: "Live",
  [State.RECONNECTING]: "Reconnecting…",
  [State.OFFLINE]: "Offline, retrying…",
  [State.UNAUTHORIZED]: "Needs an access token",
  [State.MISSING]: "Session not found",
  [State.CLOSED]: "Session closed"
};
var Workspace = class _Workspace {
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
    this.collapsed = /* @__PURE__ */ new Set();
    this.parents = /* @__PURE__ */ new Map();
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
    const info = await sessionInfo(sid);
    if (!info.has_project) return null;
    const project = await getProject(info.project_id);
    const schema = await templateSchema(project.template_id);
    return new _Workspace(root, { sid, info, project, schema }, hooks);
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
      h(
        "header",
        { class: "bar" },
        h("a", { href: "#", class: "home", title: "Start screen" }, "Talus Tally"),
        this.title,
        this.connection,
        h(
          "div",
          { class: "toolbar", role: "toolbar", "aria-label": "Project" },
          this.undoBtn,
          this.redoBtn,
          h("button", { type: "button", id: "save", onclick: () => this.save() }, "Save"),
          h("button", { type: "button", id: "export", onclick: () => this.export() }, "Export")
        )
      ),
      h("div", { class: "messages" }, this.notice, this.error),
      h(
        "main",
        { class: "workspace" },
        h(
          "nav",
          { class: "tree-pane", "aria-label": "Project tree" },
          treeRoot,
          h(
            "p",
            { class: "keys", id: "tree-keys" },
            "Keys: ↑ ↓ select, ← → collapse and expand, Alt+↑ ↓ reorder, Alt+← → outdent and indent, ",
            "F2 rename, A add, M move to, Delete delete, Ctrl+Z undo, Ctrl+Shift+Z redo. Drag a node onto another to move it."
          )
        ),
        inspectorRoot
      ),
      h(
        "footer",
        { class: "share" },
        h("label", { for: "share-link" }, "Link to this session (open it in another tab or give it to a collaborator)"),
        h("input", { id: "share-link", type: "text", readonly: true, value: link, onfocus: (e) => e.target.select() })
      )
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
      const info = await sessionInfo(this.sid);
      this.canUndo = info.undo_available;
      this.canRedo = info.redo_available;
      if (info.project_id && info.project_id !== this.pid) this.pid = info.project_id;
      this.#renderHistory();
    } catch {
    }
  }
  #renderHistory() {
    this.undoBtn.disabled = !this.canUndo;
    this.redoBtn.disabled = !this.canRedo;
  }
  async #projectLoaded(ev) {
    this.pid = ev.project_id;
    this.selected = null;
    try {
      const project = await getProject(this.pid);
      this.schema = new Schema(await templateSchema(project.template_id));
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
    } else if (k === "z" && e.shiftKey || k === "y") {
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
    this.error.textContent = err && err.message || String(err);
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
      const res = await execute(this.sid, type, data);
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
    await this.#step(undo, "Undone");
  }
  async redo() {
    await this.#step(redo, "Redone");
  }
  async #step(call2, what) {
    try {
      const res = await call2(this.sid);
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
      await saveProject(this.pid, this.sid);
    } catch (e) {
      this.fail(e);
    }
  }
  async export() {
    try {
      const { blob, filename } = await exportProject(this.pid);
      const url2 = URL.createObjectURL(blob);
      const a = h("a", { href: url2, download: filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url2), 1e4);
      this.say(`Exported ${filename}.`);
    } catch (e) {
      this.fail(e);
    }
  }
};

// src/main.js
var app = document.getElementById("app");
var workspace = null;
var notice = "";
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
  el.textContent = err && err.message || String(err);
}
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
        setToken(input.value.trim());
        form.remove();
        route();
      }
    },
    h("h2", {}, "Access token needed"),
    h("p", {}, "This server asks for a token. Ask whoever runs it."),
    h("label", { for: "token" }, "Access token"),
    input,
    h("button", { type: "submit" }, "Use token")
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
      if (ws) ws.destroy();
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
      app.append(
        h("p", { role: "alert" }, `The session could not be opened: ${e.message}`),
        h("button", { type: "button", onclick: route }, "Try again")
      );
    }
  }
}
window.addEventListener("hashchange", route);
route();

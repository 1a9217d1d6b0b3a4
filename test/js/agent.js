// A socket.io-client 4.x puppet for the Go end-to-end tests. It reads one
// JSON command per line on stdin and writes one JSON line on stdout for
// everything its sockets see, so a Go test can drive real npm clients and
// assert on what they received.
//
// Commands:
//   {"op":"connect","id":"c1","url":"http://127.0.0.1:PORT","path":"/socket.io/",
//    "namespace":"/graph","transports":["polling"],"auth":{...},"query":{...},
//    "headers":{...},"reconnection":false}
//   {"op":"emit","id":"c1","event":"join_session","args":[{...}],"ack":true,"ref":7}
//   {"op":"disconnect","id":"c1"}
//   {"op":"close"}
//
// Output lines: {"type":"open","id","transport"} (engine open),
// {"type":"connect","id","transport"}, {"type":"event","id","name","args"},
// {"type":"ack","id","ref","args"}, {"type":"connect_error","id","message","data"},
// {"type":"disconnect","id","reason"}, {"type":"upgrade","id","transport"},
// {"type":"fail","message"} when a command cannot be carried out,
// {"type":"ready"} once at start and {"type":"closed"} before exiting.
"use strict";

const readline = require("node:readline");
const { io } = require("socket.io-client");

const sockets = new Map();

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

function connect(cmd) {
  if (sockets.has(cmd.id)) {
    sockets.get(cmd.id).disconnect();
  }
  const opts = {
    path: cmd.path || "/socket.io/",
    forceNew: true,
    reconnection: Boolean(cmd.reconnection),
    timeout: 10000,
  };
  if (cmd.transports) opts.transports = cmd.transports;
  if (cmd.auth) opts.auth = cmd.auth;
  if (cmd.query) opts.query = cmd.query;
  if (cmd.headers) opts.extraHeaders = cmd.headers;
  if (cmd.upgrade === false) opts.upgrade = false;
  const socket = io(cmd.url + (cmd.namespace || "/"), opts);
  sockets.set(cmd.id, socket);
  const id = cmd.id;

  // The manager opens the engine before the socket connects; watching it
  // there cannot miss an upgrade that completes before "connect".
  socket.io.on("open", () => {
    const engine = socket.io.engine;
    out({ type: "open", id, transport: engine.transport.name });
    engine.on("upgrade", (t) => out({ type: "upgrade", id, transport: t.name }));
  });
  socket.on("connect", () => {
    out({ type: "connect", id, transport: socket.io.engine.transport.name, sid: socket.id });
  });
  socket.on("connect_error", (err) => {
    // A refusal at the Engine.IO handshake (a foreign Origin, no token, a
    // client over its rate) comes as a transport error whose description
    // is the HTTP status; a refusal at CONNECT carries data.
    out({ type: "connect_error", id, message: String(err && err.message), data: (err && err.data) ?? null,
      status: typeof (err && err.description) === "number" ? err.description : 0 });
  });
  socket.on("disconnect", (reason) => out({ type: "disconnect", id, reason }));
  socket.onAny((name, ...args) => out({ type: "event", id, name, args }));
}

function emit(cmd) {
  const socket = sockets.get(cmd.id);
  if (!socket) {
    out({ type: "fail", message: `emit: no socket ${cmd.id}` });
    return;
  }
  const args = cmd.args || [];
  if (cmd.ack) {
    socket.emit(cmd.event, ...args, (...ackArgs) => out({ type: "ack", id: cmd.id, ref: cmd.ref, args: ackArgs }));
  } else {
    socket.emit(cmd.event, ...args);
  }
}

function disconnect(cmd) {
  const socket = sockets.get(cmd.id);
  if (!socket) {
    out({ type: "fail", message: `disconnect: no socket ${cmd.id}` });
    return;
  }
  socket.disconnect();
  sockets.delete(cmd.id);
}

function closeAll() {
  for (const s of sockets.values()) s.disconnect();
  sockets.clear();
  out({ type: "closed" });
  // Let stdout drain before exiting.
  process.stdout.write("", () => process.exit(0));
}

const handlers = { connect, emit, disconnect, close: closeAll };

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (err) {
    out({ type: "fail", message: `bad command: ${err.message}` });
    return;
  }
  const h = handlers[cmd.op];
  if (!h) {
    out({ type: "fail", message: `unknown op ${cmd.op}` });
    return;
  }
  try {
    h(cmd);
  } catch (err) {
    out({ type: "fail", message: `${cmd.op}: ${err.message}` });
  }
});
// The test went away: stop, so no node process outlives it.
rl.on("close", closeAll);
out({ type: "ready" });

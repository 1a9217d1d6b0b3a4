// A minimal Talus Tally client: it creates a restomod project over REST,
// joins its session over Socket.IO (/graph namespace), runs a few commands
// over the socket, prints every event it receives, and exits.
//
// Usage: node client.mjs [http://127.0.0.1:5000]
import { io } from "socket.io-client";

const base = (process.argv[2] || process.env.TALUS_URL || "http://127.0.0.1:5000").replace(/\/$/, "");
const api = `${base}/api/v1`;
const STEP_MS = 5000;

async function rest(method, path, body) {
  const res = await fetch(api + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

// call emits a request and waits for its ack; a failed request throws.
async function call(socket, event, payload) {
  const reply = await socket.timeout(STEP_MS).emitWithAck(event, payload);
  if (reply && reply.success === false) throw new Error(`${event}: ${reply.error.code}: ${reply.error.message}`);
  return reply;
}

const project = await rest("POST", "/projects", { template_id: "restomod", project_name: "Example '67 Mustang" });
const sid = project.session_id;
const root = project.graph.roots[0].id;
console.log(`project ${project.project_id} in session ${sid}, root ${root}`);

// Polling first, then an upgrade to WebSocket; the frontend uses
// { transports: ["polling"] }, which works the same.
const socket = io(`${base}/graph`, { reconnection: false });
let lastSeq = 0;
socket.onAny((name, payload) => {
  if (payload && typeof payload.seq === "number" && payload.event) lastSeq = Math.max(lastSeq, payload.seq);
  console.log(`<- ${name} ${JSON.stringify(payload)}`);
});
socket.on("connect_error", (err) => {
  console.error("connect_error:", err.message);
  process.exit(1);
});
// The engine opens (and may upgrade) before the namespace connects.
socket.io.once("open", () => {
  console.log(`engine open over ${socket.io.engine.transport.name}`);
  socket.io.engine.once("upgrade", (t) => console.log(`upgraded to ${t.name}`));
});
await new Promise((resolve) => socket.once("connect", resolve));
console.log(`connected as ${socket.id} over ${socket.io.engine.transport.name}`);

const joined = await call(socket, "join_session", { session_id: sid });
console.log(`joined at seq ${joined.seq} with ${joined.active_clients} client(s)`);

const phase = await call(socket, "execute_command", {
  command_type: "CreateNode",
  data: { parent_id: root, blueprint_type_id: "phase", name: "Bodywork" },
  include_graph: false,
});
await call(socket, "execute_command", {
  command_type: "UpdateProperty",
  data: { node_id: root, property_id: "vehicle", value: "1967 Ford Mustang" },
  include_graph: false,
});
await call(socket, "execute_command", {
  command_type: "RenameNode",
  data: { node_id: phase.node_id, name: "Body & paint" },
  include_graph: false,
});
await call(socket, "undo");
const last = await call(socket, "redo");

// Wait until the events of the last step have arrived, then leave.
const deadline = Date.now() + STEP_MS;
while (lastSeq < last.seq && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const tree = await rest("GET", `/sessions/${sid}/graph/tree`);
console.log(`graph at seq ${tree.seq}: ${JSON.stringify(tree.roots)}`);
socket.disconnect();
if (lastSeq < last.seq) {
  console.error(`missing events: got up to seq ${lastSeq}, want ${last.seq}`);
  process.exit(1);
}

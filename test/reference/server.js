// Reference server for talus-load: the job of the Go server (cmd/talus),
// done the plain way with Node.js and socket.io, so that the load tool has
// something honest to measure against.
//
// IN MEMORY ONLY. Nothing is written to disk, nothing survives a restart; a
// command is answered as soon as it is applied. It also skips what the Go
// server does besides the job: no undo/redo history, no command-id
// de-duplication, no catch-up history, no budgets or rate limits, no token,
// no Origin checks, and select values are not checked against their options.
//
// It speaks the subset of the Go server's contract that talus-load uses:
//   GET  /api/v1/health
//   POST /api/v1/projects          {template_id, project_name} -> 201 {session_id, project_id, template_id, graph}
//   POST /api/v1/projects/import   a project file {nodes: {id: {id, type, name, properties, children, parent_id}}}
//   POST /api/v1/commands/execute  {session_id, command_type, data, include_graph?, command_id?}
//                                  CreateNode, UpdateProperty, RenameNode, DeleteNode
//   GET  /api/v1/sessions/{sid}/graph/tree -> {roots, seq}
//   Socket.IO namespace /graph: join_session, execute_command (emit + ack);
//   every session event in the Go server's envelope, seq per session.
//
// Usage: PORT=5001 HOST=127.0.0.1 node server.js
'use strict';

const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { Server } = require('socket.io');

// The restomod template: each type's allowed children and property types.
const TYPES = {
  project_root: { children: ['phase'], props: { vehicle: 'text', vin: 'text', budget: 'currency' } },
  phase: { children: ['job'], props: { status: 'select', start_date: 'date' }, defaults: { status: 'planned' } },
  job: { children: ['task'], props: { priority: 'select', description: 'text' }, defaults: { priority: 'low' } },
  task: {
    children: ['part'],
    props: { status: 'select', cost: 'currency', impact: 'number', effort: 'number', estimated_hours: 'number', notes: 'text' },
    defaults: { status: 'not_started' },
  },
  part: {
    children: [],
    props: { sku: 'text', supplier: 'text', status: 'select', cost: 'currency', quantity: 'number', link: 'text' },
    defaults: { status: 'need_to_order', quantity: 1 },
  },
};
const VALID = {
  text: (v) => typeof v === 'string',
  select: (v) => typeof v === 'string' && v !== '',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  currency: (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)),
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
};

class Fail extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const sessions = new Map(); // session id -> {id, projectId, seq, nodes: Map, roots: [ids]}
let io;

function newSession(name, nodes, roots) {
  const s = { id: randomUUID(), projectId: randomUUID(), name, seq: 0, nodes, roots };
  sessions.set(s.id, s);
  return s;
}

function tree(s) {
  const build = (id) => {
    const n = s.nodes.get(id);
    return { id, name: n.name, blueprint_type_id: n.type, properties: n.properties, children: n.children.map(build) };
  };
  return { roots: s.roots.map(build) };
}

// emit gives the event the session's next seq and sends it to the room.
function emit(s, event, commandId, payload) {
  s.seq++;
  const envelope = { event, session_id: s.id, project_id: s.projectId, seq: s.seq, timestamp: new Date().toISOString() };
  if (commandId) envelope.command_id = commandId;
  io.of('/graph').to(s.id).emit(event, Object.assign(envelope, payload));
}

function node(s, id) {
  const n = s.nodes.get(id);
  if (!n) throw new Fail(404, 'NODE_NOT_FOUND', `node ${JSON.stringify(id)} not found`);
  return n;
}

function checkValue(type, pid, v) {
  const t = TYPES[type].props[pid];
  if (!t) throw new Fail(400, 'INVALID_COMMAND', `${type} has no property ${pid}`);
  if (!VALID[t](v)) throw new Fail(400, 'INVALID_COMMAND', `${pid} must be a valid ${t}`);
}

// Each command checks its data, changes the graph and returns [result, events].
const COMMANDS = {
  CreateNode(s, d) {
    const type = d.blueprint_type_id;
    if (!TYPES[type]) throw new Fail(400, 'INVALID_COMMAND', `unknown type ${type}`);
    const parent = d.parent_id ? node(s, d.parent_id) : null;
    if (parent && !TYPES[parent.type].children.includes(type)) {
      throw new Fail(400, 'INVALID_COMMAND', `${type} is not allowed under ${parent.type}`);
    }
    if (!parent && s.nodes.size > 0) throw new Fail(400, 'INVALID_COMMAND', 'a new node needs a parent');
    const properties = { ...TYPES[type].defaults };
    for (const [pid, v] of Object.entries(d.properties || {})) {
      checkValue(type, pid, v);
      properties[pid] = v;
    }
    const n = { id: randomUUID(), type, name: d.name || type, properties, children: [], parent: parent ? parent.id : null };
    const siblings = parent ? parent.children : s.roots;
    const index = Number.isInteger(d.index) ? Math.min(Math.max(d.index, 0), siblings.length) : siblings.length;
    siblings.splice(index, 0, n.id);
    s.nodes.set(n.id, n);
    const flat = { node_id: n.id, name: n.name, blueprint_type_id: type, parent_id: n.parent, index };
    return [n.id, [['graph:node-created', { node: { id: n.id, name: n.name, blueprint_type_id: type, parent_id: n.parent, index, properties }, ...flat }]]];
  },
  UpdateProperty(s, d) {
    const n = node(s, d.node_id);
    const value = d.value !== undefined ? d.value : d.new_value;
    checkValue(n.type, d.property_id, value);
    const old = n.properties[d.property_id] ?? null;
    n.properties[d.property_id] = value;
    return [n.id, [['graph:property-changed', { node_id: n.id, property_id: d.property_id, old_value: old, new_value: value }]]];
  },
  RenameNode(s, d) {
    const n = node(s, d.node_id);
    if (typeof d.name !== 'string' || d.name === '') throw new Fail(400, 'INVALID_COMMAND', 'name must be a non-empty string');
    const old = n.name;
    n.name = d.name;
    return [n.id, [['graph:node-updated', { node_id: n.id, changes: { name: { old, new: d.name } } }]]];
  },
  DeleteNode(s, d) {
    const n = node(s, d.node_id);
    const siblings = n.parent ? s.nodes.get(n.parent).children : s.roots;
    const index = siblings.indexOf(n.id);
    siblings.splice(index, 1);
    const deleted = [];
    const drop = (id) => {
      deleted.push(id);
      s.nodes.get(id).children.forEach(drop);
      s.nodes.delete(id);
    };
    drop(n.id);
    return [n.id, [['graph:node-deleted', { node_id: n.id, parent_id: n.parent, index, deleted_ids: deleted }]]];
  },
};

// execute runs one command for REST and sockets alike and returns the reply.
function execute(req) {
  const s = sessions.get(req.session_id);
  if (!s) throw new Fail(404, 'INVALID_SESSION', 'no such session');
  const type = req.command_type;
  if (!COMMANDS[type]) throw new Fail(400, 'INVALID_COMMAND', `unknown command type ${type}`);
  const id = typeof req.command_id === 'string' && req.command_id ? req.command_id : randomUUID();
  emit(s, 'command:executing', id, { command_type: type });
  let result, events;
  try {
    [result, events] = COMMANDS[type](s, req.data || {});
  } catch (err) {
    if (err instanceof Fail) emit(s, 'command:failed', id, { command_type: type, error: { code: err.code, message: err.message } });
    throw err;
  }
  for (const [name, payload] of events) emit(s, name, id, payload);
  emit(s, 'command:executed', id, { command_type: type, result });
  const reply = { success: true, command_id: id, command_type: type, result, node_id: result, seq: s.seq, undo_available: true, redo_available: false };
  if (req.include_graph !== false) reply.graph = tree(s);
  return reply;
}

function createProject(body) {
  if (body.template_id !== 'restomod') throw new Fail(404, 'TEMPLATE_NOT_FOUND', 'only restomod here');
  const name = body.project_name || 'Untitled';
  const root = { id: randomUUID(), type: 'project_root', name, properties: {}, children: [], parent: null };
  const s = newSession(name, new Map([[root.id, root]]), [root.id]);
  emit(s, 'project:loaded', null, { graph: tree(s) }); // as the Go server: opening a project is seq 1
  return s;
}

function importProject(file) {
  if (!file || typeof file.nodes !== 'object') throw new Fail(400, 'INVALID_REQUEST', 'a project file has nodes');
  const nodes = new Map();
  const roots = [];
  for (const n of Object.values(file.nodes)) {
    if (!TYPES[n.type]) throw new Fail(400, 'INVALID_REQUEST', `unknown type ${n.type}`);
    nodes.set(n.id, { id: n.id, type: n.type, name: n.name, properties: n.properties || {}, children: n.children || [], parent: n.parent_id || null });
    if (!n.parent_id) roots.push(n.id);
  }
  const s = newSession(file.name || 'Imported', nodes, roots);
  emit(s, 'project:loaded', null, { graph: tree(s) });
  return s;
}

const projectReply = (s) => ({ session_id: s.id, project_id: s.projectId, template_id: 'restomod', graph: tree(s) });

function route(method, path, body) {
  if (method === 'GET' && path === '/api/v1/health') return [200, { status: 'ok', sessions: sessions.size }];
  if (method === 'POST' && path === '/api/v1/projects') return [201, projectReply(createProject(body))];
  if (method === 'POST' && path === '/api/v1/projects/import') return [201, projectReply(importProject(body))];
  if (method === 'POST' && path === '/api/v1/commands/execute') return [200, execute(body)];
  const m = /^\/api\/v1\/sessions\/([^/]+)\/graph\/tree$/.exec(path);
  if (method === 'GET' && m) {
    const s = sessions.get(m[1]);
    if (!s) throw new Fail(404, 'INVALID_SESSION', 'no such session');
    return [200, { ...tree(s), seq: s.seq }];
  }
  throw new Fail(404, 'NOT_FOUND', 'no such route');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let status, reply;
    try {
      const text = Buffer.concat(chunks).toString();
      let body = {};
      try {
        if (text) body = JSON.parse(text);
      } catch {
        throw new Fail(400, 'INVALID_REQUEST', 'body is not JSON');
      }
      [status, reply] = route(req.method, req.url.split('?')[0], body);
    } catch (err) {
      if (!(err instanceof Fail)) err = new Fail(500, 'INTERNAL_ERROR', 'internal error');
      [status, reply] = [err.status, { error: { code: err.code, message: err.message } }];
    }
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
  });
});
server.keepAliveTimeout = 65000; // longer than the load tool's idle connections live, as behind a proxy

io = new Server(server, { serveClient: false });
io.of('/graph').on('connection', (socket) => {
  let joined = null;
  const fail = (err, ack) => {
    const error = { code: err.code || 'INTERNAL_ERROR', message: err.message };
    socket.emit('error', error);
    if (typeof ack === 'function') ack({ success: false, error });
  };
  const clients = (s) => io.of('/graph').adapter.rooms.get(s.id)?.size || 0;

  socket.on('join_session', (p, ack) => {
    const s = sessions.get(p && p.session_id);
    if (!s) return fail(new Fail(404, 'INVALID_SESSION', 'no such session'), ack);
    if (joined) socket.leave(joined.id);
    joined = s;
    socket.join(s.id);
    const reply = { session_id: s.id, client_id: socket.id, active_clients: clients(s), seq: s.seq };
    socket.emit('joined', reply);
    if (typeof ack === 'function') ack(reply);
    emit(s, 'session:connected', null, { client_id: socket.id, client_count: clients(s) });
  });
  socket.on('execute_command', (p, ack) => {
    try {
      const reply = execute({ ...p, session_id: (p && p.session_id) || (joined && joined.id) });
      if (typeof ack === 'function') ack(reply);
    } catch (err) {
      fail(err, ack);
    }
  });
  socket.on('disconnect', () => {
    if (joined && sessions.has(joined.id)) emit(joined, 'session:disconnected', null, { client_id: socket.id, client_count: clients(joined) });
  });
});

const port = Number(process.env.PORT || 5001);
const host = process.env.HOST || '127.0.0.1';
server.listen(port, host, () => console.log(`reference server on http://${host}:${port} (in memory only)`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => io.close(() => process.exit(0)));

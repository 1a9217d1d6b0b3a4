// Live keeps one session's graph in step with the server over Socket.IO, as
// ws/PROTOCOL.md "Ordering and replay" says: join, fetch the tree (which
// carries its seq), then apply in order the events with a higher seq. On a
// reconnect the join carries last_seq, so the server replays exactly what
// was missed; when that history is gone it sends session:resync instead.

import { io } from "socket.io-client";
import * as api from "./api.js";
import { Forest } from "./forest.js";

/** The connection states the page shows. */
export const State = Object.freeze({
  CONNECTING: "connecting",
  LIVE: "live",
  RECONNECTING: "reconnecting",
  OFFLINE: "offline",
  UNAUTHORIZED: "unauthorized",
  MISSING: "missing",
  CLOSED: "closed",
});

/**
 * Live is one session's live graph. It dispatches "change" (the forest or
 * seq moved), "status" (connection state or client count), "history" (a
 * command, undo or redo ran: undo availability may have changed),
 * "project" (another project was loaded into the session) and "saved".
 */
export class Live extends EventTarget {
  constructor(sid) {
    super();
    this.sid = sid;
    this.forest = null; // null until the first tree arrives
    this.seq = 0;
    this.state = State.CONNECTING;
    this.clientCount = 0;
    this.countSeq = 0; // seq of the event clientCount comes from
    this.clientID = "";
    this.lastError = "";
    this.buffer = []; // events that arrived before the tree
    this.generation = 0; // bumps on every tree fetch, so a stale one is dropped
    this.retryDelay = 0;
    this.retryTimer = null;
    this.socket = null;
  }

  start() {
    // auth is a function so every (re)connect sends the seq held then.
    // The token goes in the query: the server wants it from the Engine.IO
    // handshake on, and a browser's WebSocket cannot send headers.
    const t = api.token();
    this.socket = io("/graph", {
      query: t ? { token: t } : {},
      auth: (cb) => {
        // names: this page reads our event names, whatever the server's
        // -event-names default for clients that cannot ask.
        const auth = { session_id: this.sid, names: "canonical" };
        if (this.forest) auth.last_seq = this.seq;
        cb(auth);
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    const s = this.socket;
    s.on("connect", () => this.#setState(State.CONNECTING));
    s.on("joined", (j) => this.#joined(j));
    s.on("session:resync", (r) => this.#resync(r));
    s.on("error", (e) => this.#serverError(e));
    s.on("disconnect", (reason) => this.#disconnected(reason));
    s.on("connect_error", (err) => this.#connectError(err));
    // Once offline, a retry does not flip the state back and forth.
    s.io.on("reconnect_attempt", () => {
      const token = api.token(); // entered since, perhaps
      s.io.opts.query = token ? { token } : {};
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
      // Reconnected with last_seq: the missed events follow this reply.
      this.#setState(State.LIVE);
      return;
    }
    await this.#fetchTree();
  }

  async #fetchTree() {
    const gen = ++this.generation;
    try {
      const tree = await api.sessionTree(this.sid);
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
    // The history the server kept no longer reaches back to our seq.
    this.generation++;
    this.forest = new Forest(r.graph.roots);
    this.seq = r.seq;
    this.buffer = [];
    this.#setState(State.LIVE);
    this.#emit("change");
    this.#emit("history");
  }

  #event(ev) {
    // Who is here is not part of the tree: an arrival may come before the
    // tree's seq (and be skipped below) and still be the latest count.
    if ((ev.event === "session:connected" || ev.event === "session:disconnected") && ev.seq > this.countSeq) {
      this.clientCount = ev.client_count;
      this.countSeq = ev.seq;
      this.#emit("status");
    }
    if (!this.forest) {
      this.buffer.push(ev);
      return;
    }
    if (ev.seq <= this.seq) return; // already in the tree we fetched
    if (ev.seq !== this.seq + 1) {
      // A gap breaks the protocol's promise; start over from a fresh tree.
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
    // The client library reconnects by itself after a lost transport, but
    // not after the server said goodbye (shutdown, SLOW_CONSUMER): that one
    // is ours to retry.
    if (reason === "io server disconnect") this.#retryLater();
  }

  #connectError(err) {
    const code = err && err.data && err.data.code;
    if (code === "UNAUTHORIZED") {
      this.#setState(State.UNAUTHORIZED, err.message);
      return;
    }
    this.#setState(State.OFFLINE, (err && err.message) || "cannot connect");
    // socket.active is false when the server refused the namespace: the
    // library then gives up, so we try again, more slowly each time.
    if (!this.socket.active) this.#retryLater();
  }

  #retryLater() {
    clearTimeout(this.retryTimer);
    this.retryDelay = Math.min(Math.max(this.retryDelay * 2, 500), 10000);
    this.retryTimer = setTimeout(() => {
      if (this.socket && !this.socket.connected) this.socket.connect();
    }, this.retryDelay);
  }
}

// Drives a Socket.IO server with the real socket.io-client 4.x over each
// transport setup and checks connect/auth, emit, echo, ack, binary and the
// namespace refusal. Usage: node conformance.js http://127.0.0.1:PORT
// Prints one line per check; exits non-zero on the first failure.
"use strict";

const assert = require("node:assert/strict");
const { io } = require("socket.io-client");

const url = process.argv[2];
if (!url) {
  console.error("usage: node conformance.js URL");
  process.exit(2);
}

const STEP_MS = 5000;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), STEP_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

async function checkSetup(name, opts) {
  const socket = io(url, { forceNew: true, reconnection: false, auth: { token: "123" }, ...opts });
  try {
    const [auth] = await within(once(socket, "auth"), `${name}: auth event`);
    assert.deepEqual(auth, { token: "123" });
    assert.ok(socket.connected && socket.id, `${name}: connected with an id`);

    if (!opts.transports) {
      const engine = socket.io.engine;
      if (engine.transport.name !== "websocket") {
        await within(once(engine, "upgrade"), `${name}: upgrade to websocket`);
      }
      assert.equal(engine.transport.name, "websocket");
    } else {
      assert.equal(socket.io.engine.transport.name, opts.transports[0]);
    }

    socket.emit("message", 1, "2", { 3: [true] });
    const back = await within(once(socket, "message-back"), `${name}: message-back`);
    assert.deepEqual(back, [1, "2", { 3: [true] }]);

    const acked = await within(socket.timeout(STEP_MS).emitWithAck("message-with-ack", "a", { b: [1, null] }), `${name}: ack`);
    assert.deepEqual(acked, "a"); // emitWithAck resolves with the first ack argument
    const all = await within(
      new Promise((resolve) => socket.emit("message-with-ack", "x", 2, (...args) => resolve(args))),
      `${name}: ack with every argument`,
    );
    assert.deepEqual(all, ["x", 2]);

    socket.emit("message", "bin", Buffer.from([1, 2, 3]));
    const [label, bytes] = await within(once(socket, "message-back"), `${name}: binary echo`);
    assert.equal(label, "bin");
    assert.deepEqual(Buffer.from(bytes), Buffer.from([1, 2, 3]));

    // Several events in a burst keep their order.
    const got = [];
    const done = new Promise((resolve) => {
      socket.on("message-back", (n) => {
        got.push(n);
        if (got.length === 20) resolve();
      });
    });
    for (let i = 0; i < 20; i++) socket.emit("message", i);
    await within(done, `${name}: burst`);
    assert.deepEqual(got, [...Array(20).keys()]);

    const custom = io(`${url}/custom`, { forceNew: true, reconnection: false, ...opts });
    const [customAuth] = await within(once(custom, "auth"), `${name}: /custom auth`);
    assert.deepEqual(customAuth, {});
    custom.close();

    const bad = io(`${url}/random`, { forceNew: true, reconnection: false, ...opts });
    const [err] = await within(once(bad, "connect_error"), `${name}: /random refused`);
    assert.equal(err.message, "Invalid namespace");
    bad.close();

    console.log(`ok ${name}`);
  } finally {
    socket.close();
  }
}

(async () => {
  await checkSetup("polling", { transports: ["polling"] });
  await checkSetup("websocket", { transports: ["websocket"] });
  await checkSetup("default (upgrade)", {});
  console.log("all ok");
  process.exit(0);
})().catch((err) => {
  console.error(`FAIL ${err.stack || err}`);
  process.exit(1);
});

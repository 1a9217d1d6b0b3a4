// Package ws is the real-time side of the server: it mounts the Socket.IO
// endpoint (our own Engine.IO/Socket.IO layer in the engineio and socketio
// sub-packages) and bridges each connected socket to the session it joins.
//
// A client owns only its connection state (which session it watches and
// the inbox the session delivers to). Session state stays in the session
// actor; a client reaches it through *actors.Sessions like a REST handler
// does. One goroutine per client runs its requests in order, and one pump
// goroutine per joined session moves events from the bounded inbox to the
// socket, so the session actor never waits on a client. PROTOCOL.md is the
// event catalog.
package ws

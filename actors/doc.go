// Package actors runs one actor per session. A session owns its graph, undo
// and redo stacks, event sequence and history, and its subscribers; nothing
// else touches them. A registry actor spawns sessions as its children and
// knows which session has which project open.
//
// Handlers in http and ws reach sessions only through *Sessions, which is
// safe for concurrent use: every call is a request to an actor with a
// timeout, answered with ErrUnavailable when no answer comes in time.
//
// Every event a session emits takes the next seq (from 1, no gaps) and is
// encoded to JSON once; subscribers (a *Queue, or any Subscriber) get the
// same *Event and are dropped, never waited for, when they fall behind.
// Code and Message map errors to the wire codes of the API in one place.
package actors

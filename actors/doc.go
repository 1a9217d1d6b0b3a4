// Package actors runs one actor per session. A session owns its graph, undo
// and redo stacks, event sequence and history, and its subscribers; nothing
// else touches them. A registry actor spawns sessions as its children and
// knows which session has which project open.
//
// Handlers in http and ws reach sessions only through *Sessions, which is
// safe for concurrent use: every call is a request to an actor with a
// timeout, answered with ErrUnavailable when no answer comes in time. The
// request carries that deadline: a session that reads it later refuses it
// (ErrUnavailable) rather than handle it, so a command whose caller was
// told "unavailable" does not happen afterwards behind its back.
//
// Every event a session emits takes the next seq (from 1, no gaps) and is
// encoded to JSON once; subscribers (a *Queue, or any Subscriber) get the
// same *Event and are dropped, never waited for, when they fall behind.
// Code and Message map errors to the wire codes of the API in one place.
//
// # Durability
//
// With Config.Store, a session journals every message that changed it (a
// command with its ops, an undo or redo, or just the events it emitted) as
// one record, and replies only once the record is durable; the store
// group-commits records of all sessions. If the journal fails, the change is
// undone and the asker gets UNAVAILABLE: memory never holds what the
// journal does not. Opening a project replaces the whole state, so it is
// made durable by a checkpoint instead; checkpoints are also taken every
// Config.CheckpointEvery records, when a session leaves memory and at Stop.
// Start reads a small summary of every stored session; a session comes
// into memory (checkpoint plus the records after it, replayed with the same
// code paths) on its first request. Sessions with no clients and no
// activity for Config.IdleTimeout checkpoint and stop; the registry keeps
// their summary and brings them back on their next request. A stopped
// session's mailbox middleware (gate) answers what was still queued, so no
// request is dropped while a session leaves.
//
// Saved projects are project files (the prototype's format) in the store;
// see projects.go.
package actors

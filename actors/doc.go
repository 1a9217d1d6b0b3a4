// Package actors runs one actor per session. A session owns its graph, undo
// and redo stacks, event sequence and history, and its subscribers; nothing
// else touches them. A registry actor spawns sessions as its children and
// knows which session has which project open.
//
// Handlers in http and ws reach sessions only through *Sessions, which is
// safe for concurrent use: every call is a request to an actor with a
// timeout, answered with ErrUnavailable when no answer comes in time.
package actors

// Package actors runs one actor per session. A session owns its graph, undo
// and redo stacks, event sequence and history, and its subscribers; nothing
// else touches them. Handlers in http and ws reach sessions only through
// *Client, which is safe for concurrent use.
//
// # Who runs what
//
//   - The caller side (client.go, client_projects.go, ask.go) runs on the
//     caller's goroutine: every call is a request that waits for its
//     answer until the caller's context ends or the request timeout
//     passes, whichever is first (ErrUnavailable). The caller and the
//     actor claim the request (claim.go): a caller that stops waiting
//     abandons it, and the actor then never does it; an actor that started
//     it first (before its journal write) makes the caller wait for the
//     real outcome. So "unavailable" never means "done after all".
//   - The registry actor (registry.go) knows every session, in memory or
//     only in the store, and routes every request to its session. It owns
//     the lifecycle: it spawns sessions, brings stored ones back
//     (activation), holds the requests for a session that is stopping
//     until it can answer them, and passivates idle sessions. It does no
//     disk work itself.
//   - A session actor (session*.go) handles one message at a time: commands
//     (session_commands.go), reads, projects, and its events and
//     subscribers (session_events.go, session_subscribers.go).
//   - Durability (journal.go, checkpoint.go) runs inside the session: a
//     change is journaled before it is answered.
//
// # Events
//
// Every event a session emits takes the next seq (from 1, no gaps) and is
// encoded to its wire form once; subscribers get the same *Event and are
// dropped, never waited for, when they cannot take it.
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
// code paths) on its first request. Each session keeps its own receive
// timeout (session_idle.go): one with no clients that received nothing but
// quiet requests (reads, marked actor.NotInfluenceReceiveTimeout) for
// Config.IdleTimeout checkpoints and asks the registry to stop it; the
// registry agrees only when it has sent the session nothing since, so no
// request is ever left in a stopped session's mailbox. A stopped session
// leaves nothing behind but the registry's summary of it.
package actors

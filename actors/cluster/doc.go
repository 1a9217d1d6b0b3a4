// Package cluster spreads sessions over several servers on embedded NATS
// with JetStream (see docs/scale-out.md for why this engine). Every server
// runs a NATS server in its own process; together they form one JetStream
// cluster that holds, replicated on up to three of them:
//
//   - the session journal, stream TALUS_J with one subject per session
//     (talus.j.<id>): every record a session appends, written with the
//     expected last sequence of that subject, so a server that is no
//     longer the owner cannot append (fencing);
//   - the owners, KV bucket talus_owners: key <id> names the server that
//     owns the session (a lease: created with compare-and-set, renewed
//     before its TTL runs out, gone when its owner stops renewing);
//   - the checkpoints, KV bucket talus_ckpt: a session's whole state and
//     the journal position it covers, written with compare-and-set.
//
// A Node is the actors.Journal of the sessions this server owns, and the
// Router that tells the edge (http, ws) where a session lives: here, at
// another server's URL, or nowhere yet, in which case this server takes it
// over (lease, then load, then a takeover record that fences every earlier
// owner) and serves it. Session actors stay local to their owner and are
// the same code as on a single server.
package cluster

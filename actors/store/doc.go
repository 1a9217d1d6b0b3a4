// Package store keeps what must survive a restart: the session journal,
// session checkpoints and saved projects. It is byte-level: records,
// checkpoint states and project files are opaque []byte produced by the
// session layer, so the store never learns what a graph is.
//
// Layout of the data directory:
//
//	store.db          bbolt: buckets "sessions" (checkpoints), "tombs"
//	                  (deleted sessions) and "projects" (saved projects)
//	journal/*.wal     journal segments, named by a growing hex number
//
// # Journal
//
// Append hands a record to a single writer goroutine. The writer takes every
// record that queued up while its previous write and fsync ran, writes them
// with one write and makes them durable with one fsync (group commit), then
// answers all of their Appends. So an Append that returned nil is on disk, and
// N sessions appending at once share fsyncs instead of queueing for their own.
//
// Each Open starts a new segment, and the writer starts another when the
// active one passes Options.SegmentSize, so every segment but the active one
// is immutable. Recovery scans the segments in order; the first frame that is
// short, fails its CRC or does not decode ends the journal: that segment is
// truncated to the last good record, later segments are renamed aside
// (".dropped"), a Warn names the offset and the bytes dropped, and Open goes
// on. The journal is always a prefix of what was written, never a log with
// holes.
//
// # Invariants
//
// A position is (segment number, byte offset of a frame). Positions only grow:
// a new segment's number is above every segment and every tomb ever seen.
//
//   - A record of session X is live unless X's checkpoint has seq >= the
//     record's seq, or X has a tomb whose position is after the record.
//     Replay and LoadSession yield live records only, in journal order.
//   - Checkpoint(X, seq) is written to bbolt before anything that depends on
//     it is dropped. Callers must checkpoint a state that includes every
//     record of X with seq <= the checkpoint's seq; seqs of one session never
//     go down (until the session is deleted).
//   - DeleteSession(X) removes X's checkpoint and writes X's tomb, the current
//     end of the journal, in one bbolt transaction: every record of X that an
//     Append had acknowledged is before the tomb, so X does not come back.
//     A later session with the same id writes after the tomb and is new.
//   - A sealed segment is deleted only when none of its records are live,
//     judged per segment from each session's highest seq and last position in
//     it. A tomb is dropped only when no segment at or before it still holds a
//     record of its session.
package store

package main

// Violation kinds: each one fails the run.
const (
	vForeign    = "foreign_session" // an event of a session the socket did not join
	vGap        = "gap"             // a seq was skipped: events never arrived
	vOutOfOrder = "out_of_order"    // a seq at or below one already seen (duplicate or reordered)
	vBeforeJoin = "before_join"     // a session event before the socket's joined reply
	vMissing    = "missing_at_end"  // the run ended with events of the session not received
	vDropped    = "disconnected"    // the server ended the connection during the run
	vSlow       = "slow_consumer"   // the server dropped the socket as too slow
)

// checker holds what one socket has seen of the session it joined and says
// what is wrong with each event: every event of the session must come, in
// seq order, each once, and none from another session. It is not safe for
// concurrent use: the goroutine that reads the socket owns it.
type checker struct {
	session string
	joined  bool
	next    uint64 // the seq expected next
}

// join records the socket's joined reply: live events start after seq.
func (c *checker) join(seq uint64) {
	c.joined = true
	c.next = seq + 1
}

// event checks one session event and returns the violation it shows ("" for
// none) and, for a gap, how many events were skipped.
func (c *checker) event(session string, seq uint64) (kind string, missed uint64) {
	switch {
	case session != c.session:
		return vForeign, 0
	case !c.joined:
		return vBeforeJoin, 0
	case seq < c.next:
		return vOutOfOrder, 0
	case seq > c.next:
		missed = seq - c.next
		c.next = seq + 1 // go on from here, so one gap is counted once
		return vGap, missed
	}
	c.next++
	return "", 0
}

// seen is the highest seq received in order.
func (c *checker) seen() uint64 { return c.next - 1 }

// finish says how many events up to final (the session's last seq) never
// arrived.
func (c *checker) finish(final uint64) (missing uint64) {
	if !c.joined || final < c.next {
		return 0
	}
	return final - c.next + 1
}

package actors

import (
	"container/list"

	"github.com/talus-tally/server/model"
)

// step is one entry of the undo or redo stack: a command (or Batch) as the
// ops that redo it; model.Invert gives the ops that undo it.
type step struct {
	commandID   string
	commandType string
	ops         []model.Op
}

// push adds st on top of a stack, dropping the oldest entry beyond
// UndoLimit. The redo stack only ever holds entries moved off the undo
// stack, so the same bound holds for it.
func (s *session) push(stack *[]step, st step) {
	if len(*stack) >= s.cfg.UndoLimit {
		drop := len(*stack) - s.cfg.UndoLimit + 1
		clear((*stack)[:drop]) // let the dropped ops be collected
		*stack = (*stack)[drop:]
	}
	*stack = append(*stack, st)
}

// eventRing keeps the newest events, up to limit, for replay to clients that
// come back with a last_seq. Their seqs are consecutive and end at the
// session's seq. The buffer grows as events come, so an idle session does
// not hold limit slots.
type eventRing struct {
	limit int
	buf   []*Event
	start int // index of the oldest event once buf is full
}

func (r *eventRing) push(ev *Event) {
	if len(r.buf) < r.limit {
		r.buf = append(r.buf, ev)
		return
	}
	r.buf[r.start] = ev
	r.start = (r.start + 1) % len(r.buf)
}

// ordered returns the kept events, oldest first.
func (r *eventRing) ordered() []*Event {
	out := make([]*Event, 0, len(r.buf))
	for i := range r.buf {
		out = append(out, r.buf[(r.start+i)%len(r.buf)])
	}
	return out
}

// after returns the events with a seq above seq, given that the newest kept
// event is last. It reports false when some of them are no longer kept, or
// when seq is beyond last (a client ahead of the session must resync too).
func (r *eventRing) after(seq, last uint64) ([]*Event, bool) {
	if seq > last || last-seq > uint64(len(r.buf)) {
		return nil, false
	}
	n := int(last - seq)
	out := make([]*Event, 0, n)
	for i := len(r.buf) - n; i < len(r.buf); i++ {
		out = append(out, r.buf[(r.start+i)%len(r.buf)])
	}
	return out, true
}

// commandCache remembers the first successful result of the newest command
// ids, so a retried command is answered again instead of applied twice. The
// least recently used id goes first when it is full.
type commandCache struct {
	limit int
	order *list.List // of *cachedResult, most recent at the front
	byID  map[string]*list.Element
}

type cachedResult struct {
	id  string
	res *Executed // without Roots
}

func newCommandCache(limit int) *commandCache {
	return &commandCache{limit: limit, order: list.New(), byID: make(map[string]*list.Element)}
}

// get returns the result remembered for id; "" is never remembered.
func (c *commandCache) get(id string) (*Executed, bool) {
	if id == "" {
		return nil, false
	}
	el, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cachedResult).res, true
}

func (c *commandCache) put(id string, res *Executed) {
	if el, ok := c.byID[id]; ok {
		c.order.MoveToFront(el)
		return
	}
	c.byID[id] = c.order.PushFront(&cachedResult{id: id, res: res})
	for c.order.Len() > c.limit {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byID, oldest.Value.(*cachedResult).id)
	}
}

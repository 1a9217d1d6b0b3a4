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
	size        int // model.OpsSize(ops)
}

func newStep(commandID, commandType string, ops []model.Op) step {
	return step{commandID: commandID, commandType: commandType, ops: ops, size: model.OpsSize(ops)}
}

// stack is the undo or the redo stack: its steps, oldest first, and the
// sum of their sizes, kept as they come and go so that a push costs the
// same however deep the stack is.
type stack struct {
	steps []step
	bytes int
}

func (st *stack) len() int { return len(st.steps) }

// top returns the newest step; the stack must not be empty.
func (st *stack) top() step { return st.steps[len(st.steps)-1] }

// pop removes the newest step and returns it.
func (st *stack) pop() step {
	top := st.steps[len(st.steps)-1]
	st.steps[len(st.steps)-1] = step{} // let its ops go with the entry
	st.steps = st.steps[:len(st.steps)-1]
	st.bytes -= top.size
	return top
}

// reset empties the stack.
func (st *stack) reset() {
	clear(st.steps)
	st.steps, st.bytes = st.steps[:0], 0
}

// push adds st on top of a stack, dropping the oldest entries beyond
// UndoLimit steps or UndoBytes (the newest step always stays, however
// large: the command was accepted). The redo stack only ever holds entries
// moved off the undo stack, so the same bounds hold for it.
func (s *session) push(to *stack, st step) {
	to.steps = append(to.steps, st)
	to.bytes += st.size
	drop := 0
	for len(to.steps)-drop > 1 && (len(to.steps)-drop > s.cfg.UndoLimit || to.bytes > s.cfg.UndoBytes) {
		to.bytes -= to.steps[drop].size
		drop++
	}
	if drop > 0 {
		clear(to.steps[:drop]) // let the dropped ops be collected
		to.steps = to.steps[drop:]
	}
}

// eventRing keeps the newest events, up to limit, for replay to clients that
// come back with a last_seq. Their seqs are consecutive and end at the
// session's seq. The buffer grows as events come, so an idle session does
// not hold limit slots. Large events are kept deflated (pack); what the
// ring hands out is always as sent.
type eventRing struct {
	limit    int // events
	maxBytes int // bytes of their JSON as sent
	bytes    int
	buf      []*Event
	start    int // index of the oldest event
}

// push keeps ev as the newest event, dropping the oldest beyond limit
// events or maxBytes (the newest always stays).
func (r *eventRing) push(ev *Event) {
	ev = pack(ev)
	if len(r.buf) < r.limit && r.start == 0 {
		r.buf = append(r.buf, ev)
	} else {
		r.bytes -= r.buf[r.start].size()
		r.buf[r.start] = ev
		r.start = (r.start + 1) % len(r.buf)
	}
	r.bytes += ev.size()
	if r.bytes > r.maxBytes && len(r.buf) > 1 {
		r.trim()
	}
}

// trim drops the oldest events until the rest fit maxBytes, leaving the
// ring holding only what is kept, in order.
func (r *eventRing) trim() {
	ordered := r.kept()
	drop := 0
	for r.bytes > r.maxBytes && len(ordered)-drop > 1 {
		r.bytes -= ordered[drop].size()
		drop++
	}
	clear(r.buf)
	r.buf, r.start = append(r.buf[:0], ordered[drop:]...), 0
}

// kept returns the events as kept, oldest first.
func (r *eventRing) kept() []*Event {
	out := make([]*Event, 0, len(r.buf))
	for i := range r.buf {
		out = append(out, r.buf[(r.start+i)%len(r.buf)])
	}
	return out
}

// ordered returns the events as sent, oldest first.
func (r *eventRing) ordered() []*Event {
	out := r.kept()
	for i, ev := range out {
		out[i] = unpack(ev)
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
		out = append(out, unpack(r.buf[(r.start+i)%len(r.buf)]))
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

package actors

import "container/list"

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

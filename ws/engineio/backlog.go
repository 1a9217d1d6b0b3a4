package engineio

// Buffered returns how many packets wait to be written to the client. A
// layer above uses it for back-pressure: a client that stops reading lets
// its packets pile up here, and the layer stops feeding it.
func (c *Conn) Buffered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

package engineio

import (
	"io"
	"net/http"
)

// HTTP long-polling: a GET waits for packets, a POST carries the client's.

const textContentType = "text/plain; charset=UTF-8"

func writeText(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", textContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// servePoll answers one GET with whatever is queued, waiting until there is
// something, the session ends or an upgrade needs the poll to finish.
func (c *Conn) servePoll(w http.ResponseWriter, r *http.Request) {
	// A session closed while kept for one more poll, and a closed one, are
	// told apart in the same critical section: checked apart, a client's
	// close landing between them would refuse the very poll the session
	// was kept for (the reference server, taking requests in arrival
	// order, answers it).
	c.mu.Lock()
	if pkts, ok, ended := c.takeLastLocked(); ok {
		c.mu.Unlock()
		if ended {
			c.srv.endLinger(c)
		}
		writeText(w, EncodePayload(pkts))
		return
	}
	switch {
	case c.closed:
		c.mu.Unlock()
		errUnknownSID.write(w)
		return
	case c.ws != nil:
		c.mu.Unlock()
		errBadRequest.write(w) // upgraded: polling is over for this sid
		return
	case c.polling:
		c.mu.Unlock()
		// The spec closes the session on overlapping polls; the waiting
		// GET answers with the close packet.
		c.close(ReasonDuplicatePoll, true)
		errBadRequest.write(w)
		return
	}
	c.polling = true
	settling := c.probeEnd != nil
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.polling = false
		c.mu.Unlock()
	}()
	if settling && c.awaitProbe(r) {
		errBadRequest.write(w) // upgraded while it came: polling is over
		return
	}

	wake := c.wakeChan()
	for {
		c.mu.Lock()
		closed, byServer := c.closed, c.serverClosed
		var pkts []Packet
		if !closed && c.holdWake == 0 {
			pkts = c.takeLocked()
		}
		upgrading := c.upgrading || c.ws != nil
		c.mu.Unlock()
		switch {
		case closed:
			if last, ok := c.takeLast(); ok {
				writeText(w, EncodePayload(last))
			} else if byServer {
				writeText(w, EncodePayload([]Packet{{Type: Close}}))
			} else {
				writeText(w, EncodePayload([]Packet{{Type: Noop}}))
			}
			return
		case len(pkts) > 0:
			writeText(w, EncodePayload(pkts))
			return
		case upgrading:
			writeText(w, EncodePayload([]Packet{{Type: Noop}}))
			return
		}
		select {
		case <-wake:
		case <-c.ctx.done:
		case <-r.Context().Done():
			return
		}
	}
}

// servePost decodes the client's payload and handles its packets in order.
func (c *Conn) servePost(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	upgraded, closed := c.ws != nil, c.closed
	c.mu.Unlock()
	switch {
	case closed:
		errUnknownSID.write(w) // a session kept a moment for a late poll
		return
	case upgraded:
		errBadRequest.write(w)
		return
	}
	limit := int64(c.cfg.MaxPayload)
	if r.ContentLength > limit {
		c.close(ReasonPayloadTooLarge, true)
		refuseTooLarge(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		c.close(ReasonTransportError, false)
		errBadRequest.write(w)
		return
	}
	if int64(len(body)) > limit {
		c.close(ReasonPayloadTooLarge, true)
		refuseTooLarge(w, r)
		return
	}
	pkts, err := DecodePayload(body)
	if err != nil {
		c.debug("bad polling payload", "err", err)
		c.close(ReasonParseError, true)
		errBadRequest.write(w)
		return
	}
	// Replies to this body are held back from the waiting poll until every
	// packet was handled, so they travel in one response instead of
	// trickling out one poll each.
	c.mu.Lock()
	c.holdWake++
	c.mu.Unlock()
	c.recvMu.Lock()
	for _, p := range pkts {
		if err = c.handle(p); err != nil {
			break
		}
	}
	c.recvMu.Unlock()
	c.mu.Lock()
	c.holdWake--
	c.wakeWriter()
	c.mu.Unlock()
	if err != nil {
		c.close(ReasonParseError, true)
		errBadRequest.write(w)
		return
	}
	writeText(w, []byte("ok"))
}

// maxDrain bounds how much of a too-large body is read and thrown away
// before the 413 goes out, as the REST API does: a client that writes its
// whole body before it reads (Python's urllib) would otherwise find the
// connection reset under it instead of reading why. A body larger still is
// cut off; net/http's ReadTimeout bounds how long draining may take.
const maxDrain = 8 << 20

// refuseTooLarge answers 413 once the rest of the body (up to maxDrain) is
// read, and ends the HTTP connection: its body was not read to the end.
func refuseTooLarge(w http.ResponseWriter, r *http.Request) {
	_, _ = io.CopyN(io.Discard, r.Body, maxDrain)
	w.Header().Set("Connection", "close")
	errTooLarge.write(w)
}

package ws

import (
	"time"

	"github.com/talus-tally/server/actors"
)

// backlogPoll is how often a pump held back by a full transport looks again.
const backlogPoll = 2 * time.Millisecond

// pump moves one membership's events from the inbox the session delivers
// to onto the socket. It is the only goroutine that emits session events to
// its client, so they go out in seq order.
type pump struct {
	c     *client
	inbox *actors.Queue
	quit  chan struct{}
	done  chan struct{}
}

func startPump(c *client, inbox *actors.Queue) *pump {
	p := &pump{c: c, inbox: inbox, quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// stop ends the pump and waits for it, so nothing it held is sent after.
func (p *pump) stop() {
	close(p.quit)
	<-p.done
}

func (p *pump) run() {
	defer close(p.done)
	for {
		// A drop wins over queued events: select picks among ready cases at
		// random, and a dropped slow consumer should hear why at once, not
		// after up to a queue's worth of stale events.
		select {
		case <-p.inbox.Done():
			p.dropped()
			return
		default:
		}
		select {
		case ev := <-p.inbox.C():
			if !p.forward(ev, p.inbox.Done()) {
				select {
				case <-p.inbox.Done():
					p.dropped()
				default:
				}
				return
			}
		case <-p.inbox.Done():
			p.dropped()
			return
		case <-p.quit:
			return
		}
	}
}

// forward sends ev once the transport has room. Waiting here, instead of
// piling packets into the transport, is what makes a client that stops
// reading fill its inbox, where the session notices and drops it. When
// abandon closes for a slow consumer (or a replaced membership) it gives up
// (false), so the drop is not held up by the very client that stopped
// reading; abandon may be nil.
func (p *pump) forward(ev *actors.Event, abandon <-chan struct{}) bool {
	conn := p.c.sock.Conn()
	for conn.Buffered() >= p.c.srv.cfg.Backlog {
		select {
		case <-p.quit:
			return false
		case <-conn.Done():
			return false
		case <-abandon:
			if r := p.inbox.Reason(); r == actors.ReasonSlowConsumer || r == actors.ReasonReplaced {
				return false
			}
			abandon = nil // after a close the queued events, ev first, still go out
		case <-time.After(backlogPoll):
		}
	}
	return p.c.emitEvent(ev) == nil
}

// dropped handles the session letting the client go. A slow consumer is
// told why and disconnected (it may come back with last_seq); after a close
// the events queued before it, session:closed last, still go out.
func (p *pump) dropped() {
	reason := p.inbox.Reason()
	switch reason {
	case actors.ReasonSlowConsumer:
		p.c.emit(evError, actors.WireError{Code: actors.CodeSlowConsumer, Message: "events were not read fast enough; reconnect with last_seq to catch up"})
		_ = p.c.sock.Disconnect()
	case actors.ReasonReplaced:
		return // a newer membership of this client took over
	default:
		for {
			select {
			case ev := <-p.inbox.C():
				if !p.forward(ev, nil) {
					return
				}
				continue
			default:
			}
			break
		}
	}
	select {
	case p.c.dropped <- dropNotice{pump: p, reason: reason}:
	case <-p.quit:
	}
}

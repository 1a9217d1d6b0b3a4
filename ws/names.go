package ws

import (
	"fmt"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/socketio"
)

// EventNames is how a client wants graph events named: ours
// ("graph:node-created"), the prototype's ("node-created", with its field
// names beside ours in the payload), or both, each event sent in each form.
type EventNames int

// The namings a client or the server's default can choose.
const (
	NamesCanonical EventNames = iota
	NamesLegacy
	NamesBoth
)

// ParseEventNames reads a naming as the -event-names flag and the CONNECT
// auth "names" field spell it.
func ParseEventNames(s string) (EventNames, error) {
	switch s {
	case "canonical":
		return NamesCanonical, nil
	case "legacy":
		return NamesLegacy, nil
	case "both":
		return NamesBoth, nil
	}
	return 0, fmt.Errorf("event names %q: want canonical, legacy or both", s)
}

// String is the naming's flag spelling.
func (n EventNames) String() string {
	switch n {
	case NamesLegacy:
		return "legacy"
	case NamesBoth:
		return "both"
	}
	return "canonical"
}

// frames returns ev as the Socket.IO packets this client gets: one, or for
// a graph event under NamesBoth, ours and then the prototype's. Each form
// is built once per event, for every client that wants it.
func (c *client) frames(ev *actors.Event) (first, second []byte) {
	legacy := wire.LegacyName(ev.Name)
	switch {
	case legacy == ev.Name || c.hello.Names == NamesCanonical:
		return c.frame(ev, false), nil
	case c.hello.Names == NamesLegacy:
		return c.frame(ev, true), nil
	}
	return c.frame(ev, false), c.frame(ev, true)
}

func (c *client) frame(ev *actors.Event, legacy bool) []byte {
	key := c.nsp * 2
	if legacy {
		key++
	}
	return ev.Frame(key, func() []byte {
		if legacy {
			return socketio.EventFrame(Namespaces[c.nsp], wire.LegacyName(ev.Name), wire.LegacyFields(ev.JSON))
		}
		return socketio.EventFrame(Namespaces[c.nsp], ev.Name, ev.JSON)
	})
}

// sendEvent queues ev as a reply (catching up on join): it always goes.
func (c *client) sendEvent(ev *actors.Event) {
	first, second := c.frames(ev)
	_ = c.sock.SendFrame(first)
	if second != nil {
		_ = c.sock.SendFrame(second)
	}
}

// offerEvent queues a live event unless this client's queue is over its
// byte budget.
func (c *client) offerEvent(ev *actors.Event) bool {
	first, second := c.frames(ev)
	if c.sock.OfferFrame(first) && (second == nil || c.sock.OfferFrame(second)) {
		c.srv.delivered.Add(1)
		return true
	}
	c.srv.dropped.Add(1)
	return false
}

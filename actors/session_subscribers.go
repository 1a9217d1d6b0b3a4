package actors

import (
	"github.com/talus-tally/server/model"
)

// join answers a Subscription: the seq the client is at once it has read the
// reply, and the events it missed (or a resync: they are gone, or more than
// it can take) when it gave a LastSeq. The subscriber is added by joined,
// after the reply is built, so every event up to Seq is in the reply and
// every later one goes to Sub.
func (s *session) join(sub Subscription) (*Joined, error) {
	if sub.ClientID == "" {
		return nil, &model.InvalidRequestError{Field: "client_id", Reason: "empty"}
	}
	if sub.Sub == nil {
		return nil, &model.InvalidRequestError{Field: "subscriber", Reason: "none"}
	}
	s.touch()
	j := &Joined{SessionID: s.id, ClientID: sub.ClientID, Seq: s.seq}
	if sub.LastSeq != nil {
		missed, ok := s.history.after(*sub.LastSeq, s.seq)
		if ok && sub.MaxMissedBytes > 0 && eventBytes(missed) > sub.MaxMissedBytes {
			ok = false
		}
		if ok {
			j.Missed = missed
		} else {
			j.Resync = &Tree{Roots: s.roots(), Seq: s.seq}
		}
	}
	j.ActiveClients = len(s.subs)
	if _, again := s.subs[sub.ClientID]; !again {
		j.ActiveClients++
	}
	return j, nil
}

// eventBytes is the size of evs' wire forms.
func eventBytes(evs []*Event) int {
	n := 0
	for _, ev := range evs {
		n += len(ev.JSON)
	}
	return n
}

// joined adds the subscriber and announces it; its own session:connected is
// the first event it receives.
func (s *session) joined(sub Subscription) {
	if old, ok := s.subs[sub.ClientID]; ok && old != sub.Sub {
		closeSub(old, ReasonReplaced)
	}
	s.subs[sub.ClientID] = sub.Sub
	s.emit(model.EventSessionConnected, "", SessionClient{ClientID: sub.ClientID, ClientCount: len(s.subs)})
	_ = s.commit() // a journal failure is logged; the event is dropped
}

// leave removes a client that asked to go. Leaving twice is not an error.
func (s *session) leave(clientID string) {
	if _, ok := s.subs[clientID]; !ok {
		return
	}
	s.touch()
	delete(s.subs, clientID)
	s.emit(model.EventSessionLeft, "", SessionClient{ClientID: clientID, ClientCount: len(s.subs)})
	_ = s.commit() // a journal failure is logged; the event is dropped
}

// deliver hands ev to every subscriber without waiting. One whose inbox is
// full is dropped (SLOW_CONSUMER) and its departure staged as an event, so
// the others, and the session, never wait for it.
func (s *session) deliver(ev *Event) {
	for id, sub := range s.subs {
		if offer(sub, ev) {
			continue
		}
		delete(s.subs, id)
		closeSub(sub, ReasonSlowConsumer)
		s.log.Info("subscriber dropped", "client", id, "reason", ReasonSlowConsumer, "seq", ev.Seq)
		s.emit(model.EventSessionLeft, "", SessionClient{ClientID: id, ClientCount: len(s.subs)})
	}
}

// letGo tells every subscriber the session let it go, and forgets them.
func (s *session) letGo(reason string) {
	for id, sub := range s.subs {
		closeSub(sub, reason)
		delete(s.subs, id)
	}
}

// offer calls Deliver; a Subscriber that panics counts as one that is full.
func offer(sub Subscriber, ev *Event) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
		}
	}()
	return sub.Deliver(ev)
}

// closeSub calls Closed; a panic there must not stop the session.
func closeSub(sub Subscriber, reason string) {
	defer func() { _ = recover() }()
	sub.Closed(reason)
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/talus-tally/server/ws/sioclient"
)

// watcher is one socket joined to one session. The socket's reader
// goroutine hands it every event as it comes (observe): it checks it and
// measures its delivery there, without a second goroutine in between.
type watcher struct {
	r    *runner
	s    *session
	c    *sioclient.Client
	chk  checker       // only observe touches it, until the socket is done
	seen atomic.Uint64 // chk.seen(), for the goroutine that waits for catch-up
}

func newWatcher(r *runner, s *session) *watcher {
	return &watcher{r: r, s: s, chk: checker{session: s.id}}
}

// dial connects w over transport and joins its session.
func (w *watcher) dial(ctx context.Context, transport string) error {
	c, err := sioclient.DialOptions(ctx, w.s.url, sioclient.Options{
		Namespace: "/graph", Transport: transport, HTTP: w.r.poll, OnEvent: w.observe,
	})
	if err != nil {
		return err
	}
	w.c = c
	ack, err := c.Call(ctx, "join_session", map[string]string{"session_id": w.s.id})
	if err != nil {
		return fmt.Errorf("join_session: %w", err)
	}
	var reply struct {
		SessionID string `json:"session_id"`
	}
	if len(ack) == 0 || json.Unmarshal(ack[0], &reply) != nil || reply.SessionID != w.s.id {
		return fmt.Errorf("join_session: unexpected ack %s", ack)
	}
	return nil
}

// ended says whether the socket's connection is over.
func (w *watcher) ended() bool {
	select {
	case <-w.c.Done():
		return true
	default:
		return false
	}
}

func (w *watcher) observe(ev sioclient.Event) {
	if len(ev.Args) == 0 {
		return
	}
	e, err := parseEnvelope(ev.Args[0])
	if err != nil {
		w.r.violations.add("undecodable_event", 1)
		return
	}
	switch {
	case ev.Name == "joined":
		w.chk.join(e.Seq)
		w.seen.Store(w.chk.seen())
		return
	case ev.Name == "error":
		if e.Code == "SLOW_CONSUMER" {
			w.r.violations.add(vSlow, 1)
		}
		return // other errors answer a request; its ack counts them
	case e.Event == "":
		return // not a session event
	}
	kind, missed := w.chk.event(e.SessionID, e.Seq)
	if kind != "" {
		w.r.violations.add(kind, 1)
		w.r.missed.Add(missed)
	}
	w.seen.Store(w.chk.seen())
	if !w.r.measuring.Load() {
		return
	}
	w.r.events.Add(1)
	storeMax(&w.r.lastEvent, ev.Received.UnixNano())
	if n, ok := w.r.measured(e.CommandID); ok {
		if sent := w.r.sentAt[n].Load(); sent != 0 {
			w.r.delivery.record(ev.Received.Sub(time.Unix(0, sent)))
		}
	}
}

// measured returns the index of a measured command from its id.
func (r *runner) measured(commandID string) (int, bool) {
	rest, ok := strings.CutPrefix(commandID, r.prefix("L"))
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n >= len(r.sentAt) {
		return 0, false
	}
	return n, true
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		m := a.Load()
		if v <= m || a.CompareAndSwap(m, v) {
			return
		}
	}
}

// caughtUp waits until every watcher has received its session's events up
// to the session's final seq, or has ended, or ctx is done; it reports
// whether all did.
func (r *runner) caughtUp(ctx context.Context) bool {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		behind := 0
		for _, w := range r.watchers {
			if !w.ended() && w.seen.Load() < w.s.final {
				behind++
			}
		}
		if behind == 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

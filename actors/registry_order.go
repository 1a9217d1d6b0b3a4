package actors

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sessionOrder keeps the registry's sessions in the order GET /sessions
// lists them (created, then id), so that a page costs its size, not a sort
// of every session. Deleting is lazy: a gone session stays in keys until
// more than half of them are gone, then they are dropped in one pass.
type sessionOrder struct {
	keys []orderKey // ascending; may hold sessions that are gone
	gone int
}

// orderKey is where a session sits in the list.
type orderKey struct {
	created int64 // UnixNano
	id      string
}

func keyOf(sum SessionSummary) orderKey {
	return orderKey{created: sum.CreatedAt.UnixNano(), id: sum.SessionID}
}

func (a orderKey) less(b orderKey) bool {
	return a.created < b.created || (a.created == b.created && a.id < b.id)
}

// add puts k in order; new sessions come last, so this is an append but
// after a clock step back.
func (o *sessionOrder) add(k orderKey) {
	if n := len(o.keys); n == 0 || o.keys[n-1].less(k) {
		o.keys = append(o.keys, k)
		return
	}
	i, _ := slices.BinarySearchFunc(o.keys, k, compareKeys)
	o.keys = slices.Insert(o.keys, i, k)
}

func compareKeys(a, b orderKey) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// removed notes that a session is gone; alive tells the live ones apart
// when it is time to drop the gone.
func (o *sessionOrder) removed(alive func(id string) bool) {
	o.gone++
	if o.gone <= len(o.keys)/2 {
		return
	}
	o.keys = slices.DeleteFunc(o.keys, func(k orderKey) bool { return !alive(k.id) })
	o.gone = 0
}

// page returns up to limit live keys after cursor (nil: from the start),
// and whether more follow.
func (o *sessionOrder) page(after *orderKey, limit int, alive func(id string) bool) ([]orderKey, bool) {
	i := 0
	if after != nil {
		i, _ = slices.BinarySearchFunc(o.keys, *after, compareKeys)
		if i < len(o.keys) && o.keys[i] == *after {
			i++
		}
	}
	var out []orderKey
	for ; i < len(o.keys); i++ {
		if !alive(o.keys[i].id) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, o.keys[i])
	}
	return out, false
}

// Cursor is where a page of GET /sessions ends, as the client passes it
// back: opaque to it, "<created unix nanos>.<session id>".
func (k orderKey) cursor() string { return strconv.FormatInt(k.created, 10) + "." + k.id }

// parseCursor reads a cursor; "" is the start.
func parseCursor(s string) (*orderKey, error) {
	if s == "" {
		return nil, nil
	}
	ns, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || checkSessionID(id) != nil {
		return nil, fmt.Errorf("cursor %q: not one this server gave", s)
	}
	return &orderKey{created: n, id: id}, nil
}

// createdAt is when a key's session was created.
func (k orderKey) createdAt() time.Time { return time.Unix(0, k.created).UTC() }

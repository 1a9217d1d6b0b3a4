package actors

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

func TestJoinReplay(t *testing.T) {
	s := start(t, Config{HistoryLimit: 8})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "a") // seqs 2..4
	createPhase(t, s, sid, root, "b") // seqs 5..7
	all, seq, err := allEventsAfter(ctx, s, sid, 1)
	require.NoError(t, err)
	require.Equal(t, uint64(7), seq)

	last := uint64(3)
	q := NewQueue(16)
	j, err := s.Join(ctx, sid, Subscription{ClientID: "back", Sub: q, LastSeq: &last})
	require.NoError(t, err)
	assert.Equal(t, uint64(7), j.Seq)
	assert.Nil(t, j.Resync)
	requireSeqs(t, j.Missed, 4)
	assert.Equal(t, all[2:], j.Missed)

	live := take(t, q, 1)
	assert.Equal(t, model.EventSessionConnected, live[0].Name)
	assert.Equal(t, j.Seq+1, live[0].Seq, "no gap and no duplicate between reply and live events")
	assert.Contains(t, string(live[0].JSON), `"client_id":"back"`)
	assert.Contains(t, string(live[0].JSON), `"client_count":1`)

	upToDate := j.Seq + 1
	j2, err := s.Join(ctx, sid, Subscription{ClientID: "current", Sub: NewQueue(4), LastSeq: &upToDate})
	require.NoError(t, err)
	assert.Empty(t, j2.Missed)
	assert.Nil(t, j2.Resync)
	assert.Equal(t, 2, j2.ActiveClients)

	plain, err := s.Join(ctx, sid, Subscription{ClientID: "plain", Sub: NewQueue(4)})
	require.NoError(t, err)
	assert.Nil(t, plain.Missed)
	assert.Nil(t, plain.Resync)
}

func TestJoinResync(t *testing.T) {
	s := start(t, Config{HistoryLimit: 4})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "a")
	createPhase(t, s, sid, root, "b") // seq 7; kept: 4..7
	want := tree(t, s, sid)

	for _, last := range []uint64{0, 2, 100} {
		t.Run(fmt.Sprint(last), func(t *testing.T) {
			q := NewQueue(4)
			j, err := s.Join(ctx, sid, Subscription{ClientID: fmt.Sprint("c", last), Sub: q, LastSeq: &last})
			require.NoError(t, err)
			assert.Nil(t, j.Missed)
			require.NotNil(t, j.Resync)
			assert.Equal(t, want.Roots, j.Resync.Roots)
			assert.Equal(t, j.Seq, j.Resync.Seq)
			ev := take(t, q, 1)[0]
			assert.Equal(t, j.Seq+1, ev.Seq)
			want.Seq = ev.Seq
		})
	}

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	last := in.Seq - 4
	j, err := s.Join(ctx, sid, Subscription{ClientID: "edge", Sub: NewQueue(4), LastSeq: &last})
	require.NoError(t, err)
	require.Nil(t, j.Resync, "history still holds the 4 newest events")
	requireSeqs(t, j.Missed, last+1)
	require.Len(t, j.Missed, 4)
}

func TestEventsAfter(t *testing.T) {
	s := start(t, Config{HistoryLimit: 4})
	ctx := context.Background()
	sid, root := project(t, s)
	createPhase(t, s, sid, root, "a") // seq 4

	evs, seq, err := allEventsAfter(ctx, s, sid, 0)
	require.NoError(t, err)
	assert.Equal(t, uint64(4), seq)
	requireSeqs(t, evs, 1)

	createPhase(t, s, sid, root, "b") // seq 7; kept 4..7
	evs, seq, err = allEventsAfter(ctx, s, sid, 3)
	require.NoError(t, err)
	assert.Equal(t, uint64(7), seq)
	requireSeqs(t, evs, 4)

	evs, _, err = allEventsAfter(ctx, s, sid, 7)
	require.NoError(t, err)
	assert.Empty(t, evs)

	for _, after := range []uint64{0, 2, 8} {
		_, _, err = allEventsAfter(ctx, s, sid, after)
		var gone *HistoryGoneError
		require.ErrorAs(t, err, &gone, "after %d", after)
		assert.Equal(t, after, gone.After)
		assert.Equal(t, uint64(7), gone.Seq)
		assert.Equal(t, wire.CodeHistoryGone, wire.Code(err))
	}
}

func TestSlowConsumer(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	slow, _ := joinQueue(t, s, sid, "slow", 1) // never drained
	fast, j := joinQueue(t, s, sid, "fast", 256)

	for i := range 5 {
		createPhase(t, s, sid, root, fmt.Sprint("p", i))
	}

	select {
	case <-slow.Done():
	case <-time.After(waitLimit):
		t.Fatal("slow consumer not dropped")
	}
	assert.Equal(t, ReasonSlowConsumer, slow.Reason())

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, 1, in.ActiveClients)
	evs := take(t, fast, int(in.Seq-j.Seq))
	requireSeqs(t, evs, j.Seq+1)
	var left []*Event
	for _, ev := range evs {
		if ev.Name == model.EventSessionLeft {
			left = append(left, ev)
		}
	}
	require.Len(t, left, 1, "the others hear of it once")
	assert.Contains(t, string(left[0].JSON), `"client_id":"slow"`)
	assert.Contains(t, string(left[0].JSON), `"client_count":1`)

	history, _, err := allEventsAfter(ctx, s, sid, j.Seq)
	require.NoError(t, err)
	assert.Equal(t, evs, history)
}

// panickySub is a Subscriber whose Deliver panics: a bug in a subscriber
// must not stop the session.
type panickySub struct{ closed chan string }

func (panickySub) Deliver(*Event) bool    { panic("deliver") }
func (p panickySub) Closed(reason string) { p.closed <- reason }

func TestPanickySubscriber(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	sub := panickySub{closed: make(chan string, 1)}
	_, err := s.Join(ctx, sid, Subscription{ClientID: "bad", Sub: sub})
	require.NoError(t, err)
	assert.Equal(t, ReasonSlowConsumer, <-sub.closed)
	createPhase(t, s, sid, root, "still works")
	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Zero(t, in.ActiveClients)
}

func TestLeaveAndRejoin(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, _ := project(t, s)
	watcher, _ := joinQueue(t, s, sid, "watcher", 64)
	first, _ := joinQueue(t, s, sid, "c1", 64)

	second := NewQueue(64)
	j, err := s.Join(ctx, sid, Subscription{ClientID: "c1", Sub: second})
	require.NoError(t, err)
	assert.Equal(t, 2, j.ActiveClients, "same client id: replaced, not added")
	select {
	case <-first.Done():
	case <-time.After(waitLimit):
		t.Fatal("replaced inbox not let go")
	}
	assert.Equal(t, ReasonReplaced, first.Reason())

	require.NoError(t, s.Leave(ctx, sid, "c1"))
	require.NoError(t, s.Leave(ctx, sid, "c1"), "leaving twice is fine")
	evs := takeUntil(t, watcher, model.EventSessionLeft)
	assert.Contains(t, string(evs[len(evs)-1].JSON), `"client_id":"c1"`)
	assert.Contains(t, string(evs[len(evs)-1].JSON), `"client_count":1`)

	in, err := s.Info(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, 1, in.ActiveClients)
	select {
	case <-second.Done():
		t.Fatal("a client that leaves is not told it was dropped")
	default:
	}

	_, err = s.Join(ctx, sid, Subscription{ClientID: "", Sub: NewQueue(1)})
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
	_, err = s.Join(ctx, sid, Subscription{ClientID: "x"})
	assert.Equal(t, wire.CodeInvalidRequest, wire.Code(err))
}

// TestJoinResyncOverBudget: a join whose missed events come to more bytes
// than the subscriber can take gets a resync instead; one within its
// budget (or with no budget) gets the events.
func TestJoinResyncOverBudget(t *testing.T) {
	s := start(t, Config{})
	ctx := context.Background()
	sid, root := project(t, s)
	for i := range 5 {
		createPhase(t, s, sid, root, fmt.Sprint("phase ", i))
	}
	last := uint64(1)
	tests := []struct {
		name   string
		budget func(size int) int // from the size of the missed events
		resync bool
	}{
		{"no bound", func(int) int { return 0 }, false},
		{"exactly fits", func(size int) int { return size }, false},
		{"one byte short", func(size int) int { return size - 1 }, true},
		{"far too small", func(int) int { return 100 }, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every join adds its session:connected: look again each time.
			missed, _, err := allEventsAfter(ctx, s, sid, last)
			require.NoError(t, err)
			size := 0
			for _, ev := range missed {
				size += len(ev.JSON)
			}
			want := tree(t, s, sid)
			j, err := s.Join(ctx, sid, Subscription{ClientID: fmt.Sprint("c", i), Sub: NewQueue(16), LastSeq: &last, MaxMissedBytes: tt.budget(size)})
			require.NoError(t, err)
			if !tt.resync {
				assert.Nil(t, j.Resync)
				assert.Equal(t, views(missed), views(j.Missed))
				return
			}
			assert.Nil(t, j.Missed)
			require.NotNil(t, j.Resync)
			assert.Equal(t, want, j.Resync)
		})
	}
}

package actors

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmitUnencodablePayload(t *testing.T) {
	s := newSession(sessionArgs{id: "s1", cfg: Config{HistoryLimit: 4, CommandIDLimit: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}.withDefaults(), created: time.Now()})
	ev := s.emit("x", "", map[string]any{"bad": math.NaN()})
	s.commit()
	assert.Equal(t, uint64(1), ev.Seq, "the event still takes its seq")
	var got map[string]any
	require.NoError(t, json.Unmarshal(ev.JSON, &got))
	assert.NotContains(t, got, "bad")
	evs, ok := s.history.after(0, s.seq)
	require.True(t, ok)
	assert.Equal(t, []*Event{ev}, evs)
}

func TestEventRing(t *testing.T) {
	r := eventRing{limit: 3, maxBytes: 1 << 20}
	evs, ok := r.after(0, 0)
	assert.True(t, ok)
	assert.Empty(t, evs)
	for seq := uint64(1); seq <= 5; seq++ {
		r.push(&Event{Seq: seq})
	}
	tests := []struct {
		after uint64
		ok    bool
		want  []uint64
	}{
		{0, false, nil},
		{1, false, nil},
		{2, true, []uint64{3, 4, 5}},
		{4, true, []uint64{5}},
		{5, true, []uint64{}},
		{6, false, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.after), func(t *testing.T) {
			evs, ok := r.after(tt.after, 5)
			require.Equal(t, tt.ok, ok)
			got := []uint64{}
			for _, ev := range evs {
				got = append(got, ev.Seq)
			}
			if tt.ok {
				assert.Equal(t, tt.want, got)
			}
		})
	}
	assert.Len(t, r.buf, 3, "never holds more than limit")
}

func TestCommandCache(t *testing.T) {
	c := newCommandCache(2)
	a, b, d := &Executed{Seq: 1}, &Executed{Seq: 2}, &Executed{Seq: 3}
	c.put("a", a)
	c.put("b", b)
	_, ok := c.get("")
	assert.False(t, ok)
	got, ok := c.get("a") // a is now the most recent
	require.True(t, ok)
	assert.Same(t, a, got)
	c.put("d", d)
	_, ok = c.get("b")
	assert.False(t, ok, "least recently used goes first")
	_, ok = c.get("a")
	assert.True(t, ok)
	c.put("a", &Executed{Seq: 99})
	got, _ = c.get("a")
	assert.Same(t, a, got, "the first result is kept")
	assert.Equal(t, 2, c.order.Len())
	assert.Len(t, c.byID, 2)
}

func TestPushBounded(t *testing.T) {
	s := &session{cfg: Config{UndoLimit: 2, UndoBytes: 1 << 20}}
	for i := range 5 {
		s.push(&s.undo, step{commandID: fmt.Sprint(i), size: 10})
	}
	require.Len(t, s.undo.steps, 2)
	assert.Equal(t, "3", s.undo.steps[0].commandID)
	assert.Equal(t, "4", s.undo.steps[1].commandID)
	assert.Equal(t, 20, s.undo.bytes)

	// By bytes: the oldest go until the rest fit; the newest always stays.
	s = &session{cfg: Config{UndoLimit: 100, UndoBytes: 25}}
	for i := range 4 {
		s.push(&s.undo, step{commandID: fmt.Sprint(i), size: 10})
	}
	assert.Equal(t, 2, s.undo.len())
	assert.Equal(t, 20, s.undo.bytes)
	s.push(&s.undo, step{commandID: "big", size: 100})
	assert.Equal(t, 1, s.undo.len())
	assert.Equal(t, 100, s.undo.bytes)
	assert.Equal(t, "big", s.undo.pop().commandID)
	assert.Equal(t, 0, s.undo.bytes)
}

// FuzzSessionCursor: any cursor a client sends is refused or read, never a
// panic, and a key's cursor reads back as the key.
func FuzzSessionCursor(f *testing.F) {
	k := orderKey{created: 1764700000000000000, id: "11111111-1111-4111-8111-111111111111"}
	for _, s := range []string{"", k.cursor(), "1.x", ".", "-5." + k.id, "99999999999999999999." + k.id} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := parseCursor(s)
		if err != nil || key == nil {
			return
		}
		again, err := parseCursor(key.cursor())
		require.NoError(t, err)
		require.Equal(t, key, again)
	})
}

// TestCanonicalUUID: a session id is taken exactly when uuid.Parse takes
// it and String gives it back unchanged.
func TestCanonicalUUID(t *testing.T) {
	for _, s := range []string{
		uuid.NewString(), "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff",
		"FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF", "{00000000-0000-0000-0000-000000000000}", "urn:uuid:00000000-0000-0000-0000-000000000000",
		"000000000000000000000000000000000000", "00000000-0000-0000-0000-00000000000g", "00000000-0000-0000-0000-0000000000", "",
		"00000000x0000-0000-0000-000000000000", "00000000000000000000000000000000",
	} {
		u, err := uuid.Parse(s)
		assert.Equal(t, err == nil && u.String() == s, canonicalUUID(s), "%q", s)
	}
}

package store

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTornTailRecovers damages the end of the journal the ways a crash or a
// bad disk can, and checks that Open recovers exactly the good prefix, says
// so, and keeps working.
func TestTornTailRecovers(t *testing.T) {
	good := []Record{rec("a", 1), rec("b", 1), rec("a", 2)}
	last := rec("b", 2)
	frameLen := int64(len(appendFrame(nil, last)))

	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   []Record
	}{
		{
			name: "truncated mid-record",
			damage: func(t *testing.T, path string) {
				require.NoError(t, os.Truncate(path, fileSize(t, path)-frameLen/2))
			},
			want: good,
		},
		{
			name: "truncated mid-header",
			damage: func(t *testing.T, path string) {
				require.NoError(t, os.Truncate(path, fileSize(t, path)-frameLen+3))
			},
			want: good,
		},
		{
			name: "garbage appended",
			damage: func(t *testing.T, path string) {
				appendBytes(t, path, []byte("\x13\x00\x00\x00garbage that is not a frame"))
			},
			want: append(append([]Record{}, good...), last),
		},
		{
			name: "zeros appended",
			damage: func(t *testing.T, path string) {
				appendBytes(t, path, make([]byte, 4096))
			},
			want: append(append([]Record{}, good...), last),
		},
		{
			name: "crc byte flipped in last record",
			damage: func(t *testing.T, path string) {
				flipByte(t, path, fileSize(t, path)-frameLen+4)
			},
			want: good,
		},
		{
			name: "payload byte flipped in last record",
			damage: func(t *testing.T, path string) {
				flipByte(t, path, fileSize(t, path)-1)
			},
			want: good,
		},
		{
			name: "huge length in last header",
			damage: func(t *testing.T, path string) {
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				require.NoError(t, err)
				_, err = f.WriteAt([]byte{0xff, 0xff, 0xff, 0x7f}, fileSize(t, path)-frameLen)
				require.NoError(t, err)
				require.NoError(t, f.Close())
			},
			want: good,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir, Options{})
			appendAll(t, s, append(append([]Record{}, good...), last)...)
			require.NoError(t, s.Close())
			segs := nonEmptySegments(t, dir)
			require.Len(t, segs, 1)
			tt.damage(t, segs[0])

			var logs logBuffer
			s = openStore(t, dir, Options{Logger: logs.logger()})
			assert.Equal(t, tt.want, replayAll(t, s))
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "corrupt journal tail")
			assert.Contains(t, logs.String(), "dropped_bytes=")

			after := rec("c", 1)
			appendAll(t, s, after)
			require.NoError(t, s.Close())

			var clean logBuffer
			s = openStore(t, dir, Options{Logger: clean.logger()})
			assert.Equal(t, append(append([]Record{}, tt.want...), after), replayAll(t, s))
			assert.NotContains(t, clean.String(), "level=WARN", "the cut is durable")
		})
	}
}

// TestCorruptSealedSegmentKeepsPrefix checks that corruption before the last
// segment ends the journal there: later records would leave holes.
func TestCorruptSealedSegmentKeepsPrefix(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{SegmentSize: 1}) // every batch seals its segment
	all := []Record{rec("a", 1), rec("a", 2), rec("a", 3), rec("a", 4)}
	appendAll(t, s, all...)
	require.NoError(t, s.Close())
	segs := nonEmptySegments(t, dir)
	require.Len(t, segs, 4)
	flipByte(t, segs[1], fileSize(t, segs[1])-1)

	var logs logBuffer
	s = openStore(t, dir, Options{Logger: logs.logger()})
	assert.Equal(t, all[:1], replayAll(t, s))
	assert.Contains(t, logs.String(), "corrupt journal tail")
	assert.Contains(t, logs.String(), "moved aside")
	for _, p := range segs[2:] {
		assert.NoFileExists(t, p)
		assert.FileExists(t, p+".dropped")
	}

	appendAll(t, s, rec("a", 2))
	require.NoError(t, s.Close())
	s = openStore(t, dir, Options{})
	assert.Equal(t, []Record{rec("a", 1), rec("a", 2)}, replayAll(t, s))
}

func TestOpenCreatesDataDir(t *testing.T) {
	dir := t.TempDir() + "/nested/data"
	s := openStore(t, dir, Options{})
	assert.DirExists(t, dir+"/journal")
	assert.FileExists(t, dir+"/store.db")
	require.NoError(t, s.Append(context.Background(), rec("a", 1)))
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write(b)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[off] ^= 0xff
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// TestSecondOpenRefused: a data directory one store holds cannot be opened
// by another; the error says so and what to do, in words.
func TestSecondOpenRefused(t *testing.T) {
	dir := t.TempDir()
	openStore(t, dir, Options{})
	_, err := Open(dir, Options{LockTimeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), "in use by another server")
	assert.Contains(t, err.Error(), "-data-dir")
}

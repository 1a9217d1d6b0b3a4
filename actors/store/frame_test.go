package store

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testMaxPayload = 1 << 16

func TestFrameRoundTrip(t *testing.T) {
	tests := []Record{
		{SessionID: "a", Seq: 0, Data: []byte{}},
		{SessionID: "session-1", Seq: 1<<64 - 1, Data: []byte("payload")},
		{SessionID: string(bytes.Repeat([]byte("i"), MaxSessionIDLen)), Seq: 42, Data: bytes.Repeat([]byte{0}, 300)},
	}
	var stream []byte
	for _, want := range tests {
		b := appendFrame(nil, want)
		got, n, err := decodeFrame(b, testMaxPayload)
		require.NoError(t, err)
		assert.Equal(t, len(b), n)
		assert.Equal(t, want.SessionID, got.SessionID)
		assert.Equal(t, want.Seq, got.Seq)
		assert.Equal(t, want.Data, got.Data)
		stream = appendFrame(stream, want)
	}

	r := bufio.NewReader(bytes.NewReader(stream))
	remaining := int64(len(stream))
	for _, want := range tests {
		got, n, err := readFrame(r, remaining, testMaxPayload)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		remaining -= n
	}
	assert.Zero(t, remaining)
}

func TestDecodeFrameRejects(t *testing.T) {
	good := appendFrame(nil, Record{SessionID: "s", Seq: 9, Data: []byte("data")})
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, errShortFrame},
		{"half header", good[:5], errShortFrame},
		{"half payload", good[:len(good)-2], errShortFrame},
		{"zero header", make([]byte, 16), errBadLength},
		{"length over limit", append([]byte{0xff, 0xff, 0xff, 0xff}, good[4:]...), errBadLength},
		{"crc flipped", flip(5), errBadCRC},
		{"payload flipped", flip(len(good) - 1), errBadCRC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeFrame(tt.b, testMaxPayload)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// FuzzDecodeFrame feeds the decoder what a damaged disk might hold: it must
// reject or decode, never panic, and what it decodes must re-encode to the
// same bytes.
func FuzzDecodeFrame(f *testing.F) {
	f.Add(appendFrame(nil, Record{SessionID: "s", Seq: 1, Data: []byte("x")}))
	f.Add(appendFrame(appendFrame(nil, Record{SessionID: "a", Seq: 2}), Record{SessionID: "b", Seq: 3}))
	f.Add([]byte{})
	f.Add(make([]byte, 32))
	f.Add([]byte("\x0b\x00\x00\x00\x00\x00\x00\x00\x01\x01s\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, n, err := decodeFrame(b, testMaxPayload)
		if err != nil {
			require.True(t, isCorrupt(err), "unexpected error kind: %v", err)
			return
		}
		require.Equal(t, b[:n], appendFrame(nil, rec))

		// The streaming reader agrees with the slice decoder.
		got, m, err := readFrame(bufio.NewReader(bytes.NewReader(b)), int64(len(b)), testMaxPayload)
		require.NoError(t, err)
		require.Equal(t, int64(n), m)
		require.Equal(t, rec.SessionID, got.SessionID)
		require.Equal(t, rec.Seq, got.Seq)
		require.Equal(t, rec.Data, got.Data)
	})
}

package engineio

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzDecodePacket(f *testing.F) {
	for _, s := range []string{"2", "2probe", "3probe", "5", `42["a",1]`, "1", "6", "", "9", "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePacket(b)
		if err != nil {
			return // rejecting is fine; panicking is not
		}
		again, err := DecodePacket(p.appendText(nil))
		require.NoError(t, err)
		require.Equal(t, p, again)
	})
}

func FuzzDecodePayload(f *testing.F) {
	for _, s := range []string{"4hello", "4a\x1e4b\x1e3", "4hello\x1ebAQIDBA==", "b", "bAQ", "\x1e", "2\x1e\x1e3", "b====", "40/graph,{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkts, err := DecodePayload(b)
		if err != nil {
			return
		}
		again, err := DecodePayload(EncodePayload(pkts))
		require.NoError(t, err)
		require.Equal(t, pkts, again)
	})
}

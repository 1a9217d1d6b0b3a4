package engineio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodePacket(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Packet
		wantErr bool
	}{
		{"ping", "2", Packet{Type: Ping}, false},
		{"probe", "2probe", Packet{Type: Ping, Data: []byte("probe")}, false},
		{"message", `42["a"]`, Packet{Type: Message, Data: []byte(`2["a"]`)}, false},
		{"noop", "6", Packet{Type: Noop}, false},
		{"empty", "", Packet{}, true},
		{"unknown type", "7", Packet{}, true},
		{"letters", "abc", Packet{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePacket([]byte(tt.in))
			if tt.wantErr {
				require.ErrorIs(t, err, ErrBadPacket)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodePayload(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Packet
		wantErr bool
	}{
		{"one", "4hello", []Packet{TextMessage([]byte("hello"))}, false},
		{"several", "4a\x1e4b\x1e3", []Packet{TextMessage([]byte("a")), TextMessage([]byte("b")), {Type: Pong}}, false},
		{"binary", "4hello\x1ebAQIDBA==", []Packet{TextMessage([]byte("hello")), BinaryMessage([]byte{1, 2, 3, 4})}, false},
		{"empty binary", "b", []Packet{BinaryMessage(nil)}, false},
		{"empty body", "", nil, true},
		{"empty part", "4a\x1e", nil, true},
		{"bad base64", "b!!", nil, true},
		{"bad type", "abc", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePayload([]byte(tt.in))
			if tt.wantErr {
				require.ErrorIs(t, err, ErrBadPacket)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEncodePayload(t *testing.T) {
	got := EncodePayload([]Packet{{Type: Open, Data: []byte("{}")}, TextMessage([]byte("x")), BinaryMessage([]byte{1, 2, 3, 4}), {Type: Noop}})
	assert.Equal(t, "0{}\x1e4x\x1ebAQIDBA==\x1e6", string(got))
}

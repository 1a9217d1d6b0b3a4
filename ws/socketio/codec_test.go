package socketio

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want Packet
	}{
		{"0", Packet{Type: Connect, Namespace: "/"}},
		{`0{"token":"123"}`, Packet{Type: Connect, Namespace: "/", Data: raw(`{"token":"123"}`)}},
		{"0/admin,", Packet{Type: Connect, Namespace: "/admin"}},
		{"0/custom", Packet{Type: Connect, Namespace: "/custom"}},
		{`0/admin,{"sid":"x"}`, Packet{Type: Connect, Namespace: "/admin", Data: raw(`{"sid":"x"}`)}},
		{"1", Packet{Type: Disconnect, Namespace: "/"}},
		{"1/admin,", Packet{Type: Disconnect, Namespace: "/admin"}},
		{`2["foo"]`, Packet{Type: Event, Namespace: "/", Data: raw(`["foo"]`)}},
		{`2/graph,["join_session",{"session_id":"s1"}]`, Packet{Type: Event, Namespace: "/graph", Data: raw(`["join_session",{"session_id":"s1"}]`)}},
		{`212["foo"]`, Packet{Type: Event, Namespace: "/", HasID: true, ID: 12, Data: raw(`["foo"]`)}},
		{`20["foo"]`, Packet{Type: Event, Namespace: "/", HasID: true, ID: 0, Data: raw(`["foo"]`)}},
		{`2/admin,13["foo"]`, Packet{Type: Event, Namespace: "/admin", HasID: true, ID: 13, Data: raw(`["foo"]`)}},
		{`312[]`, Packet{Type: Ack, Namespace: "/", HasID: true, ID: 12, Data: raw(`[]`)}},
		{`4{"message":"Not authorized"}`, Packet{Type: ConnectError, Namespace: "/", Data: raw(`{"message":"Not authorized"}`)}},
		{`51-["baz",{"_placeholder":true,"num":0}]`, Packet{Type: BinaryEvent, Namespace: "/", Attachments: 1, Data: raw(`["baz",{"_placeholder":true,"num":0}]`)}},
		{`52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, Packet{Type: BinaryEvent, Namespace: "/admin", Attachments: 2, Data: raw(`["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)}},
		{`61-15["bar",{"_placeholder":true,"num":0}]`, Packet{Type: BinaryAck, Namespace: "/", Attachments: 1, HasID: true, ID: 15, Data: raw(`["bar",{"_placeholder":true,"num":0}]`)}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{
		"", "7", "abc", // unknown type
		"2{}", "2[]", "2[1]", "2", `2"x"`, // event payload must be a non-empty array led by a name
		`2abc["message-with-ack"]`, // bad ack id
		`3["x"]`,                   // ack without id
		"3/a,1{}",                  // ack data must be an array
		`0["x"]`, `0"x"`,           // connect payload must be an object
		`1{}`,                           // disconnect carries nothing
		`4[]`,                           // connect error: object or string
		`5["x"]`, `5-["x"]`, `5x-["x"]`, // binary needs a count
		`565-["x"]`,                     // too many attachments
		`2["x"`,                         // truncated JSON
		`299999999999999999999999["x"]`, // ack id overflow
		`2/graph["x"]`,                  // namespace swallows the rest: no payload
	} {
		t.Run(in, func(t *testing.T) {
			_, err := Decode([]byte(in))
			require.ErrorIs(t, err, ErrBadPacket)
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		p    Packet
		want string
	}{
		{Packet{Type: Connect, Namespace: "/"}, "0"},
		{Packet{Type: Connect, Namespace: "/admin", Data: raw(`{"sid":"x"}`)}, `0/admin,{"sid":"x"}`},
		{Packet{Type: ConnectError, Namespace: "/random", Data: raw(`{"message":"Invalid namespace"}`)}, `4/random,{"message":"Invalid namespace"}`},
		{Packet{Type: Event, Namespace: "/admin", HasID: true, ID: 13, Data: raw(`["foo"]`)}, `2/admin,13["foo"]`},
		{Packet{Type: Ack, Namespace: "/", HasID: true, ID: 0, Data: raw(`[]`)}, `30[]`},
		{Packet{Type: BinaryAck, Namespace: "/", HasID: true, ID: 789, Attachments: 2, Data: raw(`[1]`)}, `62-789[1]`},
		{Packet{Type: Disconnect, Namespace: "/admin"}, "1/admin,"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(tt.p.Encode()))
	}
}

func TestEventArgs(t *testing.T) {
	name, args, err := EventArgs([]byte(` ["message", 1, "2", {"3":[true]}]`))
	require.NoError(t, err)
	assert.Equal(t, "message", name)
	assert.Equal(t, []json.RawMessage{raw("1"), raw(`"2"`), raw(`{"3":[true]}`)}, args)
}

func TestAppendArgs(t *testing.T) {
	b, att, err := appendArgs(nil, true, "ev\"x", []any{1, "two", raw(`{"a":1}`), Binary{1, 2}, map[string]int{"k": 3}, Binary{3}})
	require.NoError(t, err)
	assert.Equal(t, `["ev\"x",1,"two",{"a":1},{"_placeholder":true,"num":0},{"k":3},{"_placeholder":true,"num":1}]`, string(b))
	assert.Equal(t, [][]byte{{1, 2}, {3}}, att)

	_, _, err = appendArgs(nil, true, "e", []any{raw(`{`)})
	require.Error(t, err)
	_, _, err = appendArgs(nil, true, "e", []any{func() {}})
	require.Error(t, err)
}

func TestAttachmentIndex(t *testing.T) {
	for in, want := range map[string]int{`{"_placeholder":true,"num":0}`: 0, ` {"num":3,"_placeholder":true}`: 3} {
		n, ok := AttachmentIndex(raw(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, n)
	}
	for _, in := range []string{`{"_placeholder":false,"num":0}`, `{"_placeholder":true}`, `[1]`, `{"_placeholder":true,"num":-1}`} {
		_, ok := AttachmentIndex(raw(in))
		assert.False(t, ok, in)
	}
}

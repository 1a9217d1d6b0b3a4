package sioclient

import (
	"bytes"
	"testing"

	"github.com/talus-tally/server/ws/socketio"
)

// splitEvent agrees with the strict decoder on every EVENT and ACK that
// decoder accepts: same type, ack id and payload.
func FuzzSplitEvent(f *testing.F) {
	for _, s := range []string{
		`2["joined",{"seq":1}]`, `2/graph,["graph:node-created",{"seq":5}]`, `2/graph,17["execute_command",{}]`,
		`3/graph,0[{"success":true}]`, `31[]`, `2`, `2/graph`, `0/graph,{"sid":"x"}`, `51-["b",{"_placeholder":true,"num":0}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, id, hasID, data, ok := splitEvent(b)
		p, err := socketio.Decode(b)
		if err != nil || (p.Type != socketio.Event && p.Type != socketio.Ack) {
			return // splitEvent may take more than the strict decoder: the client then parses the JSON itself
		}
		if !ok {
			t.Fatalf("splitEvent refused %q, which decodes as %v", b, p.Type)
		}
		if typ != p.Type || id != p.ID || hasID != p.HasID || !bytes.Equal(data, p.Data) {
			t.Fatalf("splitEvent(%q) = %v %d %v %q; Decode: %v %d %v %q", b, typ, id, hasID, data, p.Type, p.ID, p.HasID, p.Data)
		}
	})
}

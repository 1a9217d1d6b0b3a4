package socketio

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`42/graph,["join_session",{"session_id":"s1"}]`,
		`2/graph,["join_session",{"session_id":"s1"}]`,
		"0", `0{"token":"123"}`, "0/custom", "1/admin,", `212["foo"]`, `3/admin,13["bar"]`,
		`4{"message":"Not authorized"}`, `52-/admin,7["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`,
		`2abc["x"]`, "2{}", `2/a,007 [ "x" ]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return // rejecting is fine; panicking is not
		}
		again, err := Decode(p.Encode())
		require.NoError(t, err)
		require.Equal(t, p, again)
	})
}

func FuzzDecodeEventArgs(f *testing.F) {
	for _, s := range []string{`["a"]`, `[""]`, `["message",1,"2",{"3":[true]}]`, `[]`, `[1]`, `{}`, `["a",`, ` ["\u00e9"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		name, args, err := EventArgs(b)
		if err != nil {
			return
		}
		anys := make([]any, len(args))
		for i, a := range args {
			anys[i] = a
		}
		enc, _, err := appendArgs(nil, true, name, anys)
		require.NoError(t, err)
		name2, args2, err := EventArgs(enc)
		require.NoError(t, err)
		require.Equal(t, name, name2)
		require.Equal(t, args, args2)
	})
}

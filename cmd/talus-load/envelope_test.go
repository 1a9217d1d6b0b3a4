package main

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseEnvelope(t *testing.T) {
	e, err := parseEnvelope([]byte(`{"event":"graph:node-created","session_id":"s1","project_id":"p","seq":17,` +
		`"timestamp":"2026-01-01T00:00:00.000Z","command_id":"Labc-3","node":{"id":"n","seq":99,"name":"a \"b\" }"},` +
		`"index":0,"deleted_ids":["x","y"],"old_value":null,"ok":true}`))
	require.NoError(t, err)
	require.Equal(t, envelope{Event: "graph:node-created", SessionID: "s1", Seq: 17, CommandID: "Labc-3"}, e)

	e, err = parseEnvelope([]byte(`{"code":"SLOW_CONSUMER","message":"events were not read fast enough"}`))
	require.NoError(t, err)
	require.Equal(t, "SLOW_CONSUMER", e.Code)

	e, err = parseEnvelope([]byte(`{"session_id":"s\u0031","seq":2}`)) // an escape: encoding/json reads it
	require.NoError(t, err)
	require.Equal(t, envelope{SessionID: "s1", Seq: 2}, e)
}

// Whenever the fast path answers, it answers what the fields say, read
// exactly by name (as the protocol spells them).
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"event":"command:executed","session_id":"s","seq":3,"command_id":"c","result":{"a":[1,{"b":"}"}]}}`,
		`{"seq":1}`, `{}`, `{"seq":1.5}`, `{"seq":-1}`, `{"event":null,"seq":0}`, `{"x":"\\\"","seq":4}`, `[1]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fields map[string]json.RawMessage
		if json.Unmarshal(b, &fields) != nil {
			return // the socket client hands on valid JSON only
		}
		var got envelope
		if !parseEnvelopeFast(b, &got) {
			return
		}
		var want envelope
		str := func(key string, into *string) {
			if raw, ok := fields[key]; ok && string(raw) != "null" {
				require.NoError(t, json.Unmarshal(raw, into), "%s in %s", key, b)
			}
		}
		str("event", &want.Event)
		str("session_id", &want.SessionID)
		str("command_id", &want.CommandID)
		str("code", &want.Code)
		if raw, ok := fields["seq"]; ok {
			n, err := strconv.ParseUint(string(raw), 10, 64)
			require.NoError(t, err, "seq in %s", b)
			want.Seq = n
		}
		require.Equal(t, want, got, "%s", b)
	})
}

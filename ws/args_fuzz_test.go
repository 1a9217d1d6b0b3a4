package ws

import (
	"cmp"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
	"github.com/talus-tally/server/ws/socketio"
)

// What a socket client sends is refused with INVALID_REQUEST, naming one of
// the fields it got wrong, or read into values that read back the same
// when sent again in their plain form.

// requireArgError holds err to the socket handlers' documented refusal: an
// *model.InvalidRequestError (INVALID_REQUEST on the wire) naming one of
// fields, or no field when fields is empty.
func requireArgError(t *testing.T, err error, fields ...string) {
	t.Helper()
	var ir *model.InvalidRequestError
	require.ErrorAs(t, err, &ir, "%T: %v", err, err)
	require.NotEmpty(t, ir.Reason)
	if len(fields) == 0 {
		require.Empty(t, ir.Field)
	} else {
		require.Contains(t, fields, ir.Field)
	}
	require.Equal(t, wire.CodeInvalidRequest, wire.From(err).Code)
}

func FuzzParseSeq(f *testing.F) {
	for _, s := range []string{"0", "42", " 7 ", "12.0", "1.2e1", "-1", "-0", "1.5", "1e300", "NaN", "Inf", "0x1p4",
		"18446744073709551615", "18446744073709551616", "9223372036854775807.0", "", `"5"`, "true", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseSeq(s)
		if err != nil {
			requireArgError(t, err, "last_seq")
			return
		}
		require.NotNil(t, got)
		n := *got
		// It is the number s writes: an integer, or a float that is one.
		if u, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64); err == nil {
			require.Equal(t, u, n)
		} else {
			fl, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			require.NoError(t, err)
			require.Equal(t, fl, float64(n), "exactly, so no overflow")
		}
		again, err := parseSeq(strconv.FormatUint(n, 10))
		require.NoError(t, err)
		require.Equal(t, n, *again)
	})
}

func FuzzParseHello(f *testing.F) {
	seeds := []struct {
		auth, query string
	}{
		{`{}`, ""},
		{`null`, ""},
		{``, "session_id=s1&last_seq=4&names=legacy"},
		{`{"session_id":"s1","last_seq":3,"names":"both"}`, ""},
		{`{"session_id":"s1","last_seq":3.0}`, "session_id=s2&names=canonical"},
		{`{"last_seq":null,"names":""}`, "last_seq=1e2&names=both"},
		{`{"names":"prototype"}`, ""},
		{`{"session_id":7}`, ""},
		{`{"last_seq":"5"}`, ""},
		{`{"last_seq":-1}`, ""},
		{`[1,2]`, ""},
		{`"legacy"`, "names=legacy"},
		{`{"token":"t","session_id":"s"}`, "last_seq=x"},
	}
	for _, s := range seeds {
		f.Add([]byte(s.auth), s.query, uint8(0))
	}
	f.Fuzz(func(t *testing.T, auth []byte, query string, def uint8) {
		q, _ := url.ParseQuery(query) // the server reads what parses
		names := EventNames(def % 3)
		h, err := parseHello(socketio.Handshake{Auth: auth, Query: q}, names)
		if err != nil {
			requireArgError(t, err, "auth", "names", "last_seq")
			return
		}
		// Each field from the auth payload, else from the query, else the
		// server's default names and no last_seq.
		var a struct {
			SessionID string          `json:"session_id"`
			LastSeq   json.RawMessage `json:"last_seq"`
			Names     string          `json:"names"`
		}
		_ = json.Unmarshal(auth, &a) // it parsed as this in parseHello, or was empty or null
		require.Equal(t, cmp.Or(a.SessionID, q.Get("session_id")), h.SessionID)
		wantNames := names
		if asked := cmp.Or(a.Names, q.Get("names")); asked != "" {
			wantNames, err = ParseEventNames(asked)
			require.NoError(t, err)
		}
		require.Equal(t, wantNames, h.Names)
		switch {
		case len(a.LastSeq) > 0 && string(a.LastSeq) != "null":
			want, err := parseSeq(string(a.LastSeq))
			require.NoError(t, err)
			require.Equal(t, want, h.LastSeq)
		case q.Has("last_seq"):
			want, err := parseSeq(q.Get("last_seq"))
			require.NoError(t, err)
			require.Equal(t, want, h.LastSeq)
		default:
			require.Nil(t, h.LastSeq, "nobody said where they left off")
		}

		// Said again plainly, it reads the same: the session id in the auth
		// payload or in the query (which alone carries any bytes: JSON
		// strings are UTF-8), the rest in the auth payload.
		plain := map[string]any{"names": h.Names.String()}
		if h.LastSeq != nil {
			plain["last_seq"] = *h.LastSeq
		}
		plainQuery := url.Values{}
		if def%2 == 0 && utf8.ValidString(h.SessionID) {
			plain["session_id"] = h.SessionID
		} else {
			plainQuery.Set("session_id", h.SessionID)
		}
		b, err := json.Marshal(plain)
		require.NoError(t, err)
		again, err := parseHello(socketio.Handshake{Auth: b, Query: plainQuery}, EventNames((def+1)%3))
		require.NoError(t, err, "%s", b)
		require.Equal(t, h, again)
	})
}

func FuzzParseJoin(f *testing.F) {
	for _, s := range []string{
		`{"session_id":"s1"}`, `{"session_id":"s1","last_seq":0}`, `{"session_id":"s1","last_seq":12.0}`,
		`{"session_id":"s1","last_seq":null}`, `{"session_id":""}`, `{"session_id":null}`, `{}`, `null`, ``,
		`"s1"`, `[]`, `{"session_id":1}`, `{"session_id":"s","last_seq":"3"}`, `{"session_id":"s","last_seq":-2}`,
		` {"Session_ID":"s"} `, `{"session_id":"\ud800"}`,
	} {
		f.Add([]byte(s), uint8(1))
	}
	f.Add([]byte(nil), uint8(0))
	f.Fuzz(func(t *testing.T, arg []byte, n uint8) {
		// Zero, one or more arguments; only the first counts.
		var args []json.RawMessage
		for i := range int(n % 3) {
			if i == 0 {
				args = append(args, arg)
			} else {
				args = append(args, json.RawMessage(`"extra"`))
			}
		}
		if p, err := payload(args); err != nil {
			requireArgError(t, err)
		} else {
			require.Equal(t, byte('{'), p[0], "a payload is an object")
		}
		j, err := parseJoin(args)
		if err != nil {
			requireArgError(t, err, "", "session_id", "last_seq")
			return
		}
		require.NotEmpty(t, j.SessionID)
		plain := map[string]any{"session_id": j.SessionID}
		if j.LastSeq != nil {
			plain["last_seq"] = *j.LastSeq
		}
		b, err := json.Marshal(plain)
		require.NoError(t, err)
		again, err := parseJoin([]json.RawMessage{b})
		require.NoError(t, err, "%s", b)
		require.Equal(t, j, again)
	})
}

// FuzzParseStep covers undo and redo (parseStep) and leave_session
// (parseSessionField), which read the same fields.
func FuzzParseStep(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"session_id":"s1"}`, `{"session_id":"s1","command_id":"c1","include_graph":false}`,
		`{"include_graph":true}`, `{"include_graph":null}`, `{"include_graph":"no"}`, `{"session_id":3}`,
		`{"command_id":"` + strings.Repeat("é", 129) + `"}`, `{"command_id":"` + strings.Repeat("x", 128) + `"}`,
		`[]`, `null`, `"x"`, `{"session_id":"a","session_id":"b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		sid, cid, withGraph, err := parseStep(p)
		sid2, cid2, err2 := parseSessionField(p)
		if err != nil {
			requireArgError(t, err, "", "command_id")
			require.Equal(t, err, err2, "leave_session reads the same fields")
			return
		}
		require.NoError(t, err2)
		require.Equal(t, sid, sid2)
		require.Equal(t, cid, cid2)
		require.LessOrEqual(t, len([]rune(cid)), wire.MaxCommandIDLen)

		b, err := json.Marshal(map[string]any{"session_id": sid, "command_id": cid, "include_graph": withGraph})
		require.NoError(t, err)
		s, c, w, err := parseStep(b)
		require.NoError(t, err, "%s", b)
		require.Equal(t, []any{sid, cid, withGraph}, []any{s, c, w})
	})
}

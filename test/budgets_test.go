package test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/http/guard"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws/engineio/eiotest"
)

// TestKitDoublingRefused: ApplyKit with the kit as its own target doubles
// a subtree; a small batch of them would grow a project without bound. It
// stops at the node budget, before copying past it, with LIMIT_EXCEEDED
// naming the budget, and the project is as it was.
func TestKitDoublingRefused(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.actors.Limits = model.Limits{MaxNodes: 1000} })
	p := s.newProject(t, "Doubling")
	phase := s.createNode(t, p.sid, p.root, "phase", "Kit")
	s.createNode(t, p.sid, phase, "job", "Job")
	before := s.tree(t, p.sid)
	var parts []map[string]any
	for range 16 {
		parts = append(parts, map[string]any{"command_type": "ApplyKit", "data": map[string]any{"target_id": phase, "kit_root_id": phase}})
	}
	r := s.do(t, "POST", "/commands/execute", map[string]any{"session_id": p.sid, "command_type": "Batch", "data": map[string]any{"commands": parts}})
	e := requireError(t, r, 400, "LIMIT_EXCEEDED")
	assert.Equal(t, map[string]any{"budget": "nodes_per_project", "limit": json.Number("1000")}, e["details"])
	assert.Equal(t, before["roots"], s.tree(t, p.sid)["roots"], "the project is as it was")
}

// TestLimitsOverREST: names, values and batches past their budgets are 400
// LIMIT_EXCEEDED, and the server's session budget is too.
func TestLimitsOverREST(t *testing.T) {
	s := startServer(t, func(o *serverOptions) {
		o.actors.Limits = model.Limits{MaxNameBytes: 64, MaxValueBytes: 128, MaxBatch: 2}
		o.actors.MaxSessions = 3
	})
	p := s.newProject(t, "Budgets")
	for budget, data := range map[string]map[string]any{
		"bytes_per_name":  {"command_type": "RenameNode", "data": map[string]any{"node_id": p.root, "name": strings.Repeat("n", 65)}},
		"bytes_per_value": {"command_type": "UpdateProperty", "data": map[string]any{"node_id": p.root, "property_id": "vehicle", "value": strings.Repeat("v", 129)}},
		"commands_per_batch": {"command_type": "Batch", "data": map[string]any{"commands": []any{
			map[string]any{"command_type": "RenameNode", "data": map[string]any{"node_id": p.root, "name": "a"}},
			map[string]any{"command_type": "RenameNode", "data": map[string]any{"node_id": p.root, "name": "b"}},
			map[string]any{"command_type": "RenameNode", "data": map[string]any{"node_id": p.root, "name": "c"}},
		}}},
	} {
		data["session_id"] = p.sid
		e := requireError(t, s.do(t, "POST", "/commands/execute", data), 400, "LIMIT_EXCEEDED")
		assert.Equal(t, budget, e["details"].(map[string]any)["budget"])
	}
	s.ok(t, 201, "POST", "/sessions", nil)
	s.ok(t, 201, "POST", "/sessions", nil)
	e := requireError(t, s.do(t, "POST", "/sessions", nil), 400, "LIMIT_EXCEEDED")
	assert.Equal(t, "sessions", e["details"].(map[string]any)["budget"])
	requireError(t, s.do(t, "POST", "/projects", map[string]any{"template_id": "restomod", "project_name": "x"}), 400, "LIMIT_EXCEEDED")
}

// TestEventsAndSessionsPaged: GET …/events and GET /sessions answer a page
// at a time, with where the next one starts; reading them all gives every
// event and every session once, in order.
func TestEventsAndSessionsPaged(t *testing.T) {
	s := startServer(t)
	p := s.newProject(t, "Paged")
	for i := range 8 {
		s.createNode(t, p.sid, p.root, "phase", fmt.Sprint("p", i))
	}
	var seqs []int64
	after := "0"
	for pages := 0; pages < 100; pages++ {
		page := s.ok(t, 200, "GET", "/sessions/"+p.sid+"/events?after_seq="+after+"&limit=5", nil)
		evs := page["events"].([]any)
		assert.LessOrEqual(t, len(evs), 5)
		for _, ev := range evs {
			seqs = append(seqs, seqOf(t, ev.(map[string]any)["seq"]))
		}
		next, more := page["next_after_seq"]
		if !more {
			assert.Equal(t, seqOf(t, page["seq"]), seqs[len(seqs)-1])
			break
		}
		after = string(next.(json.Number))
	}
	for i, q := range seqs {
		require.Equal(t, int64(i+1), q)
	}
	requireError(t, s.do(t, "GET", "/sessions/"+p.sid+"/events?after_seq=0&limit=-1", nil), 400, "INVALID_REQUEST")

	for range 4 {
		s.ok(t, 201, "POST", "/sessions", nil)
	}
	var ids []string
	cursor := ""
	for pages := 0; pages < 100; pages++ {
		page := s.ok(t, 200, "GET", "/sessions?limit=2&cursor="+cursor, nil)
		assert.EqualValues(t, json.Number("5"), page["total"])
		rows := page["sessions"].([]any)
		assert.LessOrEqual(t, len(rows), 2)
		for _, row := range rows {
			ids = append(ids, row.(map[string]any)["session_id"].(string))
		}
		next, more := page["next_cursor"]
		if !more {
			break
		}
		cursor = next.(string)
	}
	assert.Len(t, ids, 5)
	assert.Equal(t, p.sid, ids[0], "oldest first")
	requireError(t, s.do(t, "GET", "/sessions?cursor=garbage", nil), 400, "INVALID_REQUEST")
}

// TestBudgetEventsPageBytes: a page of GET …/events stops at 4 MiB of
// events however many the count would allow; next_after_seq lets the
// client go on, and reading every page gives every event once, in order.
func TestBudgetEventsPageBytes(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.actors.Limits = model.Limits{MaxValueBytes: 512 << 10} })
	p := s.newProject(t, "Large events")
	// Each change carries its old and new value: about 800 KB an event,
	// some 7 MB in all, far fewer events than a page's count allows.
	const changes = 9
	for i := range changes {
		value := strings.Repeat(string(rune('a'+i)), 400<<10)
		s.execute(t, p.sid, "UpdateProperty", map[string]any{"node_id": p.root, "property_id": "vehicle", "value": value})
	}
	seq := seqOf(t, s.ok(t, 200, "GET", "/sessions/"+p.sid+"/info", nil)["seq"])

	type page struct {
		Events       []json.RawMessage `json:"events"`
		Seq          int64             `json:"seq"`
		NextAfterSeq *int64            `json:"next_after_seq"`
	}
	var pages []page
	for after := int64(0); len(pages) < 100; {
		r := s.do(t, "GET", fmt.Sprintf("/sessions/%s/events?after_seq=%d", p.sid, after), nil)
		require.Equal(t, 200, r.status, "%.200s", r.body)
		var pg page
		require.NoError(t, json.Unmarshal(r.body, &pg))
		require.NotEmpty(t, pg.Events)
		pages = append(pages, pg)
		if pg.NextAfterSeq == nil {
			break
		}
		after = *pg.NextAfterSeq
	}
	require.Greater(t, len(pages), 1, "the byte cap split the history")

	var seqs []int64
	for i, pg := range pages {
		size := 0
		for _, ev := range pg.Events {
			size += len(ev)
			var head struct {
				Seq int64 `json:"seq"`
			}
			require.NoError(t, json.Unmarshal(ev, &head))
			seqs = append(seqs, head.Seq)
		}
		assert.Less(t, len(pg.Events), actors.DefaultEventsLimit, "page %d: not the count", i)
		assert.LessOrEqual(t, size, 4<<20, "page %d holds at most 4 MiB of events", i)
		if pg.NextAfterSeq != nil {
			assert.Equal(t, seqs[len(seqs)-1], *pg.NextAfterSeq, "page %d: go on after its last event", i)
			next := pages[i+1].Events[0]
			assert.Greater(t, size+len(next), 4<<20, "page %d: the next event would not have fit", i)
		}
	}
	require.Len(t, seqs, int(seq), "every event")
	for i, q := range seqs {
		require.Equal(t, int64(i+1), q, "once, in order")
	}
}

// TestHandshakesRateLimited: under -rate-limit a client IP opens only so
// many socket connections a second; past the burst, handshakes are 429
// RATE_LIMITED, on the same budget as REST requests.
func TestHandshakesRateLimited(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.http.Limiter = guard.NewIPLimiter(0.001, 3) })
	base := s.origin + "/socket.io/"
	ok, limited := 0, 0
	for range 20 {
		status, body := eiotest.Do(t, "GET", eiotest.URL(base, "polling", ""), "")
		switch status {
		case 200:
			ok++
		case 429:
			limited++
			assert.Contains(t, body, "RATE_LIMITED")
		default:
			t.Fatalf("handshake answered %d: %s", status, body)
		}
	}
	assert.Equal(t, 3, ok)
	assert.Equal(t, 17, limited)
	requireError(t, s.do(t, "GET", "/templates", nil), 429, "RATE_LIMITED")
}

// TestSocketMessagesRateLimited: a connection that floods packets has the
// ones past its rate dropped, hears RATE_LIMITED, and stays connected.
func TestSocketMessagesRateLimited(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.ws.MessageRate, o.ws.MessageBurst = 5, 5 })
	url := "ws" + strings.TrimPrefix(s.origin, "http") + "/socket.io/?EIO=4&transport=websocket"
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	require.NoError(t, err)
	defer conn.Close()
	_, _, err = conn.ReadMessage() // open
	require.NoError(t, err)
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte("40/graph,")))
	_, _, err = conn.ReadMessage() // connect
	require.NoError(t, err)

	const sent = 300
	start := time.Now()
	for i := range sent {
		require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`42/graph,%d["ping"]`, i))))
	}
	elapsed := time.Since(start)
	// The last ping is past the limit too; this one, after a pause long
	// enough for tokens to come back, must be answered.
	time.Sleep(1100 * time.Millisecond)
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(`42/graph,9999["ping"]`)))
	pongs, limited, last := 0, 0, false
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for !last {
		_, msg, err := conn.ReadMessage()
		require.NoError(t, err, "the connection stays up")
		switch m := string(msg); {
		case strings.HasPrefix(m, "43/graph,9999"):
			last = true
		case strings.HasPrefix(m, "43/graph,") && strings.Contains(m, "RATE_LIMITED"):
			limited++
		case strings.HasPrefix(m, "43/graph,"):
			pongs++
		case m == "2":
			_ = conn.WriteMessage(websocket.TextMessage, []byte("3"))
		}
	}
	// At most the burst plus what the rate refilled while sending.
	assert.LessOrEqual(t, pongs, 5+int(5*elapsed.Seconds())+1, "pongs answered of %d pings in %v", sent, elapsed)
	assert.GreaterOrEqual(t, limited, 1, "told it was over the limit")
}

// TestTrickledBodyTimesOut: a client sending its body a byte at a time
// cannot hold a connection past -read-timeout.
func TestTrickledBodyTimesOut(t *testing.T) {
	s := startServer(t, func(o *serverOptions) { o.readTimeout = 300 * time.Millisecond })
	addr := strings.TrimPrefix(s.origin, "http://")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /api/v1/sessions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", addr)
	require.NoError(t, err)
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_, _ = io.Copy(io.Discard, bufio.NewReader(conn)) // ends when the server hangs up
	}()
	start := time.Now()
	for i := 0; i < 100; i++ { // up to 10 s of trickling: far past the timeout
		select {
		case <-closed:
			t.Logf("cut after %v", time.Since(start).Round(time.Millisecond))
			return
		case <-time.After(100 * time.Millisecond):
			if _, err := conn.Write([]byte("{")); err != nil {
				return // the server closed it
			}
		}
	}
	t.Fatal("the server still held the trickling connection after 10 s")
}

// TestOversizedBodyAnswered: a client that sends a whole 2 MiB body before
// reading (as Python's urllib does) reads its 413, with a declared length
// or in chunks, instead of a reset connection.
func TestOversizedBodyAnswered(t *testing.T) {
	s := startServer(t)
	addr := strings.TrimPrefix(s.origin, "http://")
	body := strings.Repeat("x", 2<<20)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprint("chunked=", chunked), func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			req := "POST /api/v1/projects/import HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n"
			if chunked {
				req += "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
			} else {
				req += fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
			}
			_, err = io.WriteString(conn, req) // all of it, then read: like urllib
			require.NoError(t, err, "the server took the whole body")
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
			res, err := nethttp.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err, "a readable answer, not a reset")
			defer res.Body.Close()
			assert.Equal(t, 413, res.StatusCode)
			b, _ := io.ReadAll(res.Body)
			assert.Contains(t, string(b), "PAYLOAD_TOO_LARGE")
		})
	}
}

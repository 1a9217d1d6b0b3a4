package sioclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/talus-tally/server/ws/engineio"
)

// sharedHTTP serves polling clients that bring no http.Client of their own.
// Each polling connection keeps one GET waiting and now and then a POST, so
// it keeps more idle connections per host than the default two.
var sharedHTTP = &http.Client{Transport: &http.Transport{
	MaxIdleConnsPerHost: 1024,
	IdleConnTimeout:     90 * time.Second,
}}

// pollTransport is Engine.IO HTTP long-polling: a GET that the server holds
// until it has packets, and a POST for what the client sends. Sends are
// serialized (a server may refuse overlapping POSTs), and those that queue
// up behind a POST in flight go together in the next one.
type pollTransport struct {
	http   *http.Client
	url    string // with EIO, transport and sid
	ctx    context.Context
	cancel context.CancelFunc
	open   []engineio.Packet // what the handshake brought after the open packet

	mu      sync.Mutex
	pending [][]byte
	waiters []chan error
	posting bool
	closed  bool
}

func dialPolling(ctx context.Context, u *url.URL, hc *http.Client) (*pollTransport, error) {
	if hc == nil {
		hc = sharedHTTP
	}
	body, err := pollGet(ctx, hc, query(u, Polling, ""))
	if err != nil {
		return nil, fmt.Errorf("sioclient: handshake: %w", err)
	}
	pkts, err := engineio.DecodePayload(body)
	if err != nil {
		return nil, err
	}
	if pkts[0].Type != engineio.Open {
		return nil, fmt.Errorf("sioclient: expected open packet, got %v", pkts[0].Type)
	}
	var open struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(pkts[0].Data, &open); err != nil || open.SID == "" {
		return nil, fmt.Errorf("sioclient: open packet without sid: %s", pkts[0].Data)
	}
	t := &pollTransport{http: hc, url: query(u, Polling, open.SID), open: pkts[1:]}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	return t, nil
}

func pollGet(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sioclient: GET %s: %s", res.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

func (t *pollTransport) recv() ([]engineio.Packet, error) {
	if len(t.open) > 0 {
		pkts := t.open
		t.open = nil
		return pkts, nil
	}
	body, err := pollGet(t.ctx, t.http, t.url)
	if err != nil {
		return nil, err
	}
	return engineio.DecodePayload(body)
}

// send queues pkts for the next POST and waits until it is answered. The
// caller that finds no POST in flight makes them, until the queue is empty.
func (t *pollTransport) send(pkts ...[]byte) error {
	done := make(chan error, 1)
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return ErrClosed
	}
	t.pending = append(t.pending, pkts...)
	t.waiters = append(t.waiters, done)
	lead := !t.posting
	t.posting = true
	t.mu.Unlock()
	if lead {
		t.flush()
	}
	return <-done
}

func (t *pollTransport) flush() {
	for {
		t.mu.Lock()
		batch, waiters := t.pending, t.waiters
		t.pending, t.waiters = nil, nil
		if len(waiters) == 0 {
			t.posting = false
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		err := t.post(t.ctx, bytes.Join(batch, []byte{0x1e}))
		for _, w := range waiters {
			w <- err
		}
	}
}

func (t *pollTransport) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	res, err := t.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	reply, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("sioclient: POST %s: %s", res.Status, bytes.TrimSpace(reply))
	}
	return nil
}

// close tells the server goodbye (best effort, briefly), so that it need not
// wait for a missed heartbeat, and ends the waiting GET.
func (t *pollTransport) close() {
	t.mu.Lock()
	already := t.closed
	t.closed = true
	t.mu.Unlock()
	if already {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = t.post(ctx, []byte{'0' + byte(engineio.Close)}) // failing, the server forgets us after its ping timeout
	t.cancel()
}

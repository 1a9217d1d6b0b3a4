package sioclient

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/talus-tally/server/ws/engineio"
)

// wsTransport carries one Engine.IO packet per WebSocket text message.
type wsTransport struct {
	conn    *websocket.Conn
	writeMu sync.Mutex // gorilla/websocket allows one writer at a time
}

func dialWebSocket(ctx context.Context, u *url.URL) (*wsTransport, error) {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, query(u, WebSocket, ""), nil)
	if err != nil {
		return nil, err
	}
	t := &wsTransport{conn: conn}
	stop := context.AfterFunc(ctx, t.close)
	pkts, err := t.recv()
	if !stop() {
		return nil, fmt.Errorf("sioclient: open: %w", ctx.Err())
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	if pkts[0].Type != engineio.Open {
		conn.Close()
		return nil, fmt.Errorf("sioclient: expected open packet, got %v", pkts[0].Type)
	}
	return t, nil
}

func (t *wsTransport) recv() ([]engineio.Packet, error) {
	_, b, err := t.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	p, err := engineio.DecodePacket(b)
	if err != nil {
		return nil, err
	}
	return []engineio.Packet{p}, nil
}

func (t *wsTransport) send(pkts ...[]byte) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	_ = t.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	for _, b := range pkts {
		if err := t.conn.WriteMessage(websocket.TextMessage, b); err != nil {
			return err
		}
	}
	return nil
}

func (t *wsTransport) close() { _ = t.conn.Close() }

package engineio

import (
	"log/slog"
	"net/http"
	"time"
)

// Config tunes a Server. Zero fields take the defaults below.
type Config struct {
	// PingInterval is how often the server pings the client (default 25s).
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong (default 20s).
	PingTimeout time.Duration
	// MaxPayload is the largest polling POST body or WebSocket message, in
	// bytes, the server accepts (default 1,000,000).
	MaxPayload int
	// UpgradeTimeout bounds the polling->websocket upgrade: a probe WebSocket
	// that has not sent the upgrade packet by then is closed (default 10s).
	UpgradeTimeout time.Duration
	// WriteTimeout bounds one WebSocket write (default 10s).
	WriteTimeout time.Duration
	// MaxQueueBytes bounds the bytes of offered packets (Conn.Offer: the
	// events a client is sent without asking) that wait to be written to it
	// (default 1 MiB). Past it Offer refuses, and the layer above drops the
	// client as too slow.
	MaxQueueBytes int
	// MaxBufferedBytes bounds everything waiting for one client, replies
	// included (default 16 MiB, at least 4 MaxQueueBytes). Send past it
	// closes the session: a client that asks without reading.
	MaxBufferedBytes int
	// CloseLinger is how long a polling session the server closed waits for
	// its client's next poll, which takes the last packets and the close
	// packet (default 2s); a live client polls again at once.
	CloseLinger time.Duration
	// Admit, when set, vets every request before the server looks at it:
	// handshake is true for a request that would open a session. It writes
	// the refusal itself and returns false to refuse (a foreign Origin, a
	// missing token, a client over its rate). nil admits every request. An
	// admitted request's Origin is echoed in the CORS headers.
	Admit func(w http.ResponseWriter, r *http.Request, handshake bool) bool
	// Logger receives one line per session event; nil means slog.Default().
	Logger *slog.Logger
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = 1_000_000
	}
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.MaxQueueBytes <= 0 {
		c.MaxQueueBytes = 1 << 20
	}
	if c.MaxBufferedBytes <= 0 {
		c.MaxBufferedBytes = max(16<<20, 4*c.MaxQueueBytes)
	}
	if c.CloseLinger <= 0 {
		c.CloseLinger = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

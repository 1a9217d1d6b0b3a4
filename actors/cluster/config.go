package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"
)

// Config configures this server's place in the cluster.
type Config struct {
	// Name names this server, unique in the cluster and kept across its
	// restarts: JetStream knows its replicas by it, so a server that comes
	// back under its name catches up instead of joining anew.
	Name string
	// Listen is host:port where the other servers' NATS routes connect.
	Listen string
	// Peers are the other servers' Listen addresses (host:port), all of
	// them: a quorum is counted against 1+len(Peers).
	Peers []string
	// Advertise is the base URL (http://host:port) of this server's HTTP
	// listener as the other servers reach it: they forward requests there.
	Advertise string
	// DataDir holds this server's JetStream replicas.
	DataDir string
	// Replicas is how many servers hold each journal record before it is
	// acknowledged; default min(3, servers).
	Replicas int
	// SyncAlways fsyncs every JetStream write; by default a write is
	// acknowledged once a majority of the replicas has it written (to the
	// page cache: it survives the death of a process, and of a machine as
	// long as a majority of the others lives).
	SyncAlways bool
	// MaxPayload bounds one journal record or checkpoint; default 32 MiB.
	MaxPayload int
	// ReadyTimeout bounds how long Start waits for the cluster to form
	// (a quorum of the servers); default 60s.
	ReadyTimeout time.Duration
	// RoutePing is how often a route to another server is pinged; three
	// unanswered pings declare it gone, when its process died without its
	// connections being closed (a machine lost). Default 1s.
	RoutePing time.Duration
	Logger    *slog.Logger
}

// Defaults of Config's zero fields.
const (
	DefaultMaxPayload   = 32 << 20
	DefaultReadyTimeout = 60 * time.Second
	DefaultRoutePing    = time.Second
	maxReplicas         = 3
)

func (c Config) withDefaults() (Config, error) {
	if c.Name == "" {
		return c, errors.New("cluster: a node name is required")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return c, fmt.Errorf("cluster: listen address %q: %w", c.Listen, err)
	}
	for _, p := range c.Peers {
		if _, _, err := net.SplitHostPort(p); err != nil {
			return c, fmt.Errorf("cluster: peer %q: %w", p, err)
		}
	}
	if u, err := url.Parse(c.Advertise); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return c, fmt.Errorf("cluster: advertise URL %q must be http://host:port", c.Advertise)
	}
	if c.DataDir == "" {
		return c, errors.New("cluster: a data directory is required")
	}
	if c.Replicas <= 0 {
		c.Replicas = min(maxReplicas, 1+len(c.Peers))
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = DefaultMaxPayload
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.RoutePing <= 0 {
		c.RoutePing = DefaultRoutePing
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

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
	// restarts (an owner record with its name is its own).
	Name string
	// Listen is host:port where the other servers' NATS routes connect.
	Listen string
	// Peers are the other servers' Listen addresses (host:port).
	Peers []string
	// Advertise is the base URL (http://host:port) of this server's HTTP
	// listener as the other servers reach it: they forward requests there.
	Advertise string
	// DataDir holds this server's JetStream replica.
	DataDir string
	// LeaseTTL is how long an owner keeps a session without renewing it:
	// about how long a dead owner's sessions wait for a new one. Default 3s.
	LeaseTTL time.Duration
	// Replicas is how many servers hold each journal record before it is
	// acknowledged; default min(3, servers).
	Replicas int
	// SyncAlways fsyncs every JetStream write; by default a write is
	// acknowledged once a majority of the replicas has it in memory.
	SyncAlways bool
	// MaxPayload bounds one journal record or checkpoint; default 32 MiB.
	MaxPayload int
	// ReadyTimeout bounds how long Start waits for the cluster to form
	// (a quorum of the servers); default 60s.
	ReadyTimeout time.Duration
	Logger       *slog.Logger
}

// Defaults of Config's zero fields.
const (
	DefaultLeaseTTL     = 3 * time.Second
	DefaultMaxPayload   = 32 << 20
	DefaultReadyTimeout = 60 * time.Second
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
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = DefaultLeaseTTL
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
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

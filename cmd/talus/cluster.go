package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/talus-tally/server/actors/cluster"
)

// clusterConfig is this server's place in a cluster; Listen "" keeps it a
// single server, as with no flags.
type clusterConfig struct {
	Listen    string
	Node      string
	Peers     []string
	Advertise string
	Lease     time.Duration
	Sync      bool
}

// peers is the raw -cluster-peers list until parseConfig splits it.
func clusterFlags(fs *flag.FlagSet, env *envDefaults, c *clusterConfig, peers *string) {
	fs.StringVar(&c.Listen, "cluster-listen", env.str("TALUS_CLUSTER_LISTEN", ""),
		"host:port for the other servers of a cluster to connect to; set it to run as one of several servers sharing the sessions, leave it empty for a single server (TALUS_CLUSTER_LISTEN)")
	*peers = env.str("TALUS_CLUSTER_PEERS", "")
	fs.StringVar(peers, "cluster-peers", *peers,
		"comma-separated -cluster-listen addresses of the other servers (TALUS_CLUSTER_PEERS)")
	fs.StringVar(&c.Node, "cluster-node", env.str("TALUS_CLUSTER_NODE", ""),
		"this server's name in the cluster, unique and the same across its restarts; default talus-<cluster-listen> (TALUS_CLUSTER_NODE)")
	fs.StringVar(&c.Advertise, "cluster-advertise", env.str("TALUS_CLUSTER_ADVERTISE", ""),
		"the URL the other servers reach this one's HTTP at, for forwarding; default http://<addr> (TALUS_CLUSTER_ADVERTISE)")
	fs.DurationVar(&c.Lease, "cluster-lease", env.duration("TALUS_CLUSTER_LEASE", cluster.DefaultLeaseTTL),
		"how long a session's owner holds it without renewing: about how long a dead server's sessions wait for another (TALUS_CLUSTER_LEASE)")
	c.Sync = env.str("TALUS_CLUSTER_SYNC", "") == "true"
	fs.BoolVar(&c.Sync, "cluster-sync", c.Sync,
		"fsync every journal write on every replica; by default a write is acknowledged once a majority of the servers holds it (TALUS_CLUSTER_SYNC)")
}

// finish fills the defaults that depend on other settings.
func (c *clusterConfig) finish(addr string) error {
	if c.Listen == "" {
		if len(c.Peers) > 0 {
			return errors.New("-cluster-peers needs -cluster-listen")
		}
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("-cluster-listen: %w", err)
	}
	if c.Node == "" {
		c.Node = "talus-" + c.Listen
	}
	if c.Advertise == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("-addr: %w", err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			return errors.New("-cluster-advertise is needed when -addr listens on every interface")
		}
		c.Advertise = "http://" + net.JoinHostPort(host, port)
	}
	if c.Lease < 300*time.Millisecond {
		return errors.New("-cluster-lease must be at least 300ms")
	}
	return nil
}

// startCluster joins the cluster when one is configured; nil otherwise.
func startCluster(c clusterConfig, dataDir string, log *slog.Logger) (*cluster.Node, error) {
	if c.Listen == "" {
		return nil, nil
	}
	n, err := cluster.Start(cluster.Config{
		Name:       c.Node,
		Listen:     c.Listen,
		Peers:      c.Peers,
		Advertise:  c.Advertise,
		DataDir:    filepath.Join(dataDir, "cluster"),
		LeaseTTL:   c.Lease,
		SyncAlways: c.Sync,
		Logger:     log.With("component", "cluster"),
	})
	if err != nil {
		return nil, err
	}
	log.Info("joined the cluster", "node", c.Node, "listen", c.Listen, "peers", c.Peers, "advertise", c.Advertise)
	return n, nil
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/actors/cluster"
	"github.com/talus-tally/server/actors/store"
	talushttp "github.com/talus-tally/server/http"
	"github.com/talus-tally/server/ws"
)

// clusterConfig is this server's place in a cluster; Listen "" keeps it a
// single server, as with no flags.
type clusterConfig struct {
	Listen    string
	Node      string
	Peers     []string
	Advertise string
	Sync      bool
}

// clusterFlags adds the -cluster flags; peers receives the raw
// -cluster-peers list, which parseConfig splits.
func clusterFlags(fs *flag.FlagSet, env *envDefaults, c *clusterConfig, peers *string) {
	fs.StringVar(&c.Listen, "cluster", env.str("TALUS_CLUSTER", ""),
		"host:port where the other servers of a cluster connect to this one; set, the server is one of several sharing the sessions (see README Scale-out), empty it is a single server (TALUS_CLUSTER)")
	*peers = env.str("TALUS_CLUSTER_PEERS", "")
	fs.StringVar(peers, "cluster-peers", *peers,
		"comma-separated -cluster addresses of every other server of the cluster (TALUS_CLUSTER_PEERS)")
	fs.StringVar(&c.Node, "cluster-node", env.str("TALUS_CLUSTER_NODE", ""),
		"this server's name in the cluster, unique, and the same across its restarts; default talus-<port of -cluster> (TALUS_CLUSTER_NODE)")
	fs.StringVar(&c.Advertise, "cluster-advertise", env.str("TALUS_CLUSTER_ADVERTISE", ""),
		"the URL the other servers reach this one's HTTP at, to forward requests; default http://<addr> (TALUS_CLUSTER_ADVERTISE)")
	c.Sync = env.str("TALUS_CLUSTER_SYNC", "") == "true"
	fs.BoolVar(&c.Sync, "cluster-sync", c.Sync,
		"fsync every journal write on every server; by default a write is acknowledged once a majority of the servers has written it (TALUS_CLUSTER_SYNC)")
}

// finish checks the cluster settings and fills the defaults that depend on
// other settings.
func (c *clusterConfig) finish(addr string) error {
	if c.Listen == "" {
		if len(c.Peers) > 0 || c.Node != "" || c.Advertise != "" {
			return errors.New("-cluster-peers, -cluster-node and -cluster-advertise need -cluster")
		}
		return nil
	}
	_, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("-cluster: %w", err)
	}
	for _, p := range c.Peers {
		if _, _, err := net.SplitHostPort(p); err != nil {
			return fmt.Errorf("-cluster-peers: %w", err)
		}
	}
	if c.Node == "" {
		c.Node = "talus-" + port
	}
	if c.Advertise == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("-addr: %w", err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			return errors.New("-cluster-advertise is needed when -addr listens on every interface")
		}
		c.Advertise = "http://" + net.JoinHostPort(host, port)
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
		SyncAlways: c.Sync,
		Logger:     log.With("component", "cluster"),
	})
	if err != nil {
		return nil, err
	}
	log.Info("joined the cluster", "node", c.Node, "listen", c.Listen, "peers", c.Peers, "advertise", c.Advertise)
	return n, nil
}

// closeNode leaves the cluster, if this server is in one.
func closeNode(n *cluster.Node, log *slog.Logger) {
	if n == nil {
		return
	}
	if err := n.Close(); err != nil {
		log.Warn("leaving the cluster", "err", err)
	}
}

// The wiring of a cluster, each nil without one (an interface holding a nil
// *cluster.Node would not be).

func journalOf(n *cluster.Node) actors.Journal {
	if n == nil {
		return nil // the store's
	}
	return n
}

func attach(n *cluster.Node, sessions *actors.Client) {
	if n != nil {
		n.Attach(sessions)
	}
}

func httpRouter(n *cluster.Node) talushttp.Router {
	if n == nil {
		return nil
	}
	return n
}

func wsRouter(n *cluster.Node) ws.Router {
	if n == nil {
		return nil
	}
	return n
}

// healthOf is the store's health, and in a cluster whether this server is
// part of a quorum.
func healthOf(n *cluster.Node, st *store.Store) func() error {
	if n == nil {
		return st.Health
	}
	return func() error { return errors.Join(st.Health(), n.Health()) }
}

package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names in JetStream.
const (
	journalStream = "TALUS_J"
	journalPrefix = "talus.j."
	ownersBucket  = "talus_owners"
)

// Sessions is what a Node needs of the session layer (*actors.Client).
type Sessions interface {
	Adopt(ctx context.Context, sid string) error
	Disown(sid string)
}

// Node is this server's member of the cluster: the embedded NATS server,
// its in-process connection, and the sessions this server owns.
type Node struct {
	cfg  Config
	srv  *server.Server
	id   string // the NATS server's id: new at every start, so it names this run
	nc   *nats.Conn
	js   jetstream.JetStream
	strm jetstream.Stream
	// owners is the owner of every session; ownerReads reads it at its
	// stream's leader: the KV API may read any replica, which may lag
	// behind a write another server just made.
	owners     jetstream.KeyValue
	ownerReads jetstream.Stream
	me         []byte // this run's owner record

	sessions Sessions // set by Attach, before the first request

	mu    sync.Mutex
	owned map[string]*ownership // the sessions this server owns

	routes atomic.Pointer[peerSet] // the servers this one has routes to now
	cache  routeCache              // where other servers' sessions were last seen

	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// owner is the value of a session's key in talus_owners: the server run
// that owns it and where to reach it.
type owner struct {
	Node string `json:"node"`
	ID   string `json:"id"` // the owner's NATS server id: one run of it
	URL  string `json:"url"`
}

// Start runs the embedded NATS server, joins the cluster and waits until
// the journal and the owners bucket are usable (a quorum of the servers is
// up), at most ReadyTimeout.
func Start(cfg Config) (*Node, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(cfg.Listen)
	cport, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen port %q: %w", port, err)
	}
	token := randomToken()
	opts := &server.Options{
		ServerName: cfg.Name,
		// The client port is only for this process (it connects in
		// process); NATS needs one, so it is on loopback, at a port of the
		// kernel's choosing, behind a token nobody else has.
		Host:          "127.0.0.1",
		Port:          server.RANDOM_PORT,
		Authorization: token,
		JetStream:     true,
		StoreDir:      filepath.Join(cfg.DataDir, "jetstream"),
		SyncAlways:    cfg.SyncAlways,
		MaxPayload:    int32(cfg.MaxPayload),
		NoSigs:        true,
	}
	if len(cfg.Peers) > 0 { // else a cluster of one: JetStream on its own
		opts.Cluster = server.ClusterOpts{
			Name: "talus", Host: host, Port: cport,
			PingInterval: cfg.RoutePing, MaxPingsOut: 3,
		}
		opts.Routes = server.RoutesFromStr(routeURLs(cfg.Peers))
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("cluster: nats server: %w", err)
	}
	srv.SetLoggerV2(natsLogger{cfg.Logger.With("component", "nats")}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(cfg.ReadyTimeout) {
		srv.Shutdown()
		return nil, errors.New("cluster: nats server did not start")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Token(token), nats.Name(cfg.Name), nats.MaxReconnects(-1),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			cfg.Logger.Debug("nats connection", "err", err) // its default prints to stderr
		}))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("cluster: connect: %w", err)
	}
	n := &Node{cfg: cfg, srv: srv, id: srv.ID(), nc: nc, owned: make(map[string]*ownership), stop: make(chan struct{})}
	n.me, _ = json.Marshal(owner{Node: cfg.Name, ID: n.id, URL: cfg.Advertise})
	n.cache.entries = make(map[string]owner)
	n.refreshRoutes()
	if n.js, err = jetstream.New(nc); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ReadyTimeout)
		err = n.setUp(ctx)
		cancel()
	}
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	n.done.Add(1)
	go n.watchRoutes()
	return n, nil
}

// setUp finds (or creates) the journal stream and the owners bucket,
// retrying while the cluster has no JetStream leader yet.
func (n *Node) setUp(ctx context.Context) error {
	for {
		err := n.tryOpen(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: no usable JetStream before the ready timeout (%d servers needed): %w", n.cfg.Replicas/2+1, err)
		case <-time.After(250 * time.Millisecond):
			n.cfg.Logger.Debug("cluster not ready yet", "err", err)
		}
	}
}

func (n *Node) tryOpen(ctx context.Context) (err error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n.strm, err = n.js.Stream(cctx, journalStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		n.strm, err = n.js.CreateStream(cctx, jetstream.StreamConfig{
			Name:       journalStream,
			Subjects:   []string{journalPrefix + "*"},
			Storage:    jetstream.FileStorage,
			Replicas:   n.cfg.Replicas,
			MaxMsgSize: int32(n.cfg.MaxPayload),
		})
	}
	if err != nil {
		return fmt.Errorf("journal stream: %w", err)
	}
	n.owners, err = n.js.KeyValue(cctx, ownersBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		n.owners, err = n.js.CreateKeyValue(cctx, jetstream.KeyValueConfig{
			Bucket: ownersBucket, History: 1, Storage: jetstream.FileStorage, Replicas: n.cfg.Replicas,
		})
	}
	if err != nil {
		return fmt.Errorf("owners bucket: %w", err)
	}
	n.ownerReads, err = leaderReads(cctx, n.js, ownersBucket)
	return err
}

// leaderReads returns a handle on a bucket's stream whose reads go to its
// leader: direct gets off, in the stream and in the handle's cached view.
func leaderReads(ctx context.Context, js jetstream.JetStream, bucket string) (jetstream.Stream, error) {
	name := "KV_" + bucket
	for {
		st, err := js.Stream(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("bucket %s: %w", bucket, err)
		}
		cfg := st.CachedInfo().Config
		if !cfg.AllowDirect {
			return st, nil
		}
		cfg.AllowDirect = false
		if _, err := js.UpdateStream(ctx, cfg); err != nil {
			return nil, fmt.Errorf("bucket %s: %w", bucket, err)
		}
	}
}

// kvEntry is a key's value and revision.
type kvEntry struct {
	val []byte
	rev uint64
}

// kvGet reads a key at its bucket's leader, or jetstream.ErrKeyNotFound.
func kvGet(ctx context.Context, st jetstream.Stream, bucket, key string) (kvEntry, error) {
	m, err := st.GetLastMsgForSubject(ctx, "$KV."+bucket+"."+key)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return kvEntry{}, jetstream.ErrKeyNotFound
	case err != nil:
		return kvEntry{}, err
	}
	if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
		return kvEntry{}, jetstream.ErrKeyNotFound
	}
	return kvEntry{val: m.Data, rev: m.Sequence}, nil
}

// Attach gives the node the session layer it adopts sessions into and
// drops lost ones from. Call it once, before serving requests.
func (n *Node) Attach(s Sessions) { n.sessions = s }

// Name is this server's name in the cluster.
func (n *Node) Name() string { return n.cfg.Name }

// Health reports whether this server is part of a quorum of the cluster:
// cut off from it, it serves no session.
func (n *Node) Health() error {
	if !n.nc.IsConnected() {
		return errors.New("cluster: not connected to the embedded NATS server")
	}
	if !n.quorum() {
		return fmt.Errorf("cluster: routes to %d of %d other servers, no quorum", n.routes.Load().len(), len(n.cfg.Peers))
	}
	return nil
}

// Close leaves the cluster. Call it after the session layer has stopped:
// their last checkpoints need the journal. The sessions this server owned
// pass to whichever server is asked for them next, as soon as the others
// see this one's routes close.
func (n *Node) Close() error {
	n.once.Do(func() {
		close(n.stop)
		n.done.Wait()
		_ = n.nc.Drain()
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	})
	return nil
}

func routeURLs(peers []string) string {
	urls := make([]string, len(peers))
	for i, p := range peers {
		urls[i] = "nats-route://" + p
	}
	return strings.Join(urls, ",")
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

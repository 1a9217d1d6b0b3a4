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
	"sync"
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
	ckptBucket    = "talus_ckpt"
)

// Sessions is what a Node needs of the session layer (*actors.Client).
type Sessions interface {
	Adopt(ctx context.Context, sid string) error
	Disown(sid string)
}

// Node is this server's member of the cluster: the embedded NATS server,
// its in-process connection, and the leases of the sessions it owns.
type Node struct {
	cfg   Config
	srv   *server.Server
	nc    *nats.Conn
	js    jetstream.JetStream
	strm  jetstream.Stream
	owner jetstream.KeyValue
	ckpt  jetstream.KeyValue
	// ownerReads and ckptReads read the buckets at their stream leaders:
	// the KV API reads any replica (direct get), which may lag behind a
	// write another server just made.
	ownerReads jetstream.Stream
	ckptReads  jetstream.Stream
	me    []byte // this server's owner record

	sessions Sessions // set by Attach, before the first request

	mu     sync.Mutex
	leases map[string]*lease // the sessions this server owns

	stop      chan struct{}
	done      sync.WaitGroup
	stopRenew sync.Once
	once      sync.Once
}

// owner is the value of a session's key in talus_owners.
type owner struct {
	Node string `json:"node"`
	URL  string `json:"url"`
}

// Start runs the embedded NATS server, joins the cluster and waits until
// the journal and the buckets are usable (a quorum of the servers is up),
// at most ReadyTimeout.
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
		// process); it must exist for routing, so it is on loopback, at a
		// port of the kernel's choosing, behind a token nobody else has.
		Host:          "127.0.0.1",
		Port:          server.RANDOM_PORT,
		Authorization: token,
		JetStream:     true,
		StoreDir:      filepath.Join(cfg.DataDir, "jetstream"),
		SyncAlways:    cfg.SyncAlways,
		MaxPayload:    int32(cfg.MaxPayload),
		NoSigs:        true,
		Cluster:       server.ClusterOpts{Name: "talus", Host: host, Port: cport},
		Routes:        server.RoutesFromStr(routeURLs(cfg.Peers)),
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
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Token(token), nats.Name(cfg.Name), nats.MaxReconnects(-1))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("cluster: connect: %w", err)
	}
	me, _ := json.Marshal(owner{Node: cfg.Name, URL: cfg.Advertise})
	n := &Node{cfg: cfg, srv: srv, nc: nc, me: me, leases: make(map[string]*lease), stop: make(chan struct{})}
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
	go n.renewLoop()
	return n, nil
}

// setUp creates (or finds) the journal stream and the buckets, retrying
// while the cluster has no JetStream leader yet.
func (n *Node) setUp(ctx context.Context) error {
	r := n.cfg.Replicas
	for {
		err := n.tryCreate(ctx, r)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: no usable JetStream before the ready timeout (%d servers needed): %w", r/2+1, err)
		case <-time.After(250 * time.Millisecond):
			n.cfg.Logger.Debug("cluster not ready yet", "err", err)
		}
	}
}

func (n *Node) tryCreate(ctx context.Context, replicas int) (err error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n.strm, err = n.js.CreateOrUpdateStream(cctx, jetstream.StreamConfig{
		Name:        journalStream,
		Subjects:    []string{journalPrefix + "*"},
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		MaxMsgSize:  int32(n.cfg.MaxPayload),
	})
	if err != nil {
		return fmt.Errorf("journal stream: %w", err)
	}
	n.owner, err = n.js.CreateOrUpdateKeyValue(cctx, jetstream.KeyValueConfig{
		Bucket: ownersBucket, History: 1, TTL: n.cfg.LeaseTTL, Storage: jetstream.FileStorage, Replicas: replicas,
	})
	if err != nil {
		return fmt.Errorf("owners bucket: %w", err)
	}
	n.ckpt, err = n.js.CreateOrUpdateKeyValue(cctx, jetstream.KeyValueConfig{
		Bucket: ckptBucket, History: 1, Storage: jetstream.FileStorage, Replicas: replicas, MaxValueSize: int32(n.cfg.MaxPayload),
	})
	if err != nil {
		return fmt.Errorf("checkpoint bucket: %w", err)
	}
	if n.ownerReads, err = leaderReads(cctx, n.js, ownersBucket); err != nil {
		return err
	}
	n.ckptReads, err = leaderReads(cctx, n.js, ckptBucket)
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

// kvGet reads a key at its bucket's leader: the value and its revision, or
// jetstream.ErrKeyNotFound.
func kvGet(ctx context.Context, st jetstream.Stream, bucket, key string) ([]byte, uint64, error) {
	m, err := st.GetLastMsgForSubject(ctx, "$KV."+bucket+"."+key)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return nil, 0, jetstream.ErrKeyNotFound
	case err != nil:
		return nil, 0, err
	}
	if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
		return nil, 0, jetstream.ErrKeyNotFound
	}
	return m.Data, m.Sequence, nil
}

// Attach gives the node the session layer it adopts sessions into and
// drops lost ones from. Call it once, before serving requests.
func (n *Node) Attach(s Sessions) { n.sessions = s }

// Name is this server's name in the cluster.
func (n *Node) Name() string { return n.cfg.Name }

// Health reports whether this server can reach the journal now.
func (n *Node) Health() error {
	if !n.nc.IsConnected() {
		return errors.New("cluster: not connected")
	}
	if !n.srv.JetStreamIsCurrent() {
		return errors.New("cluster: JetStream is not current (no quorum?)")
	}
	return nil
}

// Close gives up every lease (so other servers can take the sessions over
// at once rather than after their TTL), then stops the NATS server. Call it
// after the session layer has stopped: their last checkpoints need the
// leases.
func (n *Node) Close() error {
	n.once.Do(func() {
		n.stopRenewals()
		n.releaseAll()
		_ = n.nc.Drain()
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	})
	return nil
}

func routeURLs(peers []string) string {
	var s string
	for i, p := range peers {
		if i > 0 {
			s += ","
		}
		s += "nats-route://" + p
	}
	return s
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// stopRenewals ends the renew loop and waits for it.
func (n *Node) stopRenewals() {
	n.stopRenew.Do(func() { close(n.stop) })
	n.done.Wait()
}

// kvCreate creates a key that must not exist (or was deleted, or ran
// out), compare-and-set: jetstream.ErrKeyExists when it exists. Unlike
// KeyValue.Create it reads what is there at the leader.
func kvCreate(ctx context.Context, kv jetstream.KeyValue, st jetstream.Stream, bucket, key string, val []byte) (uint64, error) {
	for try := 0; ; try++ {
		rev, err := kv.Update(ctx, key, val, 0)
		if err == nil || !isWrongLast(err) {
			return rev, err
		}
		m, err := st.GetLastMsgForSubject(ctx, "$KV."+bucket+"."+key)
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound) && try < 3:
			continue // gone meanwhile (its TTL): create it again
		case err != nil:
			return 0, err
		}
		if op := m.Header.Get("KV-Operation"); op != "DEL" && op != "PURGE" {
			return 0, jetstream.ErrKeyExists
		}
		rev, err = kv.Update(ctx, key, val, m.Sequence)
		if isWrongLast(err) {
			return 0, jetstream.ErrKeyExists
		}
		return rev, err
	}
}

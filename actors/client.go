package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// Client is the caller's handle on the session layer: the registry and its
// sessions. It is safe for concurrent use and holds no session state, only
// the way to reach it.
type Client struct {
	cfg      Config
	system   *actor.ActorSystem
	registry *actor.PID
	replies  *replies
	stopping atomic.Bool
	stopOnce sync.Once
	stopped  chan struct{} // closed once Stop has begun: waiting callers give up
	counts   *counts       // written by the registry, read by Stats
}

// SessionSummary is what a session list shows of one session.
type SessionSummary struct {
	SessionID     string
	CreatedAt     time.Time
	LastActivity  time.Time
	ActiveClients int
	HasProject    bool
}

// Info is a session's state as GET /sessions/{sid}/info shows it.
type Info struct {
	SessionSummary
	ProjectID     *string
	TemplateID    *string
	UndoAvailable bool
	RedoAvailable bool
	NodeCount     int
	Seq           uint64
	IsDirty       bool // changed since the last save or load
}

// Project is a project open in a session.
type Project struct {
	SessionID  string
	ProjectID  string
	TemplateID string
	Name       string
	Seq        uint64
	IsDirty    bool // changed since it was last saved or loaded
	Roots      wire.Roots
}

// Tree is a session's graph at Seq, encoded.
type Tree struct {
	Roots wire.Roots
	Seq   uint64
}

// ExecuteRequest asks a session to run a command. CommandID may be empty (the
// session makes one); a CommandID seen before answers the first result again.
type ExecuteRequest struct {
	CommandID    string
	Command      model.Command
	IncludeGraph bool
}

// Executed is the outcome of Execute, Undo and Redo.
type Executed struct {
	CommandID     string
	CommandType   string
	Result        any
	NodeID        string
	Seq           uint64
	UndoAvailable bool
	RedoAvailable bool
	IsDirty       bool       // the project changed since it was last saved or loaded
	Roots         wire.Roots // zero unless the graph was asked for
}

// Reply returns the wire form of e; the graph is included when withGraph.
func (e *Executed) Reply(withGraph bool) wire.ExecuteReply {
	out := wire.ExecuteReply{
		Success:       true,
		CommandID:     e.CommandID,
		CommandType:   e.CommandType,
		Result:        e.Result,
		NodeID:        e.NodeID,
		Seq:           e.Seq,
		UndoAvailable: e.UndoAvailable,
		RedoAvailable: e.RedoAvailable,
		IsDirty:       e.IsDirty,
	}
	if withGraph {
		g := wire.NewGraph(e.Roots)
		out.Graph = &g
	}
	return out
}

// Subscription asks to watch a session. With LastSeq set the reply carries
// every event after it, or a Resync when that history is gone or when those
// events come to more than MaxMissedBytes (of their JSON; 0: no bound): a
// subscriber whose queue could not take them gets the graph instead, rather
// than being dropped as slow on every join. Live events after the reply's
// Seq go to Sub.
type Subscription struct {
	ClientID       string
	Sub            Subscriber
	LastSeq        *uint64
	MaxMissedBytes int
}

// Joined answers a Subscription.
type Joined struct {
	SessionID     string
	ClientID      string
	ActiveClients int
	Seq           uint64   // events up to Seq are in Missed or Resync; later ones go to Sub
	Missed        []*Event // with LastSeq: the events after it, in order
	Resync        *Tree    // instead, with LastSeq older than the kept history or too much behind
}

// fanOut bounds the requests List and Cleanup have in flight at once.
const fanOut = 16

// Start starts the actor system and the registry. With a Store, every
// session stored there is known again: listed, and brought back into memory
// on its first request.
func Start(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	log := cfg.Logger
	known, err := storedSessions(cfg)
	if err != nil {
		return nil, err
	}
	cfg.workers = newWorkers(2*runtime.GOMAXPROCS(0)+2, 300)
	system := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log.With("lib", "protoactor") }),
		actor.WithDeadLetterRequestLogging(false), // a request to a gone actor is answered, not logged
	)
	r, err := newReplies(system)
	if err != nil {
		system.Shutdown()
		cfg.workers.close()
		return nil, err
	}
	n := &counts{}
	pid, err := system.Root.SpawnNamed(registryProps(cfg, known, n), registryName)
	if err != nil {
		system.Shutdown()
		cfg.workers.close()
		return nil, fmt.Errorf("actors: start registry: %w", err)
	}
	if len(known) > 0 {
		log.Info("sessions found in the store", "sessions", len(known))
	}
	return &Client{cfg: cfg, system: system, registry: pid, replies: r, stopped: make(chan struct{}), counts: n}, nil
}

// storedSessions reads the summary of every session in the store. One that
// cannot be read is still listed (by id), so its next request shows the
// error rather than a 404.
func storedSessions(cfg Config) ([]stored, error) {
	if cfg.Store == nil || cfg.Journal != Journal(cfg.Store) {
		return nil, nil // another journal: its sessions come in one by one (Adopt)
	}
	infos, err := cfg.Store.Sessions()
	if err != nil {
		return nil, fmt.Errorf("actors: list stored sessions: %w", err)
	}
	out := make([]stored, 0, len(infos))
	for _, in := range infos {
		sum, project, err := storedSummary(cfg.Store, in.ID)
		if err != nil {
			cfg.Logger.Warn("stored session unreadable", "session", in.ID, "err", err)
		}
		out = append(out, stored{summary: sum, project: project})
	}
	return out, nil
}

// Stop stops every session (each takes a last checkpoint and lets its
// subscribers go) and then the actor system, within ctx. Requests from then
// on get ErrUnavailable. Calling it again does nothing.
func (c *Client) Stop(ctx context.Context) error {
	var err error
	c.stopOnce.Do(func() {
		defer c.cfg.workers.close()
		defer c.system.Shutdown()
		// Ask first, then refuse: the stop request itself must get through.
		_, err = ask[struct{}](ctx, c, c.registry, &stopAll{})
		c.stopping.Store(true)
		close(c.stopped)
		c.system.Root.Stop(c.registry)
		if err != nil {
			err = fmt.Errorf("actors: stop: %w", err)
		}
	})
	return err
}

// Create starts an empty session and returns its id. With a store it
// returns once the session is stored.
func (c *Client) Create(ctx context.Context) (string, error) {
	sid := uuid.NewString()
	if cl, ok := c.cfg.Journal.(ExclusiveJournal); ok {
		if err := cl.Claim(ctx, sid); err != nil {
			return "", err
		}
	}
	sid, err := askRegistry[string](ctx, c, &spawnSession{SessionID: sid})
	if err != nil || c.cfg.Journal == nil {
		return sid, err
	}
	// The session stores itself as it starts; its first answer comes after.
	if _, err := askSession[struct{}](ctx, c, sid, &ready{}); err != nil {
		_ = c.Close(context.WithoutCancel(ctx), sid)
		return "", err
	}
	return sid, nil
}

// Count returns how many sessions there are, in memory or not. Only the
// registry answers it, so busy sessions cannot slow it down.
func (c *Client) Count(ctx context.Context) (int, error) {
	return askRegistry[int](ctx, c, &countSessions{})
}

// SessionList is a page of GET /sessions.
type SessionList struct {
	Sessions []SessionSummary
	Total    int    // sessions on the server
	Next     string // the cursor of the next page; "" after the last
}

// Page sizes of List.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// List returns a page of up to limit sessions (DefaultListLimit for 0; at
// most MaxListLimit) in the order they were created, after cursor ("" for
// the first page; a page's Next for the one after it). Passive sessions (not
// in memory) are listed as they were when they left; a live one that does
// not answer in time as the registry knows it (its clients unknown, shown
// as 0); one that closed meanwhile is left out. Only a session layer that
// cannot answer at all (stopping) fails the call.
func (c *Client) List(ctx context.Context, cursor string, limit int) (*SessionList, error) {
	after, err := parseCursor(cursor)
	if err != nil {
		return nil, &model.InvalidRequestError{Field: "cursor", Reason: err.Error()}
	}
	switch {
	case limit <= 0:
		limit = DefaultListLimit
	case limit > MaxListLimit:
		return nil, &model.InvalidRequestError{Field: "limit", Reason: fmt.Sprintf("at most %d", MaxListLimit)}
	}
	page, err := askRegistry[sessionPage](ctx, c, &listSessions{After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	var live []string
	known := make(map[string]SessionSummary, len(page.Rows))
	for _, l := range page.Rows {
		known[l.SessionID] = l.Summary
		if l.Live {
			live = append(live, l.SessionID)
		}
	}
	fresh := make(map[string]*SessionSummary, len(live))
	for _, r := range eachSession(live, func(sid string) (*Info, error) { return c.Info(ctx, sid) }) {
		switch {
		case r.err == nil:
			fresh[r.sid] = &r.value.SessionSummary
		case errors.Is(r.err, ErrSessionNotFound):
			fresh[r.sid] = nil
		default:
			c.cfg.Logger.Warn("session did not answer; listed as the registry knows it", "session", r.sid, "err", r.err)
		}
	}
	if c.stopping.Load() {
		return nil, fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	out := &SessionList{Sessions: make([]SessionSummary, 0, len(page.Rows)), Total: page.Total}
	for _, l := range page.Rows { // the registry's order: created, then id
		sum, asked := fresh[l.SessionID]
		switch {
		case !asked:
			out.Sessions = append(out.Sessions, known[l.SessionID])
		case sum != nil:
			out.Sessions = append(out.Sessions, *sum)
		}
	}
	if page.Next != nil {
		out.Next = page.Next.cursor()
	}
	return out, nil
}

// Info describes session sid.
func (c *Client) Info(ctx context.Context, sid string) (*Info, error) {
	return askSession[*Info](ctx, c, sid, &getInfo{})
}

// Close ends a session: its subscribers get session:closed and are dropped.
// Once it returns, requests to sid get ErrSessionNotFound.
func (c *Client) Close(ctx context.Context, sid string) error {
	_, err := askSession[bool](ctx, c, sid, &closeSession{})
	return err
}

// Cleanup closes sessions with no clients idle since before cutoff. It
// returns how many it closed and how many sessions remain. A session that
// fails to answer (busy, or its store delete failed) stays and counts as
// active; one that closed meanwhile counts as neither. Only a session
// layer that cannot answer at all (stopping) fails the call.
func (c *Client) Cleanup(ctx context.Context, cutoff time.Time) (removed, active int, err error) {
	ids, err := askRegistry[[]string](ctx, c, &sessionIDs{})
	if err != nil {
		return 0, 0, err
	}
	close := func(sid string) (bool, error) {
		return askSession[bool](ctx, c, sid, &closeSession{IdleBefore: cutoff})
	}
	for _, r := range eachSession(ids, close) {
		switch {
		case r.err == nil && r.value:
			removed++
		case r.err == nil:
			active++
		case errors.Is(r.err, ErrSessionNotFound):
		default:
			c.cfg.Logger.Warn("cleanup could not close a session; it stays", "session", r.sid, "err", r.err)
			active++
		}
	}
	if c.stopping.Load() {
		return 0, 0, fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	return removed, active, nil
}

// CreateProject opens a new project from a template in session sid, or in a
// new session when sid is "".
func (c *Client) CreateProject(ctx context.Context, sid, templateID, name string) (*Project, error) {
	msg := &createProject{TemplateID: templateID, Name: name}
	return c.openIn(ctx, sid, msg, func() error {
		_, err := lookupTemplate(c.cfg.Catalog, templateID)
		return err
	})
}

// openIn asks session sid to open a project with msg, or a new session when
// sid is "". check runs first, so input the session would refuse does not
// leave an empty session behind.
func (c *Client) openIn(ctx context.Context, sid string, msg request, check func() error) (*Project, error) {
	if sid != "" {
		return askSession[*Project](ctx, c, sid, msg)
	}
	if err := check(); err != nil {
		return nil, err
	}
	sid, err := c.Create(ctx)
	if err != nil {
		return nil, err
	}
	p, err := askSession[*Project](ctx, c, sid, msg)
	if err != nil {
		_ = c.Close(context.WithoutCancel(ctx), sid) // best effort: the session is empty and nobody knows its id
		return nil, err
	}
	return p, nil
}

// FindProject returns the session that has project pid open.
func (c *Client) FindProject(ctx context.Context, pid string) (string, error) {
	return askRegistry[string](ctx, c, &findProject{ProjectID: pid})
}

// Execute runs a command in session sid. On ErrUnavailable the outcome is
// unknown: retry with the same CommandID.
func (c *Client) Execute(ctx context.Context, sid string, req ExecuteRequest) (*Executed, error) {
	start := time.Now()
	res, err := askSession[*Executed](ctx, c, sid, &execute{Req: req})
	c.observe(commandTypeOf(req.Command), start, err)
	return res, err
}

// Undo reverses the newest command of session sid. commandID names the undo
// itself (retries with it are answered, not applied again); "" makes one.
// The reply's CommandType is the undone command's; it carries the graph when
// withGraph.
func (c *Client) Undo(ctx context.Context, sid, commandID string, withGraph bool) (*Executed, error) {
	start := time.Now()
	res, err := askSession[*Executed](ctx, c, sid, &undo{CommandID: commandID, IncludeGraph: withGraph})
	c.observe("Undo", start, err)
	return res, err
}

// Redo applies again the newest undone command, like Undo.
func (c *Client) Redo(ctx context.Context, sid, commandID string, withGraph bool) (*Executed, error) {
	start := time.Now()
	res, err := askSession[*Executed](ctx, c, sid, &redo{CommandID: commandID, IncludeGraph: withGraph})
	c.observe("Redo", start, err)
	return res, err
}

// ResetDirty marks session sid's project as saved without saving it, and
// returns the session's info.
func (c *Client) ResetDirty(ctx context.Context, sid string) (*Info, error) {
	return askSession[*Info](ctx, c, sid, &resetDirty{})
}

// Tree returns a copy of session sid's graph and the seq it reflects.
func (c *Client) Tree(ctx context.Context, sid string) (*Tree, error) {
	return askSession[*Tree](ctx, c, sid, &getTree{})
}

// Node returns a copy of one node of session sid's graph.
func (c *Client) Node(ctx context.Context, sid, nodeID string) (*model.NodeView, error) {
	return askSession[*model.NodeView](ctx, c, sid, &getNode{NodeID: nodeID})
}

// Search finds nodes of session sid's graph.
func (c *Client) Search(ctx context.Context, sid string, q model.SearchQuery) ([]model.SearchResult, error) {
	return askSession[[]model.SearchResult](ctx, c, sid, &search{Query: q})
}

// Page bounds of EventsAfter.
const (
	DefaultEventsLimit = 1000
	MaxEventsLimit     = 10_000
	// MaxEventsBytes bounds one page's events in bytes, so a reply never
	// holds a whole history of large events at once.
	MaxEventsBytes = 4 << 20
)

// EventsAfter returns a page of the events after seq: up to limit of them
// (DefaultEventsLimit for 0, at most MaxEventsLimit) and MaxEventsBytes,
// with the session's current seq; or a *HistoryGoneError when some of them
// are no longer kept (or seq is beyond the current seq).
func (c *Client) EventsAfter(ctx context.Context, sid string, seq uint64, limit int) (*EventsPage, error) {
	switch {
	case limit <= 0:
		limit = DefaultEventsLimit
	case limit > MaxEventsLimit:
		return nil, &model.InvalidRequestError{Field: "limit", Reason: fmt.Sprintf("at most %d", MaxEventsLimit)}
	}
	return askSession[*EventsPage](ctx, c, sid, &eventsAfter{Seq: seq, Limit: limit, MaxBytes: MaxEventsBytes})
}

// Join subscribes sub.Sub to session sid (see Subscription and Joined). If
// Join fails with ErrUnavailable the subscriber may have been added: call
// Leave before giving up on it.
func (c *Client) Join(ctx context.Context, sid string, sub Subscription) (*Joined, error) {
	return askSession[*Joined](ctx, c, sid, &join{Subscription: sub})
}

// Leave unsubscribes a client; its departure is announced to the others.
func (c *Client) Leave(ctx context.Context, sid, clientID string) error {
	_, err := askSession[struct{}](ctx, c, sid, &leave{ClientID: clientID})
	return err
}

// observe tells Config.OnCommand how a command went.
func (c *Client) observe(commandType string, start time.Time, err error) {
	if c.cfg.OnCommand == nil {
		return
	}
	code := ""
	if err != nil {
		code = wire.Code(err)
	}
	c.cfg.OnCommand(commandType, code, time.Since(start))
}

// commandTypeOf names a command for metrics, whatever it is.
func commandTypeOf(cmd model.Command) (name string) {
	if isNil(cmd) {
		return "none"
	}
	defer func() {
		if recover() != nil {
			name = "unknown"
		}
	}()
	return cmd.CommandType()
}

// Stats are counts of the session layer, for metrics.
type Stats struct {
	Live    int // sessions in memory
	Passive int // sessions only in the store
}

// Stats returns the session counts as the registry last left them, without
// asking it: a scrape never waits on an actor.
func (c *Client) Stats() Stats {
	return Stats{Live: int(c.counts.live.Load()), Passive: int(c.counts.passive.Load())}
}

// live reports whether session sid is in memory (for tests).
func (c *Client) live(ctx context.Context, sid string) (bool, error) {
	v, err := askRegistry[entryView](ctx, c, &describe{SessionID: sid})
	return v.Live, err
}

// checkSessionID refuses what cannot name a session: only a canonical UUID
// does, which also keeps "/" and other path tricks out of actor names.
func checkSessionID(sid string) error {
	if !canonicalUUID(sid) {
		return fmt.Errorf("session %q: %w", sid, ErrSessionNotFound)
	}
	return nil
}

// canonicalUUID reports whether s is a UUID as uuid.NewString writes one:
// what uuid.Parse takes and String gives back unchanged, checked without
// building either (every request names a session).
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// outcome is one session's answer in eachSession.
type outcome[T any] struct {
	sid   string
	value T
	err   error
}

// eachSession calls f for every session id, a few at a time, from the
// caller's goroutines (never from an actor), and returns every outcome:
// the caller decides what one session's error means for the whole. f is
// expected to honour the caller's ctx.
func eachSession[T any](ids []string, f func(sid string) (T, error)) []outcome[T] {
	out := make([]outcome[T], len(ids))
	var wg sync.WaitGroup
	slots := make(chan struct{}, fanOut)
	for i, sid := range ids {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			v, err := f(sid)
			out[i] = outcome[T]{sid: sid, value: v, err: err}
		}()
	}
	wg.Wait()
	return out
}

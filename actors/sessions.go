package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"

	"github.com/talus-tally/server/model"
)

// Sessions is the handle on the registry and its session actors. It is safe
// for concurrent use; it holds no session state, only the way to reach it.
type Sessions struct {
	cfg      Config
	system   *actor.ActorSystem
	registry *actor.PID
	stopping atomic.Bool
}

// fanOut bounds the requests List and Cleanup have in flight at once.
const fanOut = 16

// maxActivations bounds how often one request brings its session back
// from the store (it may passivate again in between, or still be stopping).
const maxActivations = 50

// Start starts the actor system and the registry. With a Store, every
// session stored there is known again: listed, and brought back into memory
// on its first request.
func Start(cfg Config) (*Sessions, error) {
	cfg = cfg.withDefaults()
	log := cfg.Logger
	known, err := storedSessions(cfg)
	if err != nil {
		return nil, err
	}
	system := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log.With("lib", "protoactor") }),
		actor.WithDeadLetterRequestLogging(false), // an unknown session is a 404, not log noise
	)
	pid, err := system.Root.SpawnNamed(registryProps(cfg, known), registryName)
	if err != nil {
		system.Shutdown()
		return nil, fmt.Errorf("actors: start registry: %w", err)
	}
	if len(known) > 0 {
		log.Info("sessions found in the store", "sessions", len(known))
	}
	return &Sessions{cfg: cfg, system: system, registry: pid}, nil
}

// storedSessions reads the summary of every session in the store. One that
// cannot be read is still listed (by id), so its next request shows the
// error rather than a 404.
func storedSessions(cfg Config) ([]stored, error) {
	if cfg.Store == nil {
		return nil, nil
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

// Stop refuses new requests (ErrUnavailable), stops every session and then
// the actor system, within ctx. Calling it again does nothing.
func (s *Sessions) Stop(ctx context.Context) error {
	if s.stopping.Swap(true) {
		return nil
	}
	defer s.system.Shutdown()
	// Poisoning the registry stops its children, the sessions, first. A
	// watcher actor learns when it is gone; unlike a future it has no
	// timeout of its own and holds no goroutine while it waits, so giving
	// up when ctx ends leaves nothing behind.
	registry, gone := s.registry, make(chan struct{})
	watcher := s.system.Root.SpawnPrefix(actor.PropsFromFunc(func(c actor.Context) {
		switch m := c.Message().(type) {
		case *actor.Started:
			c.Watch(registry)
			c.Poison(registry) // after Watch: the Terminated cannot be missed
		case *actor.Terminated:
			if m.Who.Equal(registry) {
				close(gone)
			}
		}
	}), "stop")
	defer s.system.Root.Stop(watcher)
	select {
	case <-gone:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("actors: stop: %w", ctx.Err())
	}
}

// Create starts an empty session and returns its id. With a store it
// returns once the session is stored.
func (s *Sessions) Create(ctx context.Context) (string, error) {
	sid, err := askRegistry[string](ctx, s, &spawnSession{SessionID: uuid.NewString()})
	if err != nil || s.cfg.Store == nil {
		return sid, err
	}
	// The session stores itself as it starts; its first answer comes after.
	if _, err := askSession[struct{}](ctx, s, sid, &ready{}); err != nil {
		_ = s.Close(ctx, sid)
		return "", err
	}
	return sid, nil
}

// Count returns how many sessions there are, in memory or not. Only the
// registry answers it, so busy sessions cannot slow it down.
func (s *Sessions) Count(ctx context.Context) (int, error) {
	return askRegistry[int](ctx, s, &countSessions{})
}

// List returns a summary of every session, oldest first; passive ones (not
// in memory) as they were when they left. A session that does not answer
// in time is listed as the registry knows it (its clients unknown, shown as
// 0); one that closed meanwhile is left out. Only a session layer that
// cannot answer at all (stopping) fails the call.
func (s *Sessions) List(ctx context.Context) ([]SessionSummary, error) {
	all, err := askRegistry[[]listed](ctx, s, &listSessions{})
	if err != nil {
		return nil, err
	}
	var live []string
	known := make(map[string]SessionSummary, len(all))
	out := make([]SessionSummary, 0, len(all))
	for _, l := range all {
		if l.Live {
			live = append(live, l.SessionID)
			known[l.SessionID] = l.Summary
		} else {
			out = append(out, l.Summary)
		}
	}
	for _, r := range eachSession(live, func(sid string) (*Info, error) { return s.Info(ctx, sid) }) {
		switch {
		case r.err == nil:
			out = append(out, r.value.SessionSummary)
		case errors.Is(r.err, ErrSessionNotFound):
		default:
			s.cfg.Logger.Warn("session did not answer; listed as the registry knows it", "session", r.sid, "err", r.err)
			out = append(out, known[r.sid])
		}
	}
	if s.stopping.Load() {
		return nil, fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].SessionID < out[j].SessionID
	})
	return out, nil
}

// Info describes session sid.
func (s *Sessions) Info(ctx context.Context, sid string) (*Info, error) {
	return askSession[*Info](ctx, s, sid, &getInfo{})
}

// Close ends a session: its subscribers get session:closed and are dropped.
// Once it returns, requests to sid get ErrSessionNotFound.
func (s *Sessions) Close(ctx context.Context, sid string) error {
	_, err := s.closeOne(ctx, sid, time.Time{})
	return err
}

// closeOne closes session sid (when idle before idleBefore, if set): in
// the registry when it is passive, which spares loading it, else in the
// session.
func (s *Sessions) closeOne(ctx context.Context, sid string, idleBefore time.Time) (bool, error) {
	if _, err := s.sessionPID(sid); err != nil {
		return false, err
	}
	if s.cfg.Store != nil {
		pc, err := askRegistry[passiveClosed](ctx, s, &closePassive{SessionID: sid, IdleBefore: idleBefore})
		if err != nil || !pc.Live {
			return pc.Closed, err
		}
	}
	return askSession[bool](ctx, s, sid, &closeSession{IdleBefore: idleBefore})
}

// Cleanup closes sessions with no clients idle since before cutoff. It
// returns how many it closed and how many sessions remain. A session that
// fails to answer (busy, or its store delete failed) stays and counts as
// active; one that closed meanwhile counts as neither. Only a session
// layer that cannot answer at all (stopping) fails the call.
func (s *Sessions) Cleanup(ctx context.Context, cutoff time.Time) (removed, active int, err error) {
	all, err := askRegistry[[]listed](ctx, s, &listSessions{})
	if err != nil {
		return 0, 0, err
	}
	ids := make([]string, len(all))
	for i, l := range all {
		ids[i] = l.SessionID
	}
	for _, r := range eachSession(ids, func(sid string) (bool, error) { return s.closeOne(ctx, sid, cutoff) }) {
		switch {
		case r.err == nil && r.value:
			removed++
		case r.err == nil:
			active++
		case errors.Is(r.err, ErrSessionNotFound):
		default:
			s.cfg.Logger.Warn("cleanup could not close a session; it stays", "session", r.sid, "err", r.err)
			active++
		}
	}
	if s.stopping.Load() {
		return 0, 0, fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	return removed, active, nil
}

// CreateProject opens a new project from a template in session sid, or in a
// new session when sid is "".
func (s *Sessions) CreateProject(ctx context.Context, sid, templateID, name string) (*Project, error) {
	msg := &createProject{TemplateID: templateID, Name: name}
	return s.openIn(ctx, sid, msg, func() error {
		_, err := lookupTemplate(s.cfg.Catalog, templateID)
		return err
	})
}

// openIn asks session sid to open a project with msg, or a new session when
// sid is "". check runs first, so input the session would refuse does not
// leave an empty session behind.
func (s *Sessions) openIn(ctx context.Context, sid string, msg request, check func() error) (*Project, error) {
	if sid != "" {
		return askSession[*Project](ctx, s, sid, msg)
	}
	if err := check(); err != nil {
		return nil, err
	}
	sid, err := s.Create(ctx)
	if err != nil {
		return nil, err
	}
	p, err := askSession[*Project](ctx, s, sid, msg)
	if err != nil {
		_ = s.Close(ctx, sid) // best effort: the session is empty and nobody knows its id
		return nil, err
	}
	return p, nil
}

// FindProject returns the session that has project pid open.
func (s *Sessions) FindProject(ctx context.Context, pid string) (string, error) {
	return askRegistry[string](ctx, s, &findProject{ProjectID: pid})
}

// Execute runs a command in session sid. On ErrUnavailable the outcome is
// unknown: retry with the same CommandID.
func (s *Sessions) Execute(ctx context.Context, sid string, req ExecuteRequest) (*Executed, error) {
	return askSession[*Executed](ctx, s, sid, &execute{Req: req})
}

// Undo reverses the newest command of session sid. commandID names the undo
// itself (retries with it are answered, not applied again); "" makes one.
// The reply's CommandType is the undone command's and it carries the graph.
func (s *Sessions) Undo(ctx context.Context, sid, commandID string) (*Executed, error) {
	return askSession[*Executed](ctx, s, sid, &undo{CommandID: commandID})
}

// Redo applies again the newest undone command, like Undo.
func (s *Sessions) Redo(ctx context.Context, sid, commandID string) (*Executed, error) {
	return askSession[*Executed](ctx, s, sid, &redo{CommandID: commandID})
}

// Tree returns a copy of session sid's graph and the seq it reflects.
func (s *Sessions) Tree(ctx context.Context, sid string) (*Tree, error) {
	return askSession[*Tree](ctx, s, sid, &getTree{})
}

// Node returns a copy of one node of session sid's graph.
func (s *Sessions) Node(ctx context.Context, sid, nodeID string) (*model.NodeView, error) {
	return askSession[*model.NodeView](ctx, s, sid, &getNode{NodeID: nodeID})
}

// Search finds nodes of session sid's graph.
func (s *Sessions) Search(ctx context.Context, sid string, q model.SearchQuery) ([]model.SearchResult, error) {
	return askSession[[]model.SearchResult](ctx, s, sid, &search{Query: q})
}

// EventsAfter returns the events after seq and the session's current seq,
// or a *HistoryGoneError when some of them are no longer kept (or seq is
// beyond the current seq).
func (s *Sessions) EventsAfter(ctx context.Context, sid string, seq uint64) ([]*Event, uint64, error) {
	page, err := askSession[*eventsPage](ctx, s, sid, &eventsAfter{Seq: seq})
	if err != nil {
		return nil, 0, err
	}
	return page.Events, page.Seq, nil
}

// Join subscribes sub.Sub to session sid (see Subscription and Joined). If
// Join fails with ErrUnavailable the subscriber may have been added: call
// Leave before giving up on it.
func (s *Sessions) Join(ctx context.Context, sid string, sub Subscription) (*Joined, error) {
	return askSession[*Joined](ctx, s, sid, &join{Subscription: sub})
}

// Leave unsubscribes a client; its departure is announced to the others.
func (s *Sessions) Leave(ctx context.Context, sid, clientID string) error {
	_, err := askSession[struct{}](ctx, s, sid, &leave{ClientID: clientID})
	return err
}

// sessionPID computes a session's address from its id: no map of sessions is
// shared between goroutines. Only a canonical UUID can name a session, which
// also keeps "/" and other path tricks out of actor names.
func (s *Sessions) sessionPID(sid string) (*actor.PID, error) {
	u, err := uuid.Parse(sid)
	if err != nil || u.String() != sid {
		return nil, fmt.Errorf("session %q: %w", sid, ErrSessionNotFound)
	}
	return s.system.NewLocalPID(s.registry.Id + "/" + sid), nil
}

// deadline is when a request stops waiting: after the configured timeout,
// or sooner when ctx's deadline is.
func (s *Sessions) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(s.cfg.RequestTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(d) {
		return dl
	}
	return d
}

// askSession asks session sid. With a store, a session not in memory (no
// actor, or one that just passivated) is brought back by the registry and
// asked again; only a session the store lacks too is ErrSessionNotFound.
func askSession[T any](ctx context.Context, s *Sessions, sid string, msg request) (T, error) {
	var zero T
	pid, err := s.sessionPID(sid)
	if err != nil {
		return zero, err
	}
	// One deadline for every try: the session refuses the request once it
	// has passed, since by then this caller has been told ErrUnavailable.
	deadline := s.deadline(ctx)
	msg.setDeadline(deadline)
	if s.cfg.Store == nil {
		return ask[T](ctx, s, pid, msg, deadline, fmt.Errorf("session %q: %w", sid, ErrSessionNotFound))
	}
	for range maxActivations {
		v, err := ask[T](ctx, s, pid, msg, deadline, errNotLive)
		if !errors.Is(err, errNotLive) {
			return v, err
		}
		spawned, err := askRegistry[bool](ctx, s, &activate{SessionID: sid})
		if err != nil {
			return zero, err
		}
		if !spawned { // its old actor is still stopping: give it a moment
			time.Sleep(time.Millisecond)
		}
	}
	return zero, fmt.Errorf("%w: session %q did not come back", ErrUnavailable, sid)
}

// live reports whether session sid is in memory (for tests).
func (s *Sessions) live(ctx context.Context, sid string) (bool, error) {
	return askRegistry[bool](ctx, s, &isLive{SessionID: sid})
}

func askRegistry[T any](ctx context.Context, s *Sessions, msg request) (T, error) {
	deadline := s.deadline(ctx)
	msg.setDeadline(deadline)
	return ask[T](ctx, s, s.registry, msg, deadline, ErrUnavailable) // no registry: we are stopping
}

// ask sends msg to pid and waits for its reply until deadline. "No answer"
// becomes ErrUnavailable (timeout) or gone (no such actor); the domain
// error comes inside the reply.
func ask[T any](ctx context.Context, s *Sessions, pid *actor.PID, msg request, deadline time.Time, gone error) (T, error) {
	var zero T
	if s.stopping.Load() {
		return zero, fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	// Never below 1ms: a negative duration means "never" to actor.NewFuture.
	timeout := max(time.Until(deadline), time.Millisecond)
	res, err := s.system.Root.RequestFuture(pid, msg, timeout).Result()
	switch {
	case errors.Is(err, actor.ErrDeadLetter):
		return zero, gone
	case errors.Is(err, actor.ErrTimeout):
		return zero, fmt.Errorf("%w: no answer in time", ErrUnavailable)
	case err != nil:
		return zero, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	r, ok := res.(*reply[T])
	if !ok {
		return zero, fmt.Errorf("%w: reply %T to %T", model.ErrInternal, res, msg)
	}
	return r.Value, r.Err
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

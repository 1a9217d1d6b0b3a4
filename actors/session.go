package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// session is one workspace: its graph, undo and redo stacks, event sequence,
// event history and subscribers. Only Receive touches it.
type session struct {
	id           string
	cfg          Config
	log          *slog.Logger
	registry     *actor.PID
	gen          uint64 // this incarnation, as the registry numbers them
	handled      uint64 // requests received, for the passivation handshake
	idleClock    idleClock
	createdAt    time.Time
	lastActivity time.Time

	tmpl        *model.Template
	graph       *model.Graph    // nil until a project is opened
	rootsCache  wire.RootsCache // the graph's newest encoding, for replies
	projectID   string
	projectName string // as opened; the root's name wins once renamed
	dirty       bool   // the project changed since it was last saved or loaded

	undo, redo stack
	commandIDs *commandCache

	seq            uint64   // the last event's seq; the next event takes seq+1
	pending        []*Event // numbered but not yet committed
	pendingDurable bool     // pending is journaled (persist ran)
	history        eventRing

	subs map[string]Subscriber // by client id

	closed bool // every request is answered ErrSessionNotFound

	// Durability (Config.Journal). restoring means "load from the journal" at
	// start rather than "new, checkpoint it".
	restoring       bool
	broken          error // a stored state that could not be loaded: every request gets it
	sinceCheckpoint int   // journal records since the last checkpoint
	// journalSince is the bytes of those records and checkpointBytes the
	// size of the last checkpoint: a large state is checkpointed only once
	// as many bytes were journaled as half of it, so checkpoints cost per
	// change what the change's own record does, however large the graph.
	journalSince, checkpointBytes int
	// checkpointedActivity is lastActivity as the last checkpoint has it.
	checkpointedActivity time.Time

	// unjournaled holds the ops of a change applied to the graph but not
	// yet journaled, so a panic in between can take them back.
	unjournaled []model.Op
}

// sessionArgs is what the registry starts a session with.
type sessionArgs struct {
	id        string
	cfg       Config
	created   time.Time
	gen       uint64
	restoring bool
	registry  *actor.PID
}

func newSession(a sessionArgs) *session {
	return &session{
		id:           a.id,
		cfg:          a.cfg,
		log:          a.cfg.Logger.With("session", a.id),
		registry:     a.registry,
		gen:          a.gen,
		restoring:    a.restoring,
		createdAt:    a.created,
		lastActivity: a.created,
		commandIDs:   newCommandCache(a.cfg.CommandIDLimit),
		history:      eventRing{limit: a.cfg.HistoryLimit, maxBytes: a.cfg.HistoryBytes},
		subs:         make(map[string]Subscriber),
		idleClock:    idleClock{timeout: a.cfg.IdleTimeout},
	}
}

// Receive handles one message. A panic is answered as an internal error to
// the asker and leaves the session serving; events already numbered are
// still committed so the sequence stays gap-free.
func (s *session) Receive(c actor.Context) {
	defer func() {
		if p := recover(); p != nil {
			s.recoverPanic(c, p)
		}
		if !s.closed && len(s.subs) == 0 {
			s.idleClock.arm(c)
		}
	}()

	msg := c.Message()
	now := time.Now()
	s.idleClock.activity(msg, now)
	if req, ok := msg.(request); ok {
		s.handled++
		switch {
		case s.closed:
			req.refuse(c, fmt.Errorf("session %s: %w", s.id, ErrSessionNotFound))
			return
		case !admit(req, msg, now):
			// Its asker gave up and was told ErrUnavailable: doing it now
			// would make "unavailable" mean "done after all".
			req.refuse(c, fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable))
			return
		case s.broken != nil:
			switch msg.(type) {
			case *closeSession, *getInfo: // a broken session can still be listed and deleted
			default:
				req.refuse(c, s.broken)
				return
			}
		}
	}

	switch m := msg.(type) {
	case *actor.Started:
		s.started(c)
	case *idleTimeout:
		s.idle(c, now)
	case *actor.Stopped:
		s.stopped()
	case *execute:
		v, err := s.execute(m.Req, m)
		m.answer(c, s.withFailure(v, err, m.Req.IncludeGraph), err)
	case *undo:
		v, err := s.step(m.CommandID, false, m.IncludeGraph, m)
		m.answer(c, s.withFailure(v, err, m.IncludeGraph), err)
	case *redo:
		v, err := s.step(m.CommandID, true, m.IncludeGraph, m)
		m.answer(c, s.withFailure(v, err, m.IncludeGraph), err)
	case *resetDirty:
		v, err := s.resetDirty()
		m.answer(c, v, err)
	case *createProject:
		v, err := s.createProject(c, m)
		m.answer(c, v, err)
	case *openFile:
		v, err := s.openFile(c, m)
		m.answer(c, v, err)
	case *saveProject:
		v, err := s.saveProject(m.ProjectID)
		m.answer(c, v, err)
	case *join:
		v, err := s.join(m.Subscription)
		m.answer(c, v, err)
		if err == nil {
			s.joined(m.Subscription)
		}
	case *leave:
		s.leave(m.ClientID)
		m.answer(c, struct{}{}, nil)
	case *closeSession:
		v, err := s.close(c, m.IdleBefore)
		m.answer(c, v, err)
	case *getInfo:
		m.answer(c, s.info(), nil)
	case *ready:
		m.answer(c, struct{}{}, nil)
	case *getTree:
		v, err := s.tree()
		m.answer(c, v, err)
	case *getNode:
		v, err := s.node(m.ProjectID, m.NodeID)
		m.answer(c, v, err)
	case *search:
		v, err := s.search(m.ProjectID, m.Query)
		m.answer(c, v, err)
	case *eventsAfter:
		v, err := s.eventsAfter(m.Seq, m.Limit, m.MaxBytes)
		m.answer(c, v, err)
	case *exportProject:
		v, err := s.exportProject(m.ProjectID)
		m.answer(c, v, err)
	case *getProject:
		v, err := s.project(m.ProjectID)
		m.answer(c, v, err)
	}
}

// admit claims a request as the session takes it (claim.go), or, for one
// its handler claims later, checks that its asker still waits.
func admit(req request, msg any, now time.Time) bool {
	if late(msg) {
		return !req.givenUp(now)
	}
	return req.start(now)
}

// started loads a restored session from the store, or makes a new one
// durable with its first checkpoint (an empty session has no journal
// record, yet must survive a restart). Client.Create waits for this.
func (s *session) started(c actor.Context) {
	if s.cfg.Journal != nil {
		if s.restoring {
			err := s.restore()
			switch {
			case errors.Is(err, store.ErrNotFound): // deleted meanwhile
				s.closed = true
				c.Send(s.registry, &sessionClosed{SessionID: s.id, Gen: s.gen})
				return
			case errors.Is(err, ErrUnavailable): // the journal cannot say now, or another server owns it
				s.log.Warn("session cannot be loaded now", "err", err)
				s.broken = err
				c.Send(s.registry, &disown{SessionID: s.id}) // the next request finds where it is
			case err != nil:
				s.log.Error("stored session cannot be restored", "err", err)
				s.broken = fmt.Errorf("%w: session %s cannot be restored: %w", model.ErrInternal, s.id, err)
			default:
				s.log.Debug("session restored", "seq", s.seq, "undo", s.undo.len(), "redo", s.redo.len())
			}
		} else if err := s.checkpoint(); err != nil {
			s.log.Error("new session cannot be stored", "err", err)
			s.broken = fmt.Errorf("%w: session %s cannot be stored: %w", ErrUnavailable, s.id, err)
		}
	}
}

// stopped runs once the actor is gone from the process registry: the
// registry passivated it, or the server is stopping. It checkpoints what
// the journal holds beyond the last checkpoint, so the next start replays
// less.
func (s *session) stopped() {
	s.idleClock.stop()
	if s.closed {
		return
	}
	s.letGo(ReasonShutdown)
	if s.broken == nil && s.stale() {
		if err := s.checkpoint(); err != nil {
			s.log.Warn("checkpoint as the session stopped failed; the journal still holds everything", "err", err)
		}
	}
	s.log.Debug("session stopped", "seq", s.seq)
}

func (s *session) recoverPanic(c actor.Context, p any) {
	s.log.Error("session panicked", "panic", p, "message", fmt.Sprintf("%T", c.Message()), "stack", string(debug.Stack()))
	switch {
	case s.unjournaled != nil:
		// A change applied but not journaled: journaling its events alone
		// would make the journal differ from memory. Take it back, events
		// and all, as if the command had never come.
		ops := s.unjournaled
		s.unjournaled = nil
		s.unstage(func() { s.revert(ops) })
	case len(s.pending) > 0:
		_ = s.commit() // a journal failure is logged; the panic is the asker's answer
	}
	if req, ok := c.Message().(request); ok {
		req.refuse(c, fmt.Errorf("%w: %v", model.ErrInternal, p))
	}
}

// close ends the session unless idleBefore is set and a client watches or
// the session was active since. With a store the session is deleted there
// first: if that fails it stays, and the error is the answer. The registry
// then forgets it and stops the actor behind whatever was already on its
// way here, which this session answers ErrSessionNotFound.
func (s *session) close(c actor.Context, idleBefore time.Time) (bool, error) {
	if !idleBefore.IsZero() && (len(s.subs) > 0 || !s.lastActivity.Before(idleBefore)) {
		return false, nil
	}
	if s.cfg.Journal != nil {
		if err := s.cfg.Journal.DeleteSession(context.Background(), s.id); err != nil {
			s.log.Error("session cannot be deleted from the store", "err", err)
			return false, fmt.Errorf("%w: delete session: %w", ErrUnavailable, err)
		}
	}
	s.closed = true
	s.emit(model.EventSessionClosed, "", nil)
	for len(s.pending) > 0 { // not journaled: the session is gone from the store
		s.publish()
	}
	s.letGo(ReasonSessionClosed)
	c.Send(s.registry, &sessionClosed{SessionID: s.id, Gen: s.gen})
	return true, nil
}

// touch records client activity, which keeps the session from cleanup.
func (s *session) touch() { s.lastActivity = time.Now().UTC() }

func newSummary(sid string, now time.Time) SessionSummary {
	now = now.UTC()
	return SessionSummary{SessionID: sid, CreatedAt: now, LastActivity: now}
}

func (s *session) summary() SessionSummary {
	return SessionSummary{
		SessionID:     s.id,
		CreatedAt:     s.createdAt,
		LastActivity:  s.lastActivity,
		ActiveClients: len(s.subs),
		HasProject:    s.graph != nil,
	}
}

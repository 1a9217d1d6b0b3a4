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
)

// ReasonShutdown is given to the subscribers still watching when the server
// stops the session.
const ReasonShutdown = "SERVER_SHUTDOWN"

// session is one workspace: its graph, undo and redo stacks, event sequence,
// event history and subscribers. Only Receive touches it.
type session struct {
	id           string
	cfg          Config
	log          *slog.Logger
	createdAt    time.Time
	lastActivity time.Time

	tmpl        *model.Template
	graph       *model.Graph // nil until a project is opened
	projectID   string
	projectName string // as opened; the root's name wins once renamed

	undo, redo []step
	commandIDs *commandCache

	seq            uint64   // the last event's seq; the next event takes seq+1
	pending        []*Event // numbered but not yet committed
	pendingDurable bool     // pending is journaled (persist ran)
	history        eventRing

	subs map[string]Subscriber // by client id

	closed  bool         // closing: every request is answered ErrSessionNotFound
	closers []*actor.PID // who asked to close; answered once the actor stopped

	// Durability (Config.Store). gen tells this incarnation from earlier
	// ones in the registry's eyes; restoring means "load from the store" at
	// start rather than "new, checkpoint it".
	gen             uint64
	restoring       bool
	gate            *gate
	broken          error // a stored state that could not be loaded: every request gets it
	passivated      bool
	sinceCheckpoint int // journal records since the last checkpoint
	// checkpointedActivity is lastActivity as the last checkpoint has it.
	checkpointedActivity time.Time
	idleTimer            *time.Timer
	idleTick             uint64 // how often the idle timer was armed; names the current arming
	system               *actor.ActorSystem
	self                 *actor.PID

	// unjournaled holds the ops of a change applied to the graph but not
	// yet journaled, so a panic in between can take them back.
	unjournaled []model.Op
}

func newSession(id string, cfg Config, now time.Time) *session {
	return &session{
		id:           id,
		cfg:          cfg,
		log:          cfg.Logger.With("session", id),
		createdAt:    now,
		lastActivity: now,
		commandIDs:   newCommandCache(cfg.CommandIDLimit),
		history:      eventRing{limit: cfg.HistoryLimit},
		subs:         make(map[string]Subscriber),
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
	}()

	msg := c.Message()
	if req, ok := msg.(request); ok {
		switch {
		case s.closed:
			c.Respond(req.failed(fmt.Errorf("session %s: %w", s.id, ErrSessionNotFound)))
			return
		case req.expired(time.Now()):
			// Its asker already got ErrUnavailable: doing it now would make
			// "unavailable" mean "done after all".
			c.Respond(req.failed(fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable)))
			return
		case s.broken != nil:
			switch msg.(type) {
			case *closeSession, *getInfo: // a broken session can still be listed and deleted
			default:
				c.Respond(req.failed(s.broken))
				return
			}
		}
	}

	switch m := msg.(type) {
	case *actor.Started:
		s.started(c)
	case *actor.Stopped:
		s.stopped(c)
	case *idleCheck:
		s.checkIdle(c, m)
	case *execute:
		v, err := s.execute(m.Req)
		c.Respond(&reply[*Executed]{Value: v, Err: err})
	case *undo:
		v, err := s.undoRedo(m.CommandID, false)
		c.Respond(&reply[*Executed]{Value: v, Err: err})
	case *redo:
		v, err := s.undoRedo(m.CommandID, true)
		c.Respond(&reply[*Executed]{Value: v, Err: err})
	case *createProject:
		v, err := s.createProject(c, m)
		c.Respond(&reply[*Project]{Value: v, Err: err})
	case *getInfo:
		c.Respond(&reply[*Info]{Value: s.info()})
	case *ready:
		c.Respond(&reply[struct{}]{})
	case *getTree:
		v, err := s.tree()
		c.Respond(&reply[*Tree]{Value: v, Err: err})
	case *getNode:
		v, err := s.node(m.ProjectID, m.NodeID)
		c.Respond(&reply[*model.NodeView]{Value: v, Err: err})
	case *search:
		v, err := s.search(m.ProjectID, m.Query)
		c.Respond(&reply[[]model.SearchResult]{Value: v, Err: err})
	case *eventsAfter:
		v, err := s.eventsAfter(m.Seq)
		c.Respond(&reply[*eventsPage]{Value: v, Err: err})
	case *join:
		v, err := s.join(m.Subscription)
		c.Respond(&reply[*Joined]{Value: v, Err: err})
		if err == nil {
			s.joined(m.Subscription)
		}
	case *leave:
		s.leave(m.ClientID)
		c.Respond(&reply[struct{}]{})
	case *closeSession:
		closing, err := s.close(c, m.IdleBefore)
		if err != nil || !closing {
			c.Respond(&reply[bool]{Err: err})
		}
	case *saveProject:
		v, err := s.saveProject(m.ProjectID)
		c.Respond(&reply[time.Time]{Value: v, Err: err})
	case *openFile:
		v, err := s.openFile(c, m)
		c.Respond(&reply[*Project]{Value: v, Err: err})
	case *exportProject:
		v, err := s.exportProject(m.ProjectID)
		c.Respond(&reply[[]byte]{Value: v, Err: err})
	case *getProject:
		v, err := s.project(m.ProjectID)
		c.Respond(&reply[*Project]{Value: v, Err: err})
	}
}

// started loads a restored session from the store, or makes a new one
// durable with its first checkpoint (an empty session has no journal
// record, yet must survive a restart). Sessions.Create waits for this.
func (s *session) started(c actor.Context) {
	s.system, s.self = c.ActorSystem(), c.Self()
	if s.cfg.Store != nil {
		if s.restoring {
			err := s.restore()
			switch {
			case errors.Is(err, store.ErrNotFound): // deleted meanwhile
				s.closed = true
				c.Send(c.Parent(), &sessionEnded{SessionID: s.id, Gen: s.gen, Closed: true})
				c.Stop(c.Self())
				return
			case err != nil:
				s.log.Error("stored session cannot be restored", "err", err)
				s.broken = fmt.Errorf("%w: session %s cannot be restored: %w", model.ErrInternal, s.id, err)
			default:
				s.log.Debug("session restored", "seq", s.seq, "undo", len(s.undo), "redo", len(s.redo))
			}
		} else if err := s.checkpoint(); err != nil {
			s.log.Error("new session cannot be stored", "err", err)
			s.broken = fmt.Errorf("%w: session %s cannot be stored: %w", ErrUnavailable, s.id, err)
		}
	}
	s.scheduleIdle(true)
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
	if req, ok := c.Message().(request); ok && c.Sender() != nil {
		c.Respond(req.failed(fmt.Errorf("%w: %v", model.ErrInternal, p)))
	}
}

// touch records client activity, which keeps the session from cleanup.
func (s *session) touch() { s.lastActivity = time.Now().UTC() }

func (s *session) createProject(c actor.Context, m *createProject) (*Project, error) {
	tmpl, err := lookupTemplate(s.cfg.Catalog, m.TemplateID)
	if err != nil {
		return nil, err
	}
	g, rootID := model.NewProject(tmpl, m.Name)
	name := rootName(g, rootID)
	if err := s.open(c, tmpl, g, newID(), name); err != nil {
		return nil, err
	}
	return s.projectView(), nil
}

// open replaces the session's project with g, as project pid: a new undo
// history, and project:loaded for the watchers. It is made durable by a
// checkpoint; if that fails the old project stays.
func (s *session) open(c actor.Context, tmpl *model.Template, g *model.Graph, pid, name string) error {
	old := *s
	s.touch()
	s.tmpl, s.graph, s.projectID, s.projectName = tmpl, g, pid, name
	s.undo, s.redo = nil, nil
	s.emit(model.EventProjectLoaded, "", ProjectLoaded{Graph: Graph{Roots: g.Tree()}})
	err := s.persistState(func() {
		s.tmpl, s.graph, s.projectID, s.projectName = old.tmpl, old.graph, old.projectID, old.projectName
		s.undo, s.redo, s.lastActivity = old.undo, old.redo, old.lastActivity
	})
	if err != nil {
		return err
	}
	c.Send(c.Parent(), &projectOpened{SessionID: s.id, ProjectID: s.projectID})
	_ = s.commit() // durable already: only a watcher's departure can fail, and that is logged
	return nil
}

// projectView describes the open project.
func (s *session) projectView() *Project {
	return &Project{
		SessionID:  s.id,
		ProjectID:  s.projectID,
		TemplateID: s.tmpl.ID,
		Name:       s.name(),
		Seq:        s.seq,
		Roots:      s.graph.Tree(),
	}
}

// name is the project's name: its root's, once renamed, else as opened.
func (s *session) name() string {
	for _, id := range s.graph.Roots() {
		if n, ok := s.graph.Node(id); ok && n.Type == s.tmpl.RootType().ID {
			return n.Name
		}
	}
	return s.projectName
}

// rootName is the project's name as the graph holds it (a blank name gets
// the root type's label).
func rootName(g *model.Graph, rootID string) string {
	n, _ := g.Node(rootID)
	return n.Name
}

// lookupTemplate finds a template in a catalog that may be nil.
func lookupTemplate(cat *model.Catalog, id string) (*model.Template, error) {
	if cat != nil {
		if t, ok := cat.Get(id); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("template %q: %w", id, model.ErrTemplateNotFound)
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

func (s *session) info() *Info {
	in := &Info{
		SessionSummary: s.summary(),
		UndoAvailable:  len(s.undo) > 0,
		RedoAvailable:  len(s.redo) > 0,
		Seq:            s.seq,
	}
	if s.graph != nil {
		pid := s.projectID
		in.ProjectID = &pid
		in.NodeCount = s.graph.Len()
	}
	return in
}

// roots copies the graph's tree; empty (not nil) without a project, so it
// encodes as [].
func (s *session) roots() []model.TreeNode {
	if s.graph == nil {
		return []model.TreeNode{}
	}
	return s.graph.Tree()
}

func (s *session) tree() (*Tree, error) {
	if s.graph == nil {
		return nil, ErrNoProject
	}
	s.touch()
	return &Tree{Roots: s.graph.Tree(), Seq: s.seq}, nil
}

func (s *session) node(pid, id string) (*model.NodeView, error) {
	if err := s.projectOpen(pid); err != nil {
		return nil, err
	}
	s.touch()
	n, ok := s.graph.Node(id)
	if !ok {
		return nil, fmt.Errorf("node %q: %w", id, model.ErrNodeNotFound)
	}
	return &n, nil
}

func (s *session) search(pid string, q model.SearchQuery) ([]model.SearchResult, error) {
	if err := s.projectOpen(pid); err != nil {
		return nil, err
	}
	s.touch()
	return s.graph.Search(q), nil
}

// projectOpen checks that the session has a project, and project pid
// when pid is not "".
func (s *session) projectOpen(pid string) error {
	if pid == "" && s.graph == nil {
		return ErrNoProject
	}
	if pid != "" {
		return s.openProject(pid)
	}
	return nil
}

// close ends the session unless idleBefore is set and a client watches or
// the session was active since. It reports whether it is closing; the asker
// is answered once the actor has stopped, so a request sent after the answer
// finds no session at all. With a store the session is deleted there first:
// if that fails it stays, and the error is the answer.
func (s *session) close(c actor.Context, idleBefore time.Time) (bool, error) {
	if !idleBefore.IsZero() && (len(s.subs) > 0 || !s.lastActivity.Before(idleBefore)) {
		return false, nil
	}
	if s.cfg.Store != nil {
		if err := s.cfg.Store.DeleteSession(context.Background(), s.id); err != nil {
			s.log.Error("session cannot be deleted from the store", "err", err)
			return false, fmt.Errorf("%w: delete session: %w", ErrUnavailable, err)
		}
	}
	s.closed = true
	s.stopIdleTimer()
	s.emit(model.EventSessionClosed, "", SessionClosed{})
	for len(s.pending) > 0 { // not journaled: the session is gone from the store
		s.publish()
	}
	s.letGo(ReasonSessionClosed)
	c.Send(c.Parent(), &sessionEnded{SessionID: s.id, Gen: s.gen, Closed: true})
	if c.Sender() != nil {
		s.closers = append(s.closers, c.Sender())
	}
	// Poison, not Stop: requests already queued are answered ErrSessionNotFound.
	c.Poison(c.Self())
	return true, nil
}

// stopped runs once the actor is gone from the process registry. At
// shutdown it checkpoints what the journal holds beyond the last checkpoint,
// so the next start replays less. From then on the gate answers whatever
// the mailbox still holds.
func (s *session) stopped(c actor.Context) {
	s.stopIdleTimer()
	var gone error
	switch {
	case s.closed:
		gone = fmt.Errorf("session %s: %w", s.id, ErrSessionNotFound)
	case s.passivated:
		gone = errNotLive
	default:
		s.letGo(ReasonShutdown) // only when the server stopped us: close already let them go
		if s.broken == nil && s.dirty() {
			if err := s.checkpoint(); err != nil {
				s.log.Warn("checkpoint at shutdown failed; the journal still holds everything", "err", err)
			}
		}
		gone = fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	if s.gate != nil {
		s.gate.shut(gone)
	}
	for _, pid := range s.closers {
		c.Send(pid, &reply[bool]{Value: true})
	}
	// Protoactor's PIDSet.Remove keeps a removed child's PID in its backing
	// array, and that PID caches this actor: let go of the state, or every
	// passivated session's graph and history stay in memory.
	*s = session{id: s.id}
}

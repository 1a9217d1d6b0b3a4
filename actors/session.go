package actors

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/asynkron/protoactor-go/actor"

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

	tmpl      *model.Template
	graph     *model.Graph // nil until a project is opened
	projectID string

	undo, redo []step
	commandIDs *commandCache

	seq     uint64   // the last event's seq; the next event takes seq+1
	pending []*Event // numbered but not yet committed
	history eventRing

	subs map[string]Subscriber // by client id

	closed  bool         // closing: every request is answered ErrSessionNotFound
	closers []*actor.PID // who asked to close; answered once the actor stopped
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
	if req, ok := msg.(request); ok && s.closed {
		c.Respond(req.failed(fmt.Errorf("session %s: %w", s.id, ErrSessionNotFound)))
		return
	}

	switch m := msg.(type) {
	case *actor.Stopped:
		s.stopped(c)
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
	case *getTree:
		v, err := s.tree()
		c.Respond(&reply[*Tree]{Value: v, Err: err})
	case *getNode:
		v, err := s.node(m.NodeID)
		c.Respond(&reply[*model.NodeView]{Value: v, Err: err})
	case *search:
		v, err := s.search(m.Query)
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
		if !s.close(c, m.IdleBefore) {
			c.Respond(&reply[bool]{Value: false})
		}
	}
}

func (s *session) recoverPanic(c actor.Context, p any) {
	s.log.Error("session panicked", "panic", p, "message", fmt.Sprintf("%T", c.Message()), "stack", string(debug.Stack()))
	if len(s.pending) > 0 {
		s.commit()
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
	s.touch()
	g, rootID := model.NewProject(tmpl, m.Name)
	s.tmpl, s.graph, s.projectID = tmpl, g, newID()
	s.undo, s.redo = nil, nil
	c.Send(c.Parent(), &projectOpened{SessionID: s.id, ProjectID: s.projectID})

	s.emit(model.EventProjectLoaded, "", ProjectLoaded{Graph: Graph{Roots: g.Tree()}})
	s.commit()
	return &Project{
		SessionID:  s.id,
		ProjectID:  s.projectID,
		TemplateID: tmpl.ID,
		Name:       rootName(g, rootID),
		Seq:        s.seq,
		Roots:      g.Tree(),
	}, nil
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

func (s *session) node(id string) (*model.NodeView, error) {
	if s.graph == nil {
		return nil, ErrNoProject
	}
	s.touch()
	n, ok := s.graph.Node(id)
	if !ok {
		return nil, fmt.Errorf("node %q: %w", id, model.ErrNodeNotFound)
	}
	return &n, nil
}

func (s *session) search(q model.SearchQuery) ([]model.SearchResult, error) {
	if s.graph == nil {
		return nil, ErrNoProject
	}
	s.touch()
	return s.graph.Search(q), nil
}

// close ends the session unless idleBefore is set and a client watches or
// the session was active since. It reports whether it is closing; the asker
// is answered once the actor has stopped, so a request sent after the answer
// finds no session at all.
func (s *session) close(c actor.Context, idleBefore time.Time) bool {
	if !idleBefore.IsZero() && (len(s.subs) > 0 || !s.lastActivity.Before(idleBefore)) {
		return false
	}
	s.closed = true
	s.emit(model.EventSessionClosed, "", SessionClosed{})
	s.commit()
	s.letGo(ReasonSessionClosed)
	if c.Sender() != nil {
		s.closers = append(s.closers, c.Sender())
	}
	// Poison, not Stop: requests already queued are answered ErrSessionNotFound.
	c.Poison(c.Self())
	return true
}

// stopped runs once the actor is gone from the process registry.
func (s *session) stopped(c actor.Context) {
	s.letGo(ReasonShutdown) // only when the server stopped us: close already let them go
	for _, pid := range s.closers {
		c.Send(pid, &reply[bool]{Value: true})
	}
	s.closers = nil
}

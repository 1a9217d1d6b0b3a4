package actors

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/model"
)

// registryName is the registry's actor name; sessionPrefix starts every
// session actor's name ("session/<id>").
const (
	registryName  = "registry"
	sessionPrefix = "session/"
)

// registry knows every session, in memory or only in the store, and routes
// every request to it; it owns their lifecycle. It never touches the disk:
// a session loads and stores itself, and deleting a stored session runs on
// a goroutine of its own. Only Receive touches its maps.
type registry struct {
	cfg       Config
	self      *actor.PID
	sessions  map[string]*entry   // by session id
	projects  map[string][]string // project id -> the sessions that have it open, oldest first
	order     sessionOrder        // the sessions as GET /sessions lists them
	gen       uint64              // incarnations spawned so far
	stopping  *stopping           // non-nil once stopAll came
	counts    *counts             // what Client.Stats reads
	countedAt time.Time
}

// counts are the registry's session counts, published for Client.Stats:
// sessions with an actor (live or stopping) and sessions without.
type counts struct {
	live, passive atomic.Int64
}

// setPID gives an entry its actor, or takes it away (nil), keeping counts.
func (r *registry) setPID(e *entry, pid *actor.PID) {
	had := e.pid != nil
	e.pid = pid
	switch {
	case !had && pid != nil:
		r.counts.live.Add(1)
		r.counts.passive.Add(-1)
	case had && pid == nil:
		r.counts.live.Add(-1)
		r.counts.passive.Add(1)
	}
}

// entry is what the registry knows of one session.
type entry struct {
	state     entryState
	pid       *actor.PID // the actor, while live or stopping
	gen       uint64     // the incarnation of the live (or last) actor
	forwarded uint64     // requests sent to this incarnation
	disowned  bool       // stopping because another server owns it now: forgotten once stopped
	project   string     // open project id, "" for none
	summary   SessionSummary
	parked    []parked // requests waiting for the session to stop or be deleted
}

type entryState int

const (
	live     entryState = iota // an actor runs it
	stopped                    // passive: only the store holds it
	draining                   // its actor is stopping; requests wait for it
	deleting                   // passive, being deleted from the store
)

// stopping is the registry's shutdown: the sessions still to stop and who
// to tell when none is left.
type stopping struct {
	left    int
	replyTo []*stopAll
}

// stored is a session found in the store at start.
type stored struct {
	summary SessionSummary
	project string
}

func newRegistry(cfg Config, known []stored, n *counts) *registry {
	r := &registry{
		cfg:      cfg,
		sessions: make(map[string]*entry, len(known)),
		projects: make(map[string][]string),
		counts:   n,
	}
	// The most recently active of the sessions that share a project counts
	// as the one that opened it last.
	known = slices.Clone(known)
	slices.SortStableFunc(known, func(a, b stored) int { return a.summary.LastActivity.Compare(b.summary.LastActivity) })
	for _, k := range known {
		r.sessions[k.summary.SessionID] = &entry{state: stopped, project: k.project, summary: k.summary}
		r.counts.passive.Add(1)
		r.order.add(keyOf(k.summary))
		if k.project != "" {
			r.addProject(k.project, k.summary.SessionID)
		}
	}
	return r
}

// resume keeps a failing actor and its state: restarting a session would
// hand its users a fresh, empty graph, and restarting the registry would
// lose every route. Both recover their own panics; this is the backstop.
var resume = actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.ResumeDirective })

func registryProps(cfg Config, known []stored, n *counts) *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return newRegistry(cfg, known, n) },
		actor.WithGuardian(resume), actor.WithDispatcher(inline(300)),
	)
}

func (r *registry) Receive(c actor.Context) {
	defer func() {
		if p := recover(); p != nil {
			c.Logger().Error("registry panicked", "panic", p, "message", fmt.Sprintf("%T", c.Message()), "stack", string(debug.Stack()))
			if req, ok := c.Message().(request); ok {
				req.refuse(c, fmt.Errorf("%w: registry: %v", model.ErrInternal, p))
			}
		}
	}()

	if req, ok := c.Message().(request); ok {
		switch {
		case req.givenUp(time.Now()):
			// Its asker was told ErrUnavailable: spawning or deleting a
			// session now would do what it thinks did not happen.
			req.refuse(c, fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable))
			return
		case r.stopping != nil:
			if m, ok := req.(*stopAll); ok {
				r.stopping.replyTo = append(r.stopping.replyTo, m)
				r.stopDone(c)
				return
			}
			req.refuse(c, fmt.Errorf("%w: stopping", ErrUnavailable))
			return
		}
	}
	switch m := c.Message().(type) {
	case *actor.Started:
		r.self = c.Self()
	case *toSession:
		r.route(c, m.SessionID, m.Msg)
	case *spawnSession:
		if !m.start(time.Now()) {
			m.refuse(c, fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable))
			return
		}
		if _, taken := r.sessions[m.SessionID]; taken {
			m.refuse(c, fmt.Errorf("%w: session id %q taken", model.ErrInternal, m.SessionID))
			return
		}
		if len(r.sessions) >= r.cfg.MaxSessions {
			m.refuse(c, &model.LimitError{Budget: BudgetSessions, Limit: int64(r.cfg.MaxSessions), Reason: "the server holds as many sessions as it may; close some"})
			return
		}
		e := &entry{summary: newSummary(m.SessionID, time.Now())}
		r.sessions[m.SessionID] = e
		r.counts.passive.Add(1) // until spawn gives it an actor
		if err := r.spawn(c, m.SessionID, e, false); err != nil {
			r.forget(m.SessionID)
			m.refuse(c, err)
			return
		}
		r.order.add(keyOf(e.summary))
		m.answer(c, m.SessionID, nil)
	case *listSessions:
		keys, more := r.order.page(m.After, m.Limit, r.exists)
		page := sessionPage{Rows: make([]listed, 0, len(keys)), Total: len(r.sessions)}
		for _, k := range keys {
			e := r.sessions[k.id]
			sum := e.summary
			sum.ActiveClients, sum.HasProject = 0, e.project != ""
			page.Rows = append(page.Rows, listed{SessionID: k.id, Live: e.state == live, Summary: sum})
		}
		if more {
			page.Next = &keys[len(keys)-1]
		}
		m.answer(c, page, nil)
	case *sessionIDs:
		ids := make([]string, 0, len(r.sessions))
		for id := range r.sessions {
			ids = append(ids, id)
		}
		m.answer(c, ids, nil)
	case *countSessions:
		m.answer(c, len(r.sessions), nil)
	case *describe:
		v := entryView{Children: len(c.Children())}
		if e := r.sessions[m.SessionID]; e != nil {
			v.Live, v.Draining, v.Gen, v.Forwarded, v.Parked = e.state == live, e.state == draining, e.gen, e.forwarded, len(e.parked)
		}
		m.answer(c, v, nil)
	case *findProject:
		sids := r.projects[m.ProjectID]
		if len(sids) == 0 {
			m.refuse(c, fmt.Errorf("project %q: %w", m.ProjectID, ErrProjectNotFound))
			return
		}
		m.answer(c, sids[len(sids)-1], nil)
	case *stopAll:
		r.stopAll(c, m)
	case *sessionIdle:
		r.idle(c, m)
	case *sessionClosed:
		if e := r.current(m.SessionID, m.Gen); e != nil {
			r.forget(m.SessionID)
			for _, p := range e.parked {
				p.msg.refuse(c, fmt.Errorf("session %s: %w", m.SessionID, ErrSessionNotFound))
			}
			c.Poison(e.pid) // behind whatever was forwarded: the closed session answers it
		}
	case *projectOpened:
		if e := r.current(m.SessionID, m.Gen); e != nil {
			r.forgetProject(m.SessionID)
			e.project = m.ProjectID
			r.addProject(m.ProjectID, m.SessionID)
		}
	case *passiveDeleted:
		r.deleted(c, m)
	case *adopt:
		r.adopt(m)
		m.answer(c, struct{}{}, nil)
	case *disown:
		r.disown(c, m.SessionID)
	case *actor.Terminated:
		r.terminated(c, m.Who)
	}
}

// current returns session sid's entry when gen is its live incarnation.
func (r *registry) current(sid string, gen uint64) *entry {
	e := r.sessions[sid]
	if e == nil || e.pid == nil || e.gen != gen {
		return nil
	}
	return e
}

// route passes msg to session sid, whatever state it is in.
func (r *registry) route(c actor.Context, sid string, msg request) {
	e := r.sessions[sid]
	if e == nil {
		msg.refuse(c, fmt.Errorf("session %s: %w", sid, ErrSessionNotFound))
		return
	}
	switch e.state {
	case live:
		r.forward(c, e, msg)
	case draining, deleting:
		e.parked = append(e.parked, parked{msg: msg})
	case stopped:
		if msg.givenUp(time.Now()) {
			msg.refuse(c, fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable))
			return // held while the session stopped: not worth bringing it back
		}
		if cl, ok := msg.(*closeSession); ok {
			r.closeStored(c, sid, e, cl) // without loading it
			return
		}
		if err := r.spawn(c, sid, e, true); err != nil {
			msg.refuse(c, err)
			return
		}
		r.forward(c, e, msg)
	}
}

// forward sends msg to the live session of e, counting it for the
// passivation handshake.
func (r *registry) forward(c actor.Context, e *entry, msg request) {
	e.forwarded++
	c.Send(e.pid, msg)
}

// spawn starts session sid's actor: new, or restoring from the store. The
// actor loads itself as it starts, on its own goroutine. Sessions are
// spawned from the root and watched rather than made children: protoactor
// keeps removed children's PIDs (and through them the whole actor) in its
// child set, and a passivated session must leave nothing behind.
func (r *registry) spawn(c actor.Context, sid string, e *entry, restoring bool) error {
	r.gen++
	cfg, gen, reg, created := r.cfg, r.gen, r.self, e.summary.CreatedAt
	props := actor.PropsFromProducer(func() actor.Actor {
		return newSession(sessionArgs{id: sid, cfg: cfg, created: created, gen: gen, restoring: restoring, registry: reg})
	}, actor.WithGuardian(resume), actor.WithDispatcher(cfg.workers))
	pid, err := c.ActorSystem().Root.SpawnNamed(props, sessionPrefix+sid)
	if err != nil {
		return fmt.Errorf("%w: spawn session %q: %w", model.ErrInternal, sid, err)
	}
	c.Watch(pid)
	r.setPID(e, pid)
	e.state, e.gen, e.forwarded = live, gen, 0
	return nil
}

// idle passivates a session that asked for it (its receive timeout), unless
// a request was sent to it since it counted: that one is still in its
// mailbox, and the session, busy again, will ask again if it stays idle.
func (r *registry) idle(c actor.Context, m *sessionIdle) {
	e := r.current(m.SessionID, m.Gen)
	if e == nil || e.state != live || e.forwarded != m.Handled {
		return
	}
	e.state, e.summary = draining, m.Summary
	c.Poison(e.pid) // nothing is queued behind it: every request sent was handled
}

// terminated learns that a session's actor is gone: a passivated session
// is stored (or brought back at once for the requests that waited), a
// stopped one at shutdown counts down.
func (r *registry) terminated(c actor.Context, who *actor.PID) {
	sid := strings.TrimPrefix(who.Id, sessionPrefix)
	e := r.sessions[sid]
	if e == nil || e.pid == nil || !e.pid.Equal(who) {
		return
	}
	r.setPID(e, nil)
	if r.stopping != nil {
		r.stopping.left--
		r.stopDone(c)
		return
	}
	if e.disowned {
		r.dropDisowned(c, sid, e)
		return
	}
	if r.cfg.Journal == nil {
		r.forget(sid) // in memory only, a session that stopped is gone
		return
	}
	e.state = stopped
	waiting := e.parked
	e.parked = nil
	for _, p := range waiting {
		r.route(c, sid, p.msg)
	}
}

// closeStored deletes a stored session without loading it, subject to the
// same idle rule as closeSession. The store work runs off the registry's
// goroutine; requests for the session wait until it is done.
func (r *registry) closeStored(c actor.Context, sid string, e *entry, m *closeSession) {
	if !m.IdleBefore.IsZero() && !e.summary.LastActivity.Before(m.IdleBefore) {
		m.answer(c, false, nil)
		return
	}
	if !m.start(time.Now()) {
		m.refuse(c, fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable))
		return
	}
	e.state = deleting
	e.parked = append(e.parked, parked{msg: m})
	st, system, self := r.cfg.Journal, c.ActorSystem(), c.Self()
	go func() {
		err := st.DeleteSession(context.Background(), sid)
		system.Root.Send(self, &passiveDeleted{SessionID: sid, Err: err})
	}()
}

// deleted finishes closeStored: the closer is answered, and so is every
// request that waited (no session, or the session again if deleting failed).
func (r *registry) deleted(c actor.Context, m *passiveDeleted) {
	e := r.sessions[m.SessionID]
	if e == nil || e.state != deleting {
		return
	}
	waiting := e.parked
	e.parked = nil
	closer, rest := waiting[0].msg.(*closeSession), waiting[1:]
	if m.Err != nil {
		r.cfg.Logger.Error("stored session cannot be deleted", "session", m.SessionID, "err", m.Err)
		e.state = stopped
		closer.refuse(c, fmt.Errorf("%w: delete session: %w", ErrUnavailable, m.Err))
		for _, p := range rest {
			r.route(c, m.SessionID, p.msg)
		}
		return
	}
	r.forget(m.SessionID)
	closer.answer(c, true, nil)
	for _, p := range rest {
		p.msg.refuse(c, fmt.Errorf("session %s: %w", m.SessionID, ErrSessionNotFound))
	}
}

// stopAll stops every session in memory; the reply comes once the last one
// has stopped (each takes a last checkpoint as it goes).
func (r *registry) stopAll(c actor.Context, m *stopAll) {
	r.stopping = &stopping{replyTo: []*stopAll{m}}
	for _, e := range r.sessions {
		for _, p := range e.parked {
			p.msg.refuse(c, fmt.Errorf("%w: stopping", ErrUnavailable))
		}
		e.parked = nil
		if e.pid == nil {
			continue
		}
		if e.state == live {
			c.Poison(e.pid)
		}
		r.stopping.left++
	}
	r.stopDone(c)
}

func (r *registry) stopDone(c actor.Context) {
	if r.stopping.left > 0 {
		return
	}
	for _, m := range r.stopping.replyTo {
		m.answer(c, struct{}{}, nil)
	}
	r.stopping.replyTo = nil
}

// forget drops session sid and its project.
func (r *registry) forget(sid string) {
	r.forgetProject(sid)
	if e := r.sessions[sid]; e != nil {
		if e.pid != nil {
			r.counts.live.Add(-1)
		} else {
			r.counts.passive.Add(-1)
		}
	}
	delete(r.sessions, sid)
	r.order.removed(r.exists)
}

func (r *registry) exists(sid string) bool {
	_, ok := r.sessions[sid]
	return ok
}

// addProject records that session sid opened project pid, as its newest
// holder.
func (r *registry) addProject(pid, sid string) {
	sids := slices.DeleteFunc(r.projects[pid], func(x string) bool { return x == sid })
	r.projects[pid] = append(sids, sid)
}

// forgetProject drops the project that session sid had open, if any; the
// other sessions that have it open keep it.
func (r *registry) forgetProject(sid string) {
	e := r.sessions[sid]
	if e == nil {
		return
	}
	if e.project != "" {
		sids := slices.DeleteFunc(r.projects[e.project], func(x string) bool { return x == sid })
		if len(sids) == 0 {
			delete(r.projects, e.project)
		} else {
			r.projects[e.project] = sids
		}
	}
	e.project = ""
}

// adopt adds a session this server now owns, passive, unless it knows it.
func (r *registry) adopt(m *adopt) {
	if e := r.sessions[m.SessionID]; e != nil {
		e.disowned = false // taken back before it stopped: it loads again once it has
		return
	}
	e := &entry{state: stopped, summary: newSummary(m.SessionID, time.Now())}
	r.sessions[m.SessionID] = e
	r.counts.passive.Add(1)
	r.order.add(keyOf(e.summary))
}

// disown lets go of a session another server owns now: a live one stops
// (its last checkpoint is refused: it is not its to write) and is forgotten
// once it has, a passive one at once.
func (r *registry) disown(c actor.Context, sid string) {
	e := r.sessions[sid]
	if e == nil {
		return
	}
	switch e.state {
	case live:
		e.disowned, e.state = true, draining
		c.Poison(e.pid)
	case draining:
		e.disowned = true
	case stopped:
		r.dropDisowned(c, sid, e)
	}
}

// dropDisowned forgets a disowned session; the requests that waited for it
// are told to retry, which reaches its owner.
func (r *registry) dropDisowned(c actor.Context, sid string, e *entry) {
	r.forget(sid)
	for _, p := range e.parked {
		p.msg.refuse(c, fmt.Errorf("session %s: %w", sid, ErrFenced))
	}
}

package actors

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/model"
)

// registryName is the registry's actor name; sessions live under it, so a
// session's PID is "registry/<session id>".
const registryName = "registry"

// registry spawns the session actors as its children and keeps which
// session has which project open. With a store it also knows the sessions
// that are not in memory (passive: stored, and brought back on their next
// request) by a small summary. Only Receive touches its maps.
type registry struct {
	cfg      Config
	sessions map[string]*entry   // by session id
	projects map[string][]string // project id -> the sessions that have it open, oldest first
	gen      uint64              // incarnations spawned so far
}

// entry is what the registry knows of one session.
type entry struct {
	project string // open project id, "" for none
	live    bool   // an actor runs it; false: only the store holds it
	gen     uint64 // the incarnation of the live (or last) actor
	summary SessionSummary
}

// stored is a session found in the store at start.
type stored struct {
	summary SessionSummary
	project string
}

func newRegistry(cfg Config, known []stored) *registry {
	r := &registry{
		cfg:      cfg,
		sessions: make(map[string]*entry, len(known)),
		projects: make(map[string][]string),
	}
	// The most recently active of the sessions that share a project counts
	// as the one that opened it last.
	known = slices.Clone(known)
	slices.SortStableFunc(known, func(a, b stored) int { return a.summary.LastActivity.Compare(b.summary.LastActivity) })
	for _, k := range known {
		r.sessions[k.summary.SessionID] = &entry{project: k.project, summary: k.summary}
		if k.project != "" {
			r.addProject(k.project, k.summary.SessionID)
		}
	}
	return r
}

// resume keeps a failing actor and its state: restarting a session would
// hand its users a fresh, empty graph, and restarting the registry would stop
// every session. Both recover their own panics; this is the backstop.
func resume() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.ResumeDirective })
}

func registryProps(cfg Config, known []stored) *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return newRegistry(cfg, known) },
		actor.WithSupervisor(resume()), // for the sessions
		actor.WithGuardian(resume()),   // for the registry itself
	)
}

func (r *registry) Receive(c actor.Context) {
	defer func() {
		if p := recover(); p != nil {
			c.Logger().Error("registry panicked", "panic", p, "message", fmt.Sprintf("%T", c.Message()), "stack", string(debug.Stack()))
			if req, ok := c.Message().(request); ok && c.Sender() != nil {
				c.Respond(req.failed(fmt.Errorf("%w: registry: %v", model.ErrInternal, p)))
			}
		}
	}()

	if req, ok := c.Message().(request); ok && req.expired(time.Now()) {
		// Its asker was told ErrUnavailable: spawning or deleting a session
		// now would leave one it does not know of, or remove one it counted.
		c.Respond(req.failed(fmt.Errorf("%w: the request waited past its deadline", ErrUnavailable)))
		return
	}
	switch m := c.Message().(type) {
	case *spawnSession:
		if _, taken := r.sessions[m.SessionID]; taken {
			c.Respond(&reply[string]{Err: fmt.Errorf("%w: session id %q taken", model.ErrInternal, m.SessionID)})
			return
		}
		err := r.spawn(c, m.SessionID, false)
		if err != nil {
			err = fmt.Errorf("%w: %w", model.ErrInternal, err)
		}
		c.Respond(&reply[string]{Value: m.SessionID, Err: err})
	case *activate:
		ok, err := r.activate(c, m.SessionID)
		c.Respond(&reply[bool]{Value: ok, Err: err})
	case *listSessions:
		out := make([]listed, 0, len(r.sessions))
		for id, e := range r.sessions {
			sum := e.summary
			sum.ActiveClients, sum.HasProject = 0, e.project != ""
			out = append(out, listed{SessionID: id, Live: e.live, Summary: sum})
		}
		c.Respond(&reply[[]listed]{Value: out})
	case *countSessions:
		c.Respond(&reply[int]{Value: len(r.sessions)})
	case *closePassive:
		v, err := r.closePassive(m)
		c.Respond(&reply[passiveClosed]{Value: v, Err: err})
	case *isLive:
		e := r.sessions[m.SessionID]
		c.Respond(&reply[bool]{Value: e != nil && e.live})
	case *findProject:
		sids := r.projects[m.ProjectID]
		if len(sids) == 0 {
			c.Respond(&reply[string]{Err: fmt.Errorf("project %q: %w", m.ProjectID, ErrProjectNotFound)})
			return
		}
		c.Respond(&reply[string]{Value: sids[len(sids)-1]})
	case *projectOpened:
		e := r.sessions[m.SessionID]
		if e == nil || !e.live {
			return
		}
		r.forgetProject(m.SessionID)
		e.project = m.ProjectID
		r.addProject(m.ProjectID, m.SessionID)
	case *sessionEnded:
		e := r.sessions[m.SessionID]
		if e == nil || e.gen != m.Gen {
			return // a late word from an earlier incarnation
		}
		if m.Closed {
			r.forget(m.SessionID)
			return
		}
		if m.Summary != nil {
			e.summary = *m.Summary
		}
	case *actor.Terminated:
		sid := strings.TrimPrefix(m.Who.Id, c.Self().Id+"/")
		e := r.sessions[sid]
		if e == nil {
			return
		}
		if r.cfg.Store == nil {
			r.forget(sid) // in memory, a session that stopped is gone
			return
		}
		e.live = false // stored: passive until asked for, unless sessionEnded says closed
	}
}

// spawn starts session sid's actor: new, or restoring from the store.
func (r *registry) spawn(c actor.Context, sid string, restoring bool) error {
	r.gen++
	cfg, gen, created := r.cfg, r.gen, time.Now().UTC()
	g := &gate{system: c.ActorSystem()}
	props := actor.PropsFromProducer(func() actor.Actor {
		s := newSession(sid, cfg, created)
		s.gen, s.restoring, s.gate = gen, restoring, g
		return s
	}, actor.WithMailbox(actor.Unbounded(g)))
	if _, err := c.SpawnNamed(props, sid); err != nil {
		return fmt.Errorf("spawn session %q: %w", sid, err)
	}
	e := r.sessions[sid]
	if e == nil {
		e = &entry{summary: SessionSummary{SessionID: sid, CreatedAt: created, LastActivity: created}}
		r.sessions[sid] = e
	}
	e.live, e.gen = true, gen
	return nil
}

// activate brings a passive session back. It reports false, asking the
// caller to try the session again, when the session is still live: its
// actor may be stopping, and the registry learns that from Terminated.
func (r *registry) activate(c actor.Context, sid string) (bool, error) {
	e := r.sessions[sid]
	if e == nil || r.cfg.Store == nil {
		return false, fmt.Errorf("session %q: %w", sid, ErrSessionNotFound)
	}
	if e.live {
		return false, nil
	}
	if err := r.spawn(c, sid, true); err != nil {
		if errors.Is(err, actor.ErrNameExists) {
			return false, nil // the old actor is not quite gone
		}
		return false, fmt.Errorf("%w: %w", model.ErrInternal, err)
	}
	return true, nil
}

// closePassive deletes a passive session from the store without loading
// it, subject to the same idle rule as closeSession.
func (r *registry) closePassive(m *closePassive) (passiveClosed, error) {
	e := r.sessions[m.SessionID]
	switch {
	case e == nil:
		return passiveClosed{}, fmt.Errorf("session %q: %w", m.SessionID, ErrSessionNotFound)
	case e.live:
		return passiveClosed{Live: true}, nil
	case !m.IdleBefore.IsZero() && !e.summary.LastActivity.Before(m.IdleBefore):
		return passiveClosed{}, nil
	}
	if err := r.cfg.Store.DeleteSession(context.Background(), m.SessionID); err != nil {
		return passiveClosed{}, fmt.Errorf("%w: delete session: %w", ErrUnavailable, err)
	}
	r.forget(m.SessionID)
	return passiveClosed{Closed: true}, nil
}

// forget drops session sid and its project.
func (r *registry) forget(sid string) {
	r.forgetProject(sid)
	delete(r.sessions, sid)
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

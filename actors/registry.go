package actors

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/talus-tally/server/model"
)

// registryName is the registry's actor name; sessions live under it, so a
// session's PID is "registry/<session id>".
const registryName = "registry"

// registry spawns the session actors as its children and keeps which
// session has which project open. Only Receive touches its maps.
type registry struct {
	cfg      Config
	sessions map[string]string // session id -> open project id ("" for none)
	projects map[string]string // project id -> session id
}

func newRegistry(cfg Config) *registry {
	return &registry{
		cfg:      cfg,
		sessions: make(map[string]string),
		projects: make(map[string]string),
	}
}

// resume keeps a failing actor and its state: restarting a session would
// hand its users a fresh, empty graph, and restarting the registry would stop
// every session. Both recover their own panics; this is the backstop.
func resume() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.ResumeDirective })
}

func registryProps(cfg Config) *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return newRegistry(cfg) },
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

	switch m := c.Message().(type) {
	case *spawnSession:
		c.Respond(&reply[string]{Value: m.SessionID, Err: r.spawn(c, m.SessionID)})
	case *listSessions:
		ids := make([]string, 0, len(r.sessions))
		for id := range r.sessions {
			ids = append(ids, id)
		}
		c.Respond(&reply[[]string]{Value: ids})
	case *findProject:
		sid, ok := r.projects[m.ProjectID]
		if !ok {
			c.Respond(&reply[string]{Err: fmt.Errorf("project %q: %w", m.ProjectID, ErrProjectNotFound)})
			return
		}
		c.Respond(&reply[string]{Value: sid})
	case *projectOpened:
		if _, live := r.sessions[m.SessionID]; !live {
			return
		}
		r.forgetProject(m.SessionID)
		r.sessions[m.SessionID] = m.ProjectID
		r.projects[m.ProjectID] = m.SessionID
	case *actor.Terminated:
		sid := strings.TrimPrefix(m.Who.Id, c.Self().Id+"/")
		r.forgetProject(sid)
		delete(r.sessions, sid)
	}
}

func (r *registry) spawn(c actor.Context, sid string) error {
	if _, taken := r.sessions[sid]; taken {
		return fmt.Errorf("%w: session id %q taken", model.ErrInternal, sid)
	}
	cfg, created := r.cfg, time.Now().UTC()
	props := actor.PropsFromProducer(func() actor.Actor { return newSession(sid, cfg, created) })
	if _, err := c.SpawnNamed(props, sid); err != nil {
		return fmt.Errorf("%w: spawn session %q: %w", model.ErrInternal, sid, err)
	}
	r.sessions[sid] = ""
	return nil
}

// forgetProject drops the project that session sid had open, if any.
func (r *registry) forgetProject(sid string) {
	if pid := r.sessions[sid]; pid != "" && r.projects[pid] == sid {
		delete(r.projects, pid)
	}
	if _, live := r.sessions[sid]; live {
		r.sessions[sid] = ""
	}
}

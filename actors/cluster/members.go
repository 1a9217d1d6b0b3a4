package cluster

import "time"

// Who is alive is NATS's own view: the routes of the embedded server. A
// server that dies closes its routes (the kernel closes a killed process's
// sockets at once); one that vanishes without closing them misses
// RoutePing three times. No clock of ours decides it, and no protocol of
// ours: a server run is alive while this server has a route to it.

// routesEvery is how often the view is read from the NATS server: well
// below the time JetStream needs to elect new leaders after a loss, so it
// adds nothing to a takeover.
const routesEvery = 100 * time.Millisecond

// peerSet is the ids of the server runs this one has a route to.
type peerSet struct{ ids map[string]struct{} }

func (p *peerSet) has(id string) bool {
	_, ok := p.ids[id]
	return ok
}

func (p *peerSet) len() int { return len(p.ids) }

// watchRoutes keeps n.routes current.
func (n *Node) watchRoutes() {
	defer n.done.Done()
	t := time.NewTicker(routesEvery)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.refreshRoutes()
		}
	}
}

func (n *Node) refreshRoutes() {
	rz, err := n.srv.Routez(nil)
	if err != nil {
		return
	}
	set := &peerSet{ids: make(map[string]struct{}, len(rz.Routes))}
	for _, r := range rz.Routes {
		if r.RemoteID != "" {
			set.ids[r.RemoteID] = struct{}{}
		}
	}
	n.routes.Store(set)
}

// alive reports whether the server run id is this one or routed to now.
func (n *Node) alive(id string) bool {
	return id == n.id || n.routes.Load().has(id)
}

// quorum reports whether this server reaches a majority of the cluster,
// itself included: only then may it serve or take sessions over, since a
// server cut off from the majority can no longer tell who owns what.
func (n *Node) quorum() bool {
	return 2*(1+n.routes.Load().len()) > 1+len(n.cfg.Peers)
}

package actors

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

// waitLimit bounds every wait in the tests so a bug hangs nothing; no test
// passes or fails on how fast something is.
const waitLimit = 10 * time.Second

var (
	catalogOnce sync.Once
	catalog     *model.Catalog
)

func testCatalog(tb testing.TB) *model.Catalog {
	tb.Helper()
	catalogOnce.Do(func() {
		var errs []error
		catalog, errs = model.LoadCatalog("")
		if len(errs) > 0 {
			panic(fmt.Sprint(errs))
		}
	})
	return catalog
}

// start runs a session layer for one test and stops it afterwards.
func start(tb testing.TB, cfg Config) *Client {
	tb.Helper()
	if cfg.Catalog == nil {
		cfg.Catalog = testCatalog(tb)
	}
	if cfg.Logger == nil { // some tests cause errors on purpose
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := Start(cfg)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s
}

// project opens a restomod project in a new session and returns the session
// id and the root node id.
func project(tb testing.TB, s *Client) (sid, rootID string) {
	tb.Helper()
	p, err := s.CreateProject(context.Background(), "", "restomod", "Mustang")
	require.NoError(tb, err)
	require.Len(tb, forest(tb, p.Roots), 1)
	return p.SessionID, forest(tb, p.Roots)[0].ID
}

func createPhase(tb testing.TB, s *Client, sid, parent, name string) *Executed {
	tb.Helper()
	res, err := s.Execute(context.Background(), sid, ExecuteRequest{
		Command: model.CreateNode{ParentID: parent, Type: "phase", Name: name},
	})
	require.NoError(tb, err)
	return res
}

func tree(tb testing.TB, s *Client, sid string) *Tree {
	tb.Helper()
	t, err := s.Tree(context.Background(), sid)
	require.NoError(tb, err)
	return t
}

// joinQueue subscribes a fresh queue of the given capacity.
func joinQueue(tb testing.TB, s *Client, sid, clientID string, capacity int) (*Queue, *Joined) {
	tb.Helper()
	q := NewQueue(capacity)
	j, err := s.Join(context.Background(), sid, Subscription{ClientID: clientID, Sub: q})
	require.NoError(tb, err)
	return q, j
}

// take reads n events from q, failing if they do not come within waitLimit.
func take(tb testing.TB, q *Queue, n int) []*Event {
	tb.Helper()
	out := make([]*Event, 0, n)
	deadline := time.After(waitLimit)
	for len(out) < n {
		select {
		case ev := <-q.C():
			out = append(out, ev)
		case <-deadline:
			tb.Fatalf("got %d of %d events", len(out), n)
		}
	}
	return out
}

// takeUntil reads events from q up to and including the one named name.
func takeUntil(tb testing.TB, q *Queue, name string) []*Event {
	tb.Helper()
	var out []*Event
	deadline := time.After(waitLimit)
	for {
		select {
		case ev := <-q.C():
			out = append(out, ev)
			if ev.Name == name {
				return out
			}
		case <-deadline:
			tb.Fatalf("no %s event among %d", name, len(out))
		}
	}
}

func names(evs []*Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Name
	}
	return out
}

// requireSeqs checks that evs are numbered from, from+1, ... with no gap.
func requireSeqs(tb testing.TB, evs []*Event, from uint64) {
	tb.Helper()
	for i, ev := range evs {
		require.Equal(tb, from+uint64(i), ev.Seq, "event %d (%s)", i, ev.Name)
	}
}

// panicky is a test command that renames a node and then panics.
type panicky struct{ NodeID string }

func (panicky) CommandType() string { return "Panicky" }
func (c panicky) Apply(tx *model.Tx) (any, error) {
	if err := tx.Rename(c.NodeID, "half-done"); err != nil {
		return nil, err
	}
	panic("boom")
}

// badType is a test command whose CommandType panics: the panic happens in
// the session, outside model.Apply.
type badType struct{}

func (badType) CommandType() string          { panic("no type") }
func (badType) Apply(*model.Tx) (any, error) { return nil, nil }

// blocking is a test command that waits for release before renaming.
type blocking struct {
	NodeID  string
	started chan<- struct{}
	release <-chan struct{}
}

func (blocking) CommandType() string { return "Blocking" }
func (c blocking) Apply(tx *model.Tx) (any, error) {
	close(c.started)
	<-c.release
	return c.NodeID, tx.Rename(c.NodeID, "released")
}

// listAll lists every session, page after page.
func listAll(ctx context.Context, s *Client) ([]SessionSummary, error) {
	var out []SessionSummary
	cursor := ""
	for {
		page, err := s.List(ctx, cursor, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Sessions...)
		if page.Next == "" {
			return out, nil
		}
		cursor = page.Next
	}
}

// allEventsAfter reads every kept event after seq, page after page, and
// the session's seq.
func allEventsAfter(ctx context.Context, s *Client, sid string, seq uint64) ([]*Event, uint64, error) {
	var out []*Event
	for {
		page, err := s.EventsAfter(ctx, sid, seq, 0)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, page.Events...)
		if !page.More {
			return out, page.Seq, nil
		}
		seq = page.Events[len(page.Events)-1].Seq
	}
}

// forest decodes the encoded forest a reply carries.
func forest(tb testing.TB, r wire.Roots) []model.TreeNode {
	tb.Helper()
	require.False(tb, r.IsZero(), "no graph")
	nodes, err := r.Nodes()
	require.NoError(tb, err)
	return nodes
}

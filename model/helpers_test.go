package model

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testCatalog loads the built-in templates once per call; they must load cleanly.
func testCatalog(tb testing.TB) *Catalog {
	tb.Helper()
	cat, errs := LoadCatalog("")
	require.Empty(tb, errs)
	return cat
}

func restomod(tb testing.TB) *Template {
	tb.Helper()
	t, ok := testCatalog(tb).Get("restomod")
	require.True(tb, ok)
	return t
}

// counterIDs gives ids n1, n2, ... so tests can name nodes before they exist.
func counterIDs() Option {
	i := 0
	return WithIDs(func() string { i++; return fmt.Sprintf("n%d", i) })
}

// tickingClock advances one second per reading, so created_at orders nodes.
func tickingClock() Option {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return WithClock(func() time.Time { t = t.Add(time.Second); return t })
}

// fixture holds a small restomod project:
//
//	n1 root "Car"
//	├── n2 phase "Body"
//	│   └── n4 job "Paint"
//	│       └── n5 task "Sand"
//	│           └── n6 part "Paper"
//	└── n3 phase "Engine"
//	n7 root "Kit" (a second root) holding n8 phase "Kit phase" holding n9 job "Kit job"
type fixture struct {
	g                                   *Graph
	root, body, engine, job, task, part string
	kit, kitPhase, kitJob               string
}

func newFixture(tb testing.TB) fixture {
	tb.Helper()
	g, root := NewProject(restomod(tb), "Car", counterIDs(), tickingClock())
	f := fixture{g: g, root: root}
	mk := func(parent, typ, name string) string {
		a, err := g.Apply(CreateNode{ParentID: parent, Type: typ, Name: name})
		require.NoError(tb, err)
		return a.NodeID
	}
	f.body = mk(root, "phase", "Body")
	f.engine = mk(root, "phase", "Engine")
	f.job = mk(f.body, "job", "Paint")
	f.task = mk(f.job, "task", "Sand")
	f.part = mk(f.task, "part", "Paper")
	// A second root needs the root type, so the kit is a project_root holding a phase.
	f.kit = mk("", "project_root", "Kit")
	f.kitPhase = mk(f.kit, "phase", "Kit phase")
	f.kitJob = mk(f.kitPhase, "job", "Kit job")
	return f
}

func intp(i int) *int { return &i }

// replay applies events to a tree the way a client does.
func replay(tb testing.TB, tree []TreeNode, evs []Event) []TreeNode {
	tb.Helper()
	for _, ev := range evs {
		var err error
		tree, err = ApplyEvent(tree, ev)
		require.NoError(tb, err, "event %s %+v", ev.Name, ev.Data)
	}
	return tree
}

func eventNames(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Name
	}
	return out
}

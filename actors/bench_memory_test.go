package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// Shape of BenchmarkIdleSessionsMemory.
const (
	memSessions = 10_000
	// memIdle must outlast creating every session, so that all are still
	// in memory when "before" is measured; the benchmark checks that they
	// were, rather than trusting the machine to be fast enough.
	memIdle = 10 * time.Second
	// memWait bounds the wait for every session to passivate.
	memWait = memIdle + 40*time.Second
)

// BenchmarkIdleSessionsMemory measures the heap that 10,000 idle sessions
// (a restomod project and a few nodes each) hold while in memory, and again
// once they all passivated. One measurement per run, whatever b.N:
//
//	go test -run '^$' -bench IdleSessionsMemory -benchtime 1x ./actors/
//
// MB-before / MB-after are HeapInuse after a full GC; alloc-MB-* are
// HeapAlloc (live objects only); KB/session-* subtract the heap measured
// before any session existed.
func BenchmarkIdleSessionsMemory(b *testing.B) {
	st := openStore(b, b.TempDir(), store.Options{NoSync: true})
	s := start(b, Config{Store: st, IdleTimeout: memIdle})
	base := heapAfterGC()

	sids := make([]string, memSessions)
	began := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < memSessions; i = int(next.Add(1)) - 1 {
				sids[i] = smallProject(b, s, i)
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	setup := time.Since(began)
	before := heapAfterGC()
	if live := countLive(b, s, sids); live != memSessions {
		b.Fatalf("only %d of %d sessions were in memory when measured: setup took %v, longer than the %v idle timeout", live, memSessions, setup, memIdle)
	}

	deadline := time.Now().Add(memWait)
	for live := memSessions; live > 0; live = countLive(b, s, sids) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d sessions still in memory after %v", live, memSessions, memWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
	after := heapAfterGC()

	// A passive session comes back whole on its next use.
	tr, err := s.Tree(context.Background(), sids[0])
	require.NoError(b, err)
	require.Len(b, forest(b, tr.Roots), 1)
	require.Len(b, forest(b, tr.Roots)[0].Children, 1)

	const mb, kb = 1 << 20, 1 << 10
	b.ReportMetric(float64(before.HeapInuse)/mb, "MB-before")
	b.ReportMetric(float64(after.HeapInuse)/mb, "MB-after")
	b.ReportMetric(float64(before.HeapAlloc)/mb, "alloc-MB-before")
	b.ReportMetric(float64(after.HeapAlloc)/mb, "alloc-MB-after")
	b.ReportMetric(perSession(before.HeapAlloc, base.HeapAlloc)/kb, "KB/session-live")
	b.ReportMetric(perSession(after.HeapAlloc, base.HeapAlloc)/kb, "KB/session-passive")
	b.Logf("%d sessions set up in %v; heap in use %.1f MB with none, %.1f MB in memory, %.1f MB passive",
		memSessions, setup.Round(time.Millisecond), float64(base.HeapInuse)/mb, float64(before.HeapInuse)/mb, float64(after.HeapInuse)/mb)
}

// smallProject opens a restomod project named for i with a phase, a job and
// a task under it, and a budget.
func smallProject(tb testing.TB, s *Client, i int) string {
	ctx := context.Background()
	p, err := s.CreateProject(ctx, "", "restomod", fmt.Sprint("Car ", i))
	if err != nil {
		tb.Error(err)
		return ""
	}
	parent := forest(tb, p.Roots)[0].ID
	cmds := []model.Command{
		model.UpdateProperty{NodeID: parent, PropertyID: "budget", Value: "25000.00"},
		model.CreateNode{ParentID: parent, Type: "phase", Name: "Body"},
		model.CreateNode{Type: "job", Name: "Rust repair"},
		model.CreateNode{Type: "task", Name: "Floor pans"},
	}
	for _, cmd := range cmds {
		if c, ok := cmd.(model.CreateNode); ok && c.ParentID == "" {
			c.ParentID = parent
			cmd = c
		}
		res, err := s.Execute(ctx, p.SessionID, ExecuteRequest{Command: cmd})
		if err != nil {
			tb.Error(err)
			return p.SessionID
		}
		if res.NodeID != "" && cmd.CommandType() == model.CmdCreateNode {
			parent = res.NodeID
		}
	}
	return p.SessionID
}

// countLive asks the registry how many of sids are in memory.
func countLive(tb testing.TB, s *Client, sids []string) int {
	tb.Helper()
	n := 0
	for _, sid := range sids {
		live, err := s.live(context.Background(), sid)
		require.NoError(tb, err)
		if live {
			n++
		}
	}
	return n
}

func heapAfterGC() runtime.MemStats {
	runtime.GC()
	runtime.GC() // the first may leave finalizer-held objects for the second
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

func perSession(total, base uint64) float64 {
	if total < base {
		return 0
	}
	return float64(total-base) / memSessions
}

// importedSessions is how many sessions BenchmarkImportedSessionsMemory
// opens: enough that per-session costs dwarf the fixed ones.
const importedSessions = 2000

// BenchmarkImportedSessionsMemory measures the heap one idle in-memory
// session holds when it opened an imported 100-node project (the
// idle-sessions scenario of make load, in process): HeapAlloc after a full
// GC, minus the heap before any session existed, per session. With
// TALUS_HEAP_PROFILE=path it also writes a heap profile while they are
// held, for `go tool pprof -sample_index=inuse_space`.
//
//	go test -run '^$' -bench ImportedSessionsMemory -benchtime 1x ./actors/
func BenchmarkImportedSessionsMemory(b *testing.B) {
	if os.Getenv("TALUS_HEAP_PROFILE") != "" {
		defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
		runtime.MemProfileRate = 4096 // fine enough to tell apart the few hundred bytes of a node
	}
	st := openStore(b, b.TempDir(), store.Options{NoSync: true})
	s := start(b, Config{Store: st})
	base := heapAfterGC()
	sids := make([]string, importedSessions)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < importedSessions; i = int(next.Add(1)) - 1 {
				p, err := s.ImportProject(context.Background(), hundredNodeFile(b, i), "")
				if err != nil {
					b.Error(err)
					return
				}
				sids[i] = p.SessionID
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	held := heapAfterGC()
	if path := os.Getenv("TALUS_HEAP_PROFILE"); path != "" {
		f, err := os.Create(path)
		require.NoError(b, err)
		require.NoError(b, pprof.WriteHeapProfile(f))
		require.NoError(b, f.Close())
	}
	require.Equal(b, importedSessions, countLive(b, s, sids), "every session still in memory")
	b.ReportMetric(float64(held.HeapAlloc-min(held.HeapAlloc, base.HeapAlloc))/importedSessions/1024, "KB/session")
}

// hundredNodeFile is a restomod project file of 100 nodes shaped as
// talus-load's -project-nodes makes them: a root, phases of four jobs of
// five tasks, a few properties each.
func hundredNodeFile(tb testing.TB, i int) []byte {
	tb.Helper()
	type node struct {
		ID         string         `json:"id"`
		Type       string         `json:"type"`
		Name       string         `json:"name"`
		Properties map[string]any `json:"properties"`
		Children   []string       `json:"children"`
		ParentID   *string        `json:"parent_id"`
	}
	nodes := map[string]*node{}
	add := func(typ, name string, parent *node, props map[string]any) *node {
		nd := &node{ID: uuid.NewString(), Type: typ, Name: name, Properties: props, Children: []string{}}
		if parent != nil {
			nd.ParentID = &parent.ID
			parent.Children = append(parent.Children, nd.ID)
		}
		nodes[nd.ID] = nd
		return nd
	}
	root := add("project_root", fmt.Sprint("idle ", i), nil, map[string]any{"vehicle": "1969 Camaro", "vin": fmt.Sprint("VIN-", i)})
	for p := 0; len(nodes) < 100; p++ {
		phase := add("phase", fmt.Sprint("Phase ", p), root, map[string]any{"start_date": "2025-03-01"})
		for j := 0; j < 4 && len(nodes) < 100; j++ {
			job := add("job", fmt.Sprint("Job ", j), phase, map[string]any{"description": fmt.Sprintf("job %d of phase %d", j, p)})
			for t := 0; t < 5 && len(nodes) < 100; t++ {
				add("task", fmt.Sprint("Task ", t), job, map[string]any{"notes": fmt.Sprint("about task ", t), "estimated_hours": float64(t + 1)})
			}
		}
	}
	b, err := json.Marshal(map[string]any{"version": "1.0", "templates": []string{"restomod.yaml"}, "template_id": "restomod", "name": root.Name, "nodes": nodes})
	require.NoError(tb, err)
	return b
}

package actors

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

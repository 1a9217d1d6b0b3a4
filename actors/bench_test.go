package actors

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
)

// reportRate adds commands per second to a benchmark's output.
func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
}

// processCPU is the CPU time the process used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the process's CPU time per operation since since (a
// processCPU reading taken as the timer started): on a shared machine a
// steadier figure than the wall time per operation.
func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(processCPU()-since)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
}

// BenchmarkExecuteOneSession has every goroutine send RenameNode to one
// session: the actor takes them one at a time.
func BenchmarkExecuteOneSession(b *testing.B) {
	s := start(b, Config{})
	ctx := context.Background()
	sid, root := project(b, s)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			name := fmt.Sprint("name ", n.Add(1))
			if _, err := s.Execute(ctx, sid, ExecuteRequest{Command: model.RenameNode{NodeID: root, Name: name}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b)
}

// BenchmarkExecute64Sessions spreads the same load over 64 sessions, which
// run in parallel.
func BenchmarkExecute64Sessions(b *testing.B) {
	const sessions = 64
	s := start(b, Config{})
	ctx := context.Background()
	type target struct{ sid, root string }
	targets := make([]target, sessions)
	for i := range targets {
		targets[i].sid, targets[i].root = project(b, s)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			t := targets[i%sessions]
			if _, err := s.Execute(ctx, t.sid, ExecuteRequest{Command: model.RenameNode{NodeID: t.root, Name: fmt.Sprint("name ", i)}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b)
}

// BenchmarkCommandCost shows whether a command's cost grows with the graph:
// UpdateProperty on one node of a small and of a large graph.
func BenchmarkCommandCost(b *testing.B) {
	for _, size := range []int{10, 100000} {
		b.Run(fmt.Sprint("nodes=", size), func(b *testing.B) {
			s := start(b, Config{RequestTimeout: time.Minute}) // building the graph takes a while under -race
			ctx := context.Background()
			sid, root := project(b, s)
			target := grow(b, s, sid, root, size)
			in, err := s.Info(ctx, sid)
			require.NoError(b, err)
			require.GreaterOrEqual(b, in.NodeCount, size)

			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				_, err := s.Execute(ctx, sid, ExecuteRequest{
					Command: model.UpdateProperty{NodeID: target, PropertyID: "description", Value: fmt.Sprint("step ", i)},
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b)
		})
	}
}

// grow fills a project to about size nodes (phases holding jobs, in
// batches) and returns the id of a job in the middle.
func grow(tb testing.TB, s *Client, sid, root string, size int) string {
	tb.Helper()
	ctx := context.Background()
	const jobsPerPhase = 999
	phases := max(1, (size-1+jobsPerPhase)/(jobsPerPhase+1))
	var middle string
	left := size - 1 - phases
	for p := range phases {
		phase := createPhase(tb, s, sid, root, fmt.Sprint("phase ", p))
		jobs := min(jobsPerPhase, left)
		left -= jobs
		if jobs <= 0 {
			middle = phase.NodeID
			continue
		}
		batch := model.Batch{Commands: make([]model.Command, jobs)}
		for j := range batch.Commands {
			batch.Commands[j] = model.CreateNode{ParentID: phase.NodeID, Type: "job", Name: fmt.Sprint("job ", p, ".", j)}
		}
		res, err := s.Execute(ctx, sid, ExecuteRequest{Command: batch})
		require.NoError(tb, err)
		if p == phases/2 {
			ids := res.Result.([]any)
			middle = ids[len(ids)/2].(string)
		}
	}
	if middle == "" { // a graph too small for jobs: use a phase
		middle = createPhase(tb, s, sid, root, "last").NodeID
	}
	return middle
}

// BenchmarkExecuteWithGraph is seq-graph in process: one session of about
// 50 nodes, one command at a time, each answered with the graph and
// encoded as the REST reply is.
func BenchmarkExecuteWithGraph(b *testing.B) {
	s := start(b, Config{})
	ctx := context.Background()
	sid, root := project(b, s)
	target := grow(b, s, sid, root, 50)
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, processCPU())
	for i := range b.N {
		res, err := s.Execute(ctx, sid, ExecuteRequest{
			Command:      model.UpdateProperty{NodeID: target, PropertyID: "description", Value: fmt.Sprint("step ", i)},
			IncludeGraph: true,
		})
		if err != nil {
			b.Fatal(err)
		}
		if buf, err = jsonx.Append(buf[:0], res.Reply(true)); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

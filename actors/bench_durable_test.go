package actors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// BenchmarkDurableExecute runs RenameNode over 1, 8 and 64 sessions, with
// every command journaled and fsynced before its reply (sync) and with
// journaling off (disabled). Two askers per session keep the store's group
// commit fed: sessions share fsyncs, so commands/s should grow with
// sessions in sync mode.
func BenchmarkDurableExecute(b *testing.B) {
	for _, sessions := range []int{1, 8, 64} {
		for _, mode := range []string{"sync", "disabled"} {
			b.Run(fmt.Sprintf("sessions=%d/%s", sessions, mode), func(b *testing.B) {
				st := openStore(b, b.TempDir(), store.Options{Disabled: mode == "disabled"})
				s := start(b, Config{Store: st})
				ctx := context.Background()
				type target struct{ sid, root string }
				targets := make([]target, sessions)
				for i := range targets {
					targets[i].sid, targets[i].root = project(b, s)
				}
				var n atomic.Int64
				b.SetParallelism(max(1, (2*sessions+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						t := targets[i%int64(sessions)]
						cmd := model.RenameNode{NodeID: t.root, Name: fmt.Sprint("name ", i)}
						if _, err := s.Execute(ctx, t.sid, ExecuteRequest{Command: cmd}); err != nil {
							b.Error(err)
							return
						}
					}
				})
				reportRate(b)
			})
		}
	}
}

// BenchmarkJournaledUpdate is update-64 in process: 64 sessions, each
// command an UpdateProperty with its own command id, journaled (without
// fsync: the data directory on tmpfs). It reports the CPU and the journal
// bytes each command costs.
func BenchmarkJournaledUpdate(b *testing.B) {
	const sessions = 64
	dir := b.TempDir()
	// One segment: none is sealed and compacted away while it is measured.
	st := openStore(b, dir, store.Options{NoSync: true, SegmentSize: 1 << 40})
	s := start(b, Config{Store: st, RequestTimeout: time.Minute})
	ctx := context.Background()
	type target struct{ sid, root string }
	targets := make([]target, sessions)
	for i := range targets {
		targets[i].sid, targets[i].root = project(b, s)
	}
	journal := func() int64 {
		var n int64
		entries, err := os.ReadDir(filepath.Join(dir, "journal"))
		require.NoError(b, err)
		for _, e := range entries {
			fi, err := e.Info()
			require.NoError(b, err)
			n += fi.Size()
		}
		return n
	}
	before := journal()
	var n atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			t := targets[i%sessions]
			cmd := model.UpdateProperty{NodeID: t.root, PropertyID: "vin", Value: fmt.Sprint("VIN-", i)}
			if _, err := s.Execute(ctx, t.sid, ExecuteRequest{CommandID: fmt.Sprint("c-", i), Command: cmd}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu)
	b.StopTimer()
	b.ReportMetric(float64(journal()-before)/float64(b.N), "journal-B/op")
}

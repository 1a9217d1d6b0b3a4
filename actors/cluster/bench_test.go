package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/talus-tally/server/actors/store"
)

// benchSessions numbers the sessions the benchmarks make.
var benchSessions int

// BenchmarkAppend is the spike behind docs/scale-out.md: journal appends
// of about one command with its events, each waiting for its
// acknowledgement (a majority of the replicas), by 1, 8 and 64 sessions at
// once (200-byte records), on one server (R1) and on three (R3) on this machine. Compare with
// actors/store's BenchmarkAppend, the single server's journal.
func BenchmarkAppend(b *testing.B) {
	for _, servers := range []int{1, 3} {
		nodes := startCluster(b, servers)
		for _, appenders := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("R%d/appenders=%d", servers, appenders), func(b *testing.B) {
				ctx := context.Background()
				data := make([]byte, 200)
				sids := make([]string, appenders)
				for g := range sids {
					benchSessions++
					sids[g] = fmt.Sprintf("8b0b2a4e-5f8a-4d8e-9c3a-%012d", benchSessions)
					if err := nodes[0].Claim(ctx, sids[g]); err != nil {
						b.Fatal(err)
					}
				}
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for g := range appenders {
					n := b.N / appenders
					if g < b.N%appenders {
						n++
					}
					wg.Go(func() {
						for seq := 1; seq <= n; seq++ {
							if err := nodes[0].Append(ctx, store.Record{SessionID: sids[g], Seq: uint64(seq), Data: data}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "appends/s")
			})
		}
	}
}

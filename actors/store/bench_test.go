package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkAppend measures journal throughput with 1, 8 and 64 sessions
// appending at once, each waiting for its record to be durable as a session
// actor does. Compare records/s across appender counts to see group commit
// at work, and sync vs nosync to see what the fsyncs cost.
func BenchmarkAppend(b *testing.B) {
	data := make([]byte, 200) // about one command with its events
	for _, mode := range []struct {
		name   string
		noSync bool
	}{{"sync", false}, {"nosync", true}} {
		for _, appenders := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("%s/appenders=%d", mode.name, appenders), func(b *testing.B) {
				s := openStore(b, b.TempDir(), Options{NoSync: mode.noSync})
				ctx := context.Background()
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for g := range appenders {
					n := b.N / appenders
					if g < b.N%appenders {
						n++
					}
					wg.Go(func() {
						id := fmt.Sprintf("session-%d", g)
						for seq := 1; seq <= n; seq++ {
							if err := s.Append(ctx, Record{SessionID: id, Seq: uint64(seq), Data: data}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				st := s.Stats()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
				if st.Batches > 0 {
					b.ReportMetric(float64(st.Appends)/float64(st.Batches), "records/batch")
				}
			})
		}
	}
}

package cluster

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talus-tally/server/actors/store"
)

// benchSessions numbers the sessions the benchmarks make.
var benchSessions int

// BenchmarkAppend is the spike behind docs/scale-out.md: journal appends of
// 200 bytes (about one command with its events), each waiting for its
// acknowledgement, by 1, 8 and 64 sessions at once. "local" is the single
// server's journal (actors/store, fsync before the answer, fsyncs shared
// by concurrent sessions); R1 is JetStream on one server, R3 on three
// servers of this machine, answered once two of them hold the record. The
// three NATS servers run in this process, so cpu-µs/append is the whole
// cluster's CPU per append.
func BenchmarkAppend(b *testing.B) {
	data := make([]byte, 200)
	b.Run("local", func(b *testing.B) {
		st, err := store.Open(b.TempDir(), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		for _, appenders := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
				benchAppends(b, appenders, func(string) error { return nil }, func(sid string, seq uint64) error {
					return st.Append(context.Background(), store.Record{SessionID: sid, Seq: seq, Data: data})
				})
			})
		}
	})
	for _, servers := range []int{1, 3} {
		b.Run(fmt.Sprintf("R%d", servers), func(b *testing.B) {
			nodes := startCluster(b, servers)
			for _, appenders := range []int{1, 8, 64} {
				b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
					ctx := context.Background()
					benchAppends(b, appenders, func(sid string) error { return nodes[0].Claim(ctx, sid) }, func(sid string, seq uint64) error {
						return nodes[0].Append(ctx, store.Record{SessionID: sid, Seq: seq, Data: data})
					})
				})
			}
		})
	}
}

// benchAppends runs b.N appends spread over appenders sessions, each
// session one after the other, and reports appends/s and CPU per append.
func benchAppends(b *testing.B, appenders int, claim func(sid string) error, appendOne func(sid string, seq uint64) error) {
	sids := make([]string, appenders)
	for g := range sids {
		benchSessions++
		sids[g] = fmt.Sprintf("8b0b2a4e-5f8a-4d8e-9c3a-%012d", benchSessions)
		if err := claim(sids[g]); err != nil {
			b.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	cpu := processCPU(b)
	b.ResetTimer()
	start := time.Now()
	for g := range appenders {
		n := b.N / appenders
		if g < b.N%appenders {
			n++
		}
		wg.Go(func() {
			for seq := 1; seq <= n; seq++ {
				if err := appendOne(sids[g], uint64(seq)); err != nil {
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
	b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/append")
}

// processCPU is this process's user and system CPU time so far
// (/proc/self/stat, in clock ticks of 10 ms).
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		tb.Skip("no /proc/self/stat")
	}
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// BenchmarkExecuteREST is update-64 without the network: POST
// /commands/execute through the whole handler chain (guard, middleware,
// decode, the session, the journal on a data directory without fsync, the
// reply), 64 sessions, UpdateProperty with its own command id,
// include_graph false. The logger discards below warn, as make load runs
// the server. It reports the CPU and allocations each request costs.
func BenchmarkExecuteREST(b *testing.B) {
	cat, errs := model.LoadCatalog("")
	require.Empty(b, errs)
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(b.TempDir(), store.Options{NoSync: true, Logger: log})
	require.NoError(b, err)
	sessions, err := actors.Start(actors.Config{Catalog: cat, Store: st, Logger: log, RequestTimeout: time.Minute})
	require.NoError(b, err)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sessions.Stop(ctx)
		_ = st.Close()
	})
	srv := New(Config{}, sessions, cat, log)
	h := srv.Guard(srv)

	const n = 64
	type target struct{ sid, root string }
	targets := make([]target, n)
	for i := range targets {
		p, err := sessions.CreateProject(context.Background(), "", "restomod", "Car")
		require.NoError(b, err)
		roots, err := p.Roots.Nodes()
		require.NoError(b, err)
		targets[i] = target{p.SessionID, roots[0].ID}
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	cpu := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			t := targets[i%n]
			body, _ := json.Marshal(map[string]any{
				"session_id": t.sid, "command_type": "UpdateProperty", "command_id": fmt.Sprint("c-", i), "include_graph": false,
				"data": map[string]any{"node_id": t.root, "property_id": "vin", "value": fmt.Sprint("VIN-", i)},
			})
			r := httptest.NewRequest(nethttp.MethodPost, "http://127.0.0.1:5000/api/v1/commands/execute", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != nethttp.StatusOK {
				b.Errorf("%d %s", w.Code, w.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(processCPU()-cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
}

// processCPU is the CPU time the process used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

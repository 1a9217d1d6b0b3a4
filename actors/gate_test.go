package actors

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestsRacingClose: requests sent while a session closes are all
// answered, with success or INVALID_SESSION, never left to time out (the
// gate answers what the stopped actor's mailbox still held).
func TestRequestsRacingClose(t *testing.T) {
	for _, durable := range []bool{false, true} {
		name := "memory"
		if durable {
			name = "store"
		}
		t.Run(name, func(t *testing.T) {
			cfg := Config{RequestTimeout: waitLimit}
			var s *Sessions
			if durable {
				s, _ = startDurable(t, t.TempDir(), cfg)
			} else {
				s = start(t, cfg)
			}
			ctx := context.Background()
			for range 5 {
				sid, _ := project(t, s)
				var wg sync.WaitGroup
				for range 32 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						start := time.Now()
						_, err := s.Info(ctx, sid)
						if err != nil {
							assert.ErrorIs(t, err, ErrSessionNotFound, "after %v", time.Since(start))
						}
					}()
				}
				require.NoError(t, s.Close(ctx, sid))
				wg.Wait()
			}
		})
	}
}

package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// tryTimeout bounds one request to JetStream. While a stream has no leader
// (one died, and the others take 4 to 9 seconds to elect the next) its
// requests go unanswered: short tries, repeated, get through within a
// moment of the election rather than a whole request timeout later.
const tryTimeout = time.Second

// retry runs op, each try bounded by tryTimeout, until it succeeds, fails
// for good, or ctx ends.
func retry[T any](ctx context.Context, op func(context.Context) (T, error)) (T, error) {
	for try := 0; ; try++ {
		tctx, cancel := context.WithTimeout(ctx, tryTimeout)
		v, err := op(tctx)
		cancel()
		if err == nil || !transient(err) || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(backoff(try)):
		}
	}
}

// backoff is the pause before try+1: short at first, a second at most.
func backoff(try int) time.Duration {
	return min(25*time.Millisecond<<min(try, 6), time.Second)
}

// transient reports an error that the same request may not meet again
// shortly: no answer (no leader yet), or JetStream saying it cannot answer
// now (503).
func transient(err error) bool {
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout), errors.Is(err, nats.ErrNoResponders):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Code == 503
	}
	return false
}

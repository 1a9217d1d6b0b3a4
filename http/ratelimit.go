package http

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Idle client buckets are forgotten after limiterIdle, checked at most every
// limiterSweep, so the table stays bounded by the clients of the last minutes.
const (
	limiterIdle  = 3 * time.Minute
	limiterSweep = time.Minute
)

// ipLimiter holds one token bucket per client IP.
type ipLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	clients   map[string]*client
	lastSweep time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perSecond float64, burst int) *ipLimiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &ipLimiter{limit: rate.Limit(perSecond), burst: burst, clients: make(map[string]*client)}
}

// allow reports whether ip may make one more request at now.
func (l *ipLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= limiterSweep {
		for k, c := range l.clients {
			if now.Sub(c.seen) > limiterIdle {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	c, ok := l.clients[ip]
	if !ok {
		c = &client{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

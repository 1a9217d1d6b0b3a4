package guard

import (
	"math"
	"net"
	"net/http"
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

// IPLimiter holds one token bucket per client IP. It is safe for
// concurrent use.
type IPLimiter struct {
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

// NewIPLimiter allows perSecond requests per client IP, with bursts of
// burst (0: perSecond rounded up, at least 1).
func NewIPLimiter(perSecond float64, burst int) *IPLimiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &IPLimiter{limit: rate.Limit(perSecond), burst: burst, clients: make(map[string]*client)}
}

// Allow reports whether the client of r may make one more request now.
func (l *IPLimiter) Allow(r *http.Request) bool { return l.allow(ClientIP(r), time.Now()) }

// allow reports whether ip may make one more request at now.
func (l *IPLimiter) allow(ip string, now time.Time) bool {
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

// ClientIP is the peer address of the connection. Forwarding headers are not
// trusted: any client could set them to dodge its limit.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

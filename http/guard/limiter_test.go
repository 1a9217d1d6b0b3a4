package guard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestIPLimiter(t *testing.T) {
	l := NewIPLimiter(1, 2)
	t0 := time.Unix(1_000_000, 0)

	assert.True(t, l.allow("10.0.0.1", t0))
	assert.True(t, l.allow("10.0.0.1", t0))
	assert.False(t, l.allow("10.0.0.1", t0), "burst used up")
	assert.True(t, l.allow("10.0.0.2", t0), "each client has its own bucket")
	assert.True(t, l.allow("10.0.0.1", t0.Add(time.Second)), "one token back after a second")

	// Idle clients are forgotten, so the table stays bounded.
	assert.True(t, l.allow("10.0.0.3", t0.Add(10*time.Minute)))
	assert.Len(t, l.clients, 1)
}

func TestIPLimiterDefaultBurst(t *testing.T) {
	assert.Equal(t, 3, NewIPLimiter(2.5, 0).burst)
	assert.Equal(t, 1, NewIPLimiter(0.01, 0).burst)
}

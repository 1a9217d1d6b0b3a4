package ws_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/talus-tally/server/actors"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/ws"
	"github.com/talus-tally/server/ws/engineio"
)

// blocking is a command that holds its session until released: a busy
// session, as long as the test wants.
type blocking struct {
	started chan<- struct{}
	release <-chan struct{}
}

func (blocking) CommandType() string { return "Blocking" }

func (b blocking) Apply(*model.Tx) (any, error) {
	close(b.started)
	<-b.release
	return nil, nil
}

// TestGoneClientFreesWait: a socket client that goes while its request
// waits on a busy session stops waiting as soon as the server sees the
// connection end (its requests use the connection's context), and the
// request it gave up on never happens. The WebSocket's reader is the
// goroutine that waits, so a client that vanishes mid-request is seen gone
// by the heartbeat (short here), not by a read; the request timeout (a
// minute here) is not what ends the wait.
func TestGoneClientFreesWait(t *testing.T) {
	outcomes := make(chan string, 16)
	f := startWith(t, ws.Config{
		RequestTimeout: time.Minute,
		Engine:         engineio.Config{PingInterval: 50 * time.Millisecond, PingTimeout: 50 * time.Millisecond},
	}, actors.Config{
		RequestTimeout: time.Minute,
		OnCommand: func(commandType, code string, _ time.Duration) {
			if commandType == "CreateNode" {
				outcomes <- code
			}
		},
	})
	sid, root := f.project(t)
	started, release := make(chan struct{}), make(chan struct{})
	blocked := make(chan error, 1)
	go func() {
		_, err := f.sessions.Execute(context.Background(), sid, actors.ExecuteRequest{Command: blocking{started, release}})
		blocked <- err
	}()
	<-started
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})

	c := dial(t, f, nil)
	require.NoError(t, c.Emit("execute_command", map[string]any{
		"session_id": sid, "command_type": "CreateNode",
		"data": map[string]any{"parent_id": root, "blueprint_type_id": "phase", "name": "never"},
	}))
	require.NoError(t, c.Close())
	select {
	case code := <-outcomes:
		assert.Equal(t, "UNAVAILABLE", code, "the wait ended with the connection")
	case <-time.After(10 * time.Second):
		t.Fatal("the request still waits although its client is gone")
	}

	released = true
	close(release)
	require.NoError(t, <-blocked)
	tr, err := f.sessions.Tree(ctx(t), sid)
	require.NoError(t, err)
	roots, err := tr.Roots.Nodes()
	require.NoError(t, err)
	assert.Empty(t, roots[0].Children, "the request its client gave up on never happened")
}

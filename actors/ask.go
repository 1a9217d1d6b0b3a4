package actors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/talus-tally/server/model"
)

// repliesName is the process id every reply to a Client's request goes to.
const repliesName = "replies"

// replies is the one process that receives the answers to a Client's
// requests. Each request names its own reply address, a PID with Id
// "replies" and a fresh RequestId; protoactor finds the process by Id, and
// the RequestId says which waiting caller the answer is for. So a request
// costs a map entry and a channel, not a registered future with a timer of
// its own, and a caller can stop waiting when its context ends.
type replies struct {
	address string

	mu      sync.Mutex
	next    uint32
	waiting map[uint32]chan any
}

var _ actor.Process = (*replies)(nil)

func newReplies(system *actor.ActorSystem) (*replies, error) {
	r := &replies{address: system.Address(), waiting: make(map[uint32]chan any)}
	if _, ok := system.ProcessRegistry.Add(r, repliesName); !ok {
		return nil, fmt.Errorf("actors: process id %q taken", repliesName)
	}
	return r, nil
}

// expect makes a reply address and the channel its answer arrives on.
func (r *replies) expect() (*actor.PID, chan any) {
	ch := make(chan any, 1) // the answer never waits for its caller
	r.mu.Lock()
	for {
		r.next++
		if _, taken := r.waiting[r.next]; !taken && r.next != 0 {
			break
		}
	}
	id := r.next
	r.waiting[id] = ch
	r.mu.Unlock()
	return &actor.PID{Address: r.address, Id: repliesName, RequestId: id}, ch
}

// forget drops a caller that stopped waiting; a late answer is discarded.
func (r *replies) forget(pid *actor.PID) {
	r.mu.Lock()
	delete(r.waiting, pid.RequestId)
	r.mu.Unlock()
}

// SendUserMessage hands an answer to its caller.
func (r *replies) SendUserMessage(pid *actor.PID, msg any) {
	if env, ok := msg.(*actor.MessageEnvelope); ok {
		msg = env.Message
	}
	r.mu.Lock()
	ch := r.waiting[pid.RequestId]
	delete(r.waiting, pid.RequestId)
	r.mu.Unlock()
	if ch != nil {
		ch <- msg
	}
}

// SendSystemMessage: nobody watches the reply process.
func (*replies) SendSystemMessage(*actor.PID, any) {}

// Stop: the reply process lives as long as the actor system.
func (*replies) Stop(*actor.PID) {}

// errGone is what ask returns when the target actor does not exist; each
// caller says what that means (no such session, or stopping).
var errGone = fmt.Errorf("%w: no such actor", ErrUnavailable)

// ask sends msg to pid and waits for the answer until ctx ends or the
// request timeout passes. "No answer" is ErrUnavailable, and it means the
// request did not happen: the asker abandons it (claim.go) as it stops
// waiting, so the actor never does it later. When the actor had already
// started it, the answer is the outcome and the asker waits for it, past
// its deadline, for at most one more request timeout; a caller that left
// (ctx cancelled) does not wait, nobody would read it. The domain error
// comes inside the reply.
func ask[T any](ctx context.Context, c *Client, pid *actor.PID, msg request) (T, error) {
	var zero T
	if c.stopping.Load() {
		return zero, fmt.Errorf("%w: stopping", ErrUnavailable)
	}
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	deadline := c.deadline(ctx)
	to, answer := c.replies.expect()
	msg.address(to, deadline)
	// The envelope's sender is only for protoactor's dead letters: an
	// actor that does not exist answers it with a DeadLetterResponse.
	c.system.Root.RequestWithCustomSender(pid, msg, to)

	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var why error
	select {
	case res := <-answer:
		return decode[T](res, msg)
	case <-ctx.Done():
		why = ctx.Err()
	case <-timer.C:
		why = errors.New("no answer in time")
	case <-c.stopped:
		why = errors.New("stopping")
	}
	if msg.abandon() || errors.Is(why, context.Canceled) {
		c.replies.forget(to)
		return zero, fmt.Errorf("%w: %w", ErrUnavailable, why)
	}
	timer.Reset(c.cfg.RequestTimeout)
	select {
	case res := <-answer:
		return decode[T](res, msg)
	case <-timer.C:
		c.replies.forget(to)
		c.cfg.Logger.Warn("a request the session started did not finish in time; its outcome is unknown", "request", fmt.Sprintf("%T", msg))
		return zero, fmt.Errorf("%w: started, but not finished in time: its outcome is unknown", ErrUnavailable)
	}
}

// decode reads an answer to msg.
func decode[T any](res any, msg request) (T, error) {
	var zero T
	if _, ok := res.(*actor.DeadLetterResponse); ok {
		return zero, errGone
	}
	r, ok := res.(*reply[T])
	if !ok {
		return zero, fmt.Errorf("%w: reply %T to %T", model.ErrInternal, res, msg)
	}
	return r.Value, r.Err
}

// deadline is when a request stops waiting: after the configured timeout,
// or sooner when ctx's deadline is.
func (c *Client) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(c.cfg.RequestTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(d) {
		return dl
	}
	return d
}

// askRegistry asks the registry itself.
func askRegistry[T any](ctx context.Context, c *Client, msg request) (T, error) {
	v, err := ask[T](ctx, c, c.registry, msg)
	if err == errGone {
		return v, fmt.Errorf("%w: stopping", ErrUnavailable) // the registry is gone only once stopped
	}
	return v, err
}

// askSession asks session sid; the registry routes the request, bringing
// the session back from the store when it is not in memory.
func askSession[T any](ctx context.Context, c *Client, sid string, msg request) (T, error) {
	var zero T
	if err := checkSessionID(sid); err != nil {
		return zero, err
	}
	return ask[T](ctx, c, c.registry, &toSession{SessionID: sid, Msg: msg})
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/talus-tally/server/ws/sioclient"
)

// session is one session the run drives, and what the tool knows of its
// graph.
type session struct {
	id, root string
	url      string // the server it was opened on: its commands and watchers go there
	watchers []*watcher
	final    uint64 // its seq once the commands are done

	mu   sync.Mutex // the crud mix runs one command of a session at a time
	step int
	live []liveNode // nodes the crud mix created, oldest first
	sock atomic.Uint64
}

type liveNode struct{ id, typ, parent string }

// command is one command to send and what to learn from its success.
type command struct {
	Type string
	Data map[string]any
	done func(reply execReply) // under s.mu; nil when nothing to learn
}

// next builds the session's next command of the mix. "update" sets a text
// property of the root and needs no state, so a session may have several
// in flight. "crud" cycles create, update, rename and, once the session
// holds maxNodes nodes, delete (oldest first), on phases under the root
// and jobs under phases: graphs grow to maxNodes and stay there.
func (s *session) next(mix string, n, maxNodes int) command {
	if mix == "update" {
		return command{Type: "UpdateProperty", Data: map[string]any{
			"node_id": s.root, "property_id": "vin", "value": "VIN-" + strconv.Itoa(n),
		}}
	}
	step := s.step
	s.step++
	op := step % 4
	switch {
	case len(s.live) == 0, op == 0, op == 3 && len(s.live) < maxNodes:
		return s.create(step)
	case op == 1:
		t := s.live[(step/4)%len(s.live)]
		prop, value := "description", "note "+strconv.Itoa(step)
		if t.typ == "phase" {
			prop, value = "start_date", fmt.Sprintf("2025-%02d-%02d", 1+step%12, 1+step%28)
		}
		return command{Type: "UpdateProperty", Data: map[string]any{"node_id": t.id, "property_id": prop, "value": value}}
	case op == 2:
		t := s.live[(step/4+1)%len(s.live)]
		return command{Type: "RenameNode", Data: map[string]any{"node_id": t.id, "name": "renamed " + strconv.Itoa(step)}}
	default:
		victim := s.live[0].id
		return command{Type: "DeleteNode", Data: map[string]any{"node_id": victim}, done: func(execReply) {
			s.forget(victim)
		}}
	}
}

// create makes a phase under the root, or every other time a job under
// the newest phase.
func (s *session) create(step int) command {
	parent, typ := s.root, "phase"
	for i := len(s.live) - 1; i >= 0 && step%2 == 1; i-- {
		if s.live[i].typ == "phase" {
			parent, typ = s.live[i].id, "job"
			break
		}
	}
	return command{
		Type: "CreateNode",
		Data: map[string]any{"parent_id": parent, "blueprint_type_id": typ, "name": typ + " " + strconv.Itoa(step)},
		done: func(r execReply) {
			if r.NodeID != "" {
				s.live = append(s.live, liveNode{id: r.NodeID, typ: typ, parent: parent})
			}
		},
	}
}

// forget drops a deleted node and its subtree (jobs under a phase).
func (s *session) forget(id string) {
	kept := s.live[:0]
	for _, n := range s.live {
		if n.id != id && n.parent != id {
			kept = append(kept, n)
		}
	}
	s.live = kept
}

// execReply is what the tool reads of a command's reply, REST or ack.
type execReply struct {
	Success bool   `json:"success"`
	NodeID  string `json:"node_id"`
	Seq     uint64 `json:"seq"`
	Error   *struct {
		Code string `json:"code"`
	} `json:"error"`
}

// phase is one bounded stretch of commands: the warm-up or the measured one.
type phase struct {
	tag     string // "W" or "L": the command ids' prefix
	count   int
	measure bool
}

// drive sends ph.count commands, round-robin over the sessions, with at
// most -parallel in flight, as fast as they are answered or at -rate. It
// stops starting new ones when stop is done; commands in flight finish.
func (r *runner) drive(ctx, stop context.Context, ph phase) {
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range r.cfg.parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r.one(ctx, ph, j)
			}
		}()
	}
	r.dispatch(stop, ph, jobs)
	close(jobs)
	wg.Wait()
}

type job struct {
	n   int
	due time.Time // rate mode: when it should start; latency counts from then
}

func (r *runner) dispatch(stop context.Context, ph phase, jobs chan<- job) {
	start := time.Now()
	var timer *time.Timer
	for n := range ph.count {
		j := job{n: n}
		if r.cfg.rate > 0 {
			j.due = start.Add(time.Duration(float64(n) / r.cfg.rate * float64(time.Second)))
			if wait := time.Until(j.due); wait > 0 {
				if timer == nil {
					timer = time.NewTimer(wait)
				} else {
					timer.Reset(wait)
				}
				select {
				case <-timer.C:
				case <-stop.Done():
					return
				}
			}
		}
		select {
		case jobs <- j:
		case <-stop.Done():
			return
		}
		if ph.measure && r.cfg.rate > 0 && time.Since(j.due) > lateAfter {
			r.late.Add(1)
		}
	}
}

// lateAfter is how far behind its slot a rate-mode command may start
// before it counts as late (no worker was free: the server is saturated).
const lateAfter = 10 * time.Millisecond

// one sends command j and records its outcome.
func (r *runner) one(ctx context.Context, ph phase, j job) {
	s := r.sessions[j.n%len(r.sessions)]
	crud := r.cfg.mix == "crud"
	if crud {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	cmd := s.next(r.cfg.mix, j.n, r.cfg.maxNodes)
	id := r.prefix(ph.tag) + strconv.Itoa(j.n)
	sent := time.Now()
	if !j.due.IsZero() {
		sent = j.due
	}
	if ph.measure {
		r.sentAt[j.n].Store(sent.UnixNano())
		r.issued.Add(1)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.requestTimeout)
	defer cancel()
	reply, err := r.execute(ctx, s, j.n, id, cmd)
	took := time.Since(sent)
	if err != nil {
		if ph.measure {
			r.errs.add(errKind(err), 1)
		}
		if cmd.done != nil && cmd.Type == "DeleteNode" {
			cmd.done(reply) // whatever happened, do not pick it again
		}
		return
	}
	if cmd.done != nil {
		cmd.done(reply)
	}
	if ph.measure {
		r.ok.Add(1)
		r.cmdLatency.record(took)
		storeMax(&r.lastAck, time.Now().UnixNano())
	}
}

// replyError is a command the server refused or failed.
type replyError struct {
	status int // HTTP status; 0 for a socket ack
	code   string
}

func (e *replyError) Error() string {
	if e.status == 0 {
		return "ack " + e.code
	}
	return fmt.Sprintf("http %d %s", e.status, e.code)
}

// execute sends cmd over REST or over one of the session's sockets, as
// -via says ("mixed" alternates).
func (r *runner) execute(ctx context.Context, s *session, n int, id string, cmd command) (execReply, error) {
	body := map[string]any{
		"command_type": cmd.Type, "data": cmd.Data, "include_graph": r.cfg.includeGraph, "command_id": id,
	}
	if r.cfg.via == "socket" || r.cfg.via == "mixed" && n%2 == 1 {
		w := s.watchers[s.sock.Add(1)%uint64(len(s.watchers))]
		ack, err := w.c.Call(ctx, "execute_command", body)
		if err != nil {
			return execReply{}, err
		}
		if len(ack) == 0 {
			return execReply{}, &replyError{code: "EMPTY_ACK"}
		}
		reply, err := decodeReply(ack[0])
		if err != nil {
			return reply, &replyError{code: "MALFORMED_ACK"}
		}
		if !reply.Success {
			code := "UNKNOWN"
			if reply.Error != nil {
				code = reply.Error.Code
			}
			return reply, &replyError{code: code}
		}
		return reply, nil
	}
	body["session_id"] = s.id
	var raw []byte
	base := s.url
	if r.cfg.spread == "request" {
		base = r.cfg.urls[r.next.Add(1)%uint64(len(r.cfg.urls))]
	}
	if err := r.call(ctx, base, http.MethodPost, "/api/v1/commands/execute", body, &raw); err != nil {
		return execReply{}, err
	}
	reply, err := decodeReply(raw)
	if err != nil {
		return reply, &replyError{status: http.StatusOK, code: "MALFORMED_REPLY"}
	}
	if !reply.Success {
		return reply, &replyError{status: http.StatusOK, code: "SUCCESS_FALSE"}
	}
	return reply, nil
}

// errKind names an error for the report's "errors by kind".
func errKind(err error) string {
	var re *replyError
	switch {
	case errors.As(err, &re):
		return re.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	case errors.Is(err, sioclient.ErrClosed):
		return "socket closed"
	}
	msg := err.Error()
	if len(msg) > 60 {
		msg = msg[:60]
	}
	return "other: " + msg
}

package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// Kinds of journal records. Opening a project is not one: it replaces the
// whole state, so it is made durable by a checkpoint instead.
const (
	recCommand = "command" // a command applied: Ops, the undo step and the cached result
	recUndo    = "undo"    // the top undo step moved to the redo stack
	recRedo    = "redo"    // the top redo step moved to the undo stack
	recEvents  = "events"  // events only: a failed command, presence, project:saved
)

// record is the Data of one journal record: what one handled message
// changed, enough to redo it on a restored session, and the events it
// emitted, as sent, so history survives too. The store.Record's Seq is the
// seq of the last of Events.
type record struct {
	Kind        string            `json:"kind"`
	At          time.Time         `json:"at"` // the session's last activity
	CommandID   string            `json:"command_id,omitempty"`
	CommandType string            `json:"command_type,omitempty"`
	Ops         []model.Op        `json:"ops,omitempty"`    // recCommand
	Step        string            `json:"step,omitempty"`   // recUndo, recRedo: the command id of the step moved
	Result      *Executed         `json:"result,omitempty"` // the command-id cache entry
	Events      []json.RawMessage `json:"events"`
}

// recordBufs holds the buffers records are encoded in: a record is done
// with once the store has taken it.
var recordBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledRecord keeps a huge record's buffer out of the pool.
const maxPooledRecord = 64 << 10

// persist makes the staged events, and the change rec describes, durable
// before anything is replied or published. If the journal fails, rollback
// (which undoes the caller's change to the graph) runs, the staged events
// are dropped and their seqs given back, and the error is for the asker:
// the change did not happen. Without a store it only marks them durable.
func (s *session) persist(rec *record, rollback func()) error {
	if s.cfg.Journal == nil || len(s.pending) == 0 {
		s.pendingDurable = true
		return nil
	}
	rec.At = s.lastActivity
	rec.Events = make([]json.RawMessage, len(s.pending))
	for i, ev := range s.pending {
		rec.Events[i] = ev.JSON
	}
	buf := recordBufs.Get().(*[]byte)
	data, err := rec.AppendJSON((*buf)[:0])
	if err == nil {
		// No deadline: giving up would leave it unknown whether the record
		// is on disk, and memory must not differ from the journal.
		err = s.cfg.Journal.Append(context.Background(), store.Record{SessionID: s.id, Seq: s.seq, Data: data})
	}
	// The store has copied the record into its own batch once Append has
	// answered (with no deadline, it always has).
	if *buf = data[:0]; cap(data) <= maxPooledRecord {
		recordBufs.Put(buf)
	}
	if errors.Is(err, store.ErrInvalidRecord) {
		// Too large for one record (store.Options.MaxRecordSize): retrying
		// cannot help, so it is the command's fault, not the server's state.
		s.log.Warn("change too large to journal; it is undone", "kind", rec.Kind, "bytes", len(data), "err", err)
		s.unstage(rollback)
		return &model.LimitError{Budget: BudgetChangeBytes, Limit: int64(s.cfg.Journal.MaxRecordSize()), Reason: fmt.Sprintf("the change is too large to record (%d bytes)", len(data))}
	}
	if err != nil {
		s.log.Error("journal append failed; the change is undone", "kind", rec.Kind, "seq", s.seq, "err", err)
		s.unstage(rollback)
		return fmt.Errorf("%w: journal: %w", ErrUnavailable, err)
	}
	s.pendingDurable = true
	s.sinceCheckpoint++
	s.journalSince += len(data)
	return nil
}

// persistState makes the staged events durable with a checkpoint of the
// whole state, for changes that replace it (opening a project).
func (s *session) persistState(rollback func()) error {
	if s.cfg.Journal != nil {
		if err := s.checkpoint(); err != nil {
			s.log.Error("checkpoint failed; the change is undone", "seq", s.seq, "err", err)
			s.unstage(rollback)
			return fmt.Errorf("%w: checkpoint: %w", ErrUnavailable, err)
		}
	}
	s.pendingDurable = len(s.pending) > 0 // the checkpoint holds them
	return nil
}

// unstage drops the staged events and gives their seqs back, after running
// rollback.
func (s *session) unstage(rollback func()) {
	if rollback != nil {
		rollback()
	}
	s.seq -= uint64(len(s.pending))
	s.pending = nil
	s.pendingDurable = false
}

// revert undoes ops on the graph, for a change the journal refused.
func (s *session) revert(ops []model.Op) {
	if _, err := s.graph.ApplyOps(model.Invert(ops)); err != nil {
		s.log.Error("reverting a change failed", "err", err)
	}
}

// replay applies one journal record to a session being restored, the way
// the live session applied it.
func (s *session) replay(r store.Record) error {
	var rec record
	if err := json.Unmarshal(r.Data, &rec); err != nil {
		return fmt.Errorf("record at seq %d: %w", r.Seq, err)
	}
	switch rec.Kind {
	case recCommand:
		if s.graph == nil {
			return fmt.Errorf("record at seq %d: a command without a project", r.Seq)
		}
		applied, err := s.graph.ApplyOps(rec.Ops)
		if err != nil {
			return fmt.Errorf("record at seq %d: replay %s: %w", r.Seq, rec.CommandType, err)
		}
		s.commandDone(rec.CommandID, rec.CommandType, applied.Ops)
	case recUndo, recRedo:
		if s.graph == nil {
			return fmt.Errorf("record at seq %d: %s without a project", r.Seq, rec.Kind)
		}
		isRedo := rec.Kind == recRedo
		if from, _ := s.stacks(isRedo); from.len() == 0 || from.top().commandID != rec.Step {
			return fmt.Errorf("record at seq %d: %s of %q does not match the stack", r.Seq, rec.Kind, rec.Step)
		}
		if _, _, err := s.applyStep(isRedo); err != nil {
			return fmt.Errorf("record at seq %d: %w", r.Seq, err)
		}
		s.moveStep(isRedo)
		s.dirty = true
	case recEvents:
	default:
		return fmt.Errorf("record at seq %d: unknown kind %q", r.Seq, rec.Kind)
	}
	if rec.Result != nil && rec.CommandID != "" {
		s.commandIDs.put(rec.CommandID, rec.Result)
	}
	for _, raw := range rec.Events {
		name, err := s.restoreEvent(raw)
		if err != nil {
			return fmt.Errorf("record at seq %d: %w", r.Seq, err)
		}
		if name == model.EventProjectSaved {
			s.dirty = false // saved: the one change to the dirty state a record holds only as its event
		}
	}
	if s.seq != r.Seq {
		return fmt.Errorf("record at seq %d ends at event seq %d", r.Seq, s.seq)
	}
	s.lastActivity = rec.At
	return nil
}

// envelope is the part of an event's JSON that rebuilds its Event.
type envelope struct {
	Name      string    `json:"event"`
	ProjectID *string   `json:"project_id"`
	Seq       uint64    `json:"seq"`
	Timestamp time.Time `json:"timestamp"`
	CommandID string    `json:"command_id"`
}

// restoreEvent adds a journaled event to the history; it must take the next
// seq.
func (s *session) restoreEvent(raw json.RawMessage) (string, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return "", fmt.Errorf("event: %w", err)
	}
	if env.Seq != s.seq+1 {
		return "", fmt.Errorf("event seq %d follows seq %d", env.Seq, s.seq)
	}
	ev := &Event{
		Seq:       env.Seq,
		Name:      env.Name,
		SessionID: s.id,
		CommandID: env.CommandID,
		Timestamp: env.Timestamp.UTC(),
		JSON:      raw,
	}
	if env.ProjectID != nil {
		ev.ProjectID = *env.ProjectID
	}
	s.seq = env.Seq
	s.history.push(ev)
	return env.Name, nil
}

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
	"github.com/talus-tally/server/model/wire"
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
// emitted, so history survives too. The store.Record's Seq is the seq of
// the last of Events.
//
// A record is written on every change, so it holds only what replay
// cannot work out (record_json.go has the layout): the events without the
// envelope they share (session, project, command id, consecutive seqs),
// and of the result the command-id cache keeps only the node id; the rest
// is in the record's events and in the stacks replay rebuilds.
type record struct {
	Kind        string
	At          time.Time // the session's last activity
	CommandID   string
	CommandType string
	Ops         []model.Op // recCommand
	Step        string     // recUndo, recRedo: the command id of the step moved
	NodeID      string     // recCommand: the result's node id
	ProjectID   string     // of the events ("" none)
	Events      []*Event   // as staged, numbered one after the other
}

// recordVersion is written in every record as "v". Records without one
// were written before records were compact (storedRecord reads both).
const recordVersion = 2

// storedRecord is a journal record as read back: the compact form, or the
// first one, which kept each event whole and the cached result in full.
type storedRecord struct {
	Version     int               `json:"v"`
	Kind        string            `json:"kind"`
	At          time.Time         `json:"at"`
	CommandID   string            `json:"command_id"`
	CommandType string            `json:"command_type"`
	Ops         []model.Op        `json:"ops"`
	Step        string            `json:"step"`
	NodeID      string            `json:"node_id"`
	ProjectID   string            `json:"project_id"`
	Result      *Executed         `json:"result"` // version 1 only
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
	rec.At, rec.ProjectID, rec.Events = s.lastActivity, s.projectID, s.pending
	if s.cfg.beforeJournal != nil {
		s.cfg.beforeJournal(rec)
	}
	buf := recordBufs.Get().(*[]byte)
	data, err := rec.AppendJSON((*buf)[:0], s.id)
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
	var rec storedRecord
	if err := json.Unmarshal(r.Data, &rec); err != nil {
		return fmt.Errorf("record at seq %d: %w", r.Seq, err)
	}
	if rec.Version > recordVersion {
		return fmt.Errorf("record at seq %d: version %d, newer than this server's %d", r.Seq, rec.Version, recordVersion)
	}
	var stepNode string // the node an undo or redo answered with
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
		_, applied, err := s.applyStep(isRedo)
		if err != nil {
			return fmt.Errorf("record at seq %d: %w", r.Seq, err)
		}
		s.moveStep(isRedo)
		s.dirty = true
		stepNode = applied.NodeID
	case recEvents:
	default:
		return fmt.Errorf("record at seq %d: unknown kind %q", r.Seq, rec.Kind)
	}
	var result any // the command's result, as its command:executed event says
	for _, raw := range rec.Events {
		ev, payload, err := s.storedEvent(raw, &rec)
		if err == nil {
			err = s.keepRestored(ev)
		}
		if err != nil {
			return fmt.Errorf("record at seq %d: %w", r.Seq, err)
		}
		switch ev.Name {
		case model.EventProjectSaved:
			s.dirty = false // saved: the one change to the dirty state a record holds only as its event
		case model.EventCommandExecuted:
			if payload != nil {
				var p struct {
					Result any `json:"result"`
				}
				if err := json.Unmarshal(payload, &p); err != nil {
					return fmt.Errorf("record at seq %d: command:executed: %w", r.Seq, err)
				}
				result = p.Result
			}
		}
	}
	if s.seq != r.Seq {
		return fmt.Errorf("record at seq %d ends at event seq %d", r.Seq, s.seq)
	}
	if res := s.recordedResult(&rec, r.Seq, result, stepNode); res != nil {
		s.commandIDs.put(rec.CommandID, res)
	}
	s.lastActivity = rec.At
	return nil
}

// recordedResult is the result a command, undo or redo was answered with,
// for the command-id cache: kept whole in a first-version record, else
// made again from the record, its result (the command:executed event's)
// and the history and dirty state as the record left them, which is what
// the live reply said (a command that changed nothing leaves them as they
// were, redo stack included).
func (s *session) recordedResult(rec *storedRecord, seq uint64, result any, stepNode string) *Executed {
	if rec.CommandID == "" {
		return nil
	}
	if rec.Version < 2 {
		if rec.Result != nil {
			rec.Result.IsDirty = true // the first records were written before it was set
		}
		return rec.Result
	}
	res := &Executed{CommandID: rec.CommandID, CommandType: rec.CommandType, Seq: seq,
		UndoAvailable: s.undo.len() > 0, RedoAvailable: s.redo.len() > 0, IsDirty: s.dirty}
	switch rec.Kind {
	case recCommand:
		res.Result, res.NodeID = result, rec.NodeID
	case recUndo, recRedo:
		res.NodeID = stepNode
	default:
		return nil
	}
	return res
}

// envelope is the part of an event's JSON that rebuilds its Event.
type envelope struct {
	Name      string    `json:"event"`
	ProjectID *string   `json:"project_id"`
	Seq       uint64    `json:"seq"`
	Timestamp time.Time `json:"timestamp"`
	CommandID string    `json:"command_id"`
}

// storedEvent rebuilds an event of rec: kept as [name, ms, payload (,
// command id)], it takes the next seq and the record's envelope, and
// its payload comes back too; kept whole (a first-version record, or one
// of another project), it is taken as it is, payload nil.
func (s *session) storedEvent(raw json.RawMessage, rec *storedRecord) (*Event, json.RawMessage, error) {
	if len(raw) == 0 || raw[0] != '[' {
		ev, err := s.parseEvent(raw)
		return ev, nil, err
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, nil, fmt.Errorf("event: %w", err)
	}
	if len(parts) != 3 && len(parts) != 4 {
		return nil, nil, fmt.Errorf("event of %d parts", len(parts))
	}
	var name string
	var ms int64
	commandID := rec.CommandID
	err := errors.Join(json.Unmarshal(parts[0], &name), json.Unmarshal(parts[1], &ms))
	if len(parts) == 4 {
		err = errors.Join(err, json.Unmarshal(parts[3], &commandID))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("event: %w", err)
	}
	ev := &Event{
		Seq:       s.seq + 1,
		Name:      name,
		SessionID: s.id,
		ProjectID: rec.ProjectID,
		CommandID: commandID,
		Timestamp: rec.At.UTC().Truncate(time.Millisecond).Add(time.Duration(ms) * time.Millisecond),
	}
	ev.JSON = wire.AppendEvent(nil, ev.header(), parts[2])
	return ev, parts[2], nil
}

// parseEvent rebuilds an event kept whole: its wire JSON.
func (s *session) parseEvent(raw json.RawMessage) (*Event, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("event: %w", err)
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
	return ev, nil
}

// keepRestored adds a stored event to the history; it must take the next
// seq.
func (s *session) keepRestored(ev *Event) error {
	if ev.Seq != s.seq+1 {
		return fmt.Errorf("event seq %d follows seq %d", ev.Seq, s.seq)
	}
	s.seq = ev.Seq
	s.history.push(ev)
	return nil
}

// restoreEvent adds an event kept whole (a checkpoint's history) to the
// history; it must take the next seq.
func (s *session) restoreEvent(raw json.RawMessage) (string, error) {
	ev, err := s.parseEvent(raw)
	if err != nil {
		return "", err
	}
	return ev.Name, s.keepRestored(ev)
}

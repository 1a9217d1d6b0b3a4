package actors

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/jsonx"
)

// snapshotVersion is written in every checkpoint; a newer one is refused
// rather than misread.
const snapshotVersion = 1

// A checkpoint's state is [uint32 head length][head JSON][body JSON]: the
// registry reads only the small head of every stored session at start.

// snapshotHead is what the registry needs to list a session and find its
// project without loading it.
type snapshotHead struct {
	Version      int       `json:"v"`
	CreatedAt    time.Time `json:"created_at"`
	LastActivity time.Time `json:"last_activity"`
	Seq          uint64    `json:"seq"`
	ProjectID    string    `json:"project_id,omitempty"`
	Dirty        bool      `json:"dirty,omitempty"` // changed since the last save or load
}

// snapshotBody is the rest of the session's state.
type snapshotBody struct {
	Graph      *model.ProjectFile `json:"graph,omitempty"`
	Undo       []stepJSON         `json:"undo"`
	Redo       []stepJSON         `json:"redo"`
	History    []json.RawMessage  `json:"history"`     // oldest first
	CommandIDs []cachedJSON       `json:"command_ids"` // least recently used first
}

type stepJSON struct {
	CommandID   string     `json:"command_id"`
	CommandType string     `json:"command_type"`
	Ops         []model.Op `json:"ops"`
}

type cachedJSON struct {
	ID     string    `json:"id"`
	Result *Executed `json:"result"`
}

// checkpoint stores the session's whole state at its seq, staged events
// included (they are part of seq).
func (s *session) checkpoint() error {
	if s.cfg.Journal == nil {
		return nil
	}
	state, err := s.encodeState()
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := s.cfg.Journal.Checkpoint(context.Background(), s.id, s.seq, state); err != nil {
		return err
	}
	s.sinceCheckpoint, s.checkpointedActivity = 0, s.lastActivity
	s.journalSince, s.checkpointBytes = 0, len(state)
	return nil
}

// stale reports whether the stored state lags behind: records since the
// checkpoint, or activity (reads) the journal does not record.
func (s *session) stale() bool {
	return s.sinceCheckpoint > 0 || !s.lastActivity.Equal(s.checkpointedActivity)
}

func (s *session) encodeState() ([]byte, error) {
	head, err := json.Marshal(snapshotHead{
		Version:      snapshotVersion,
		CreatedAt:    s.createdAt,
		LastActivity: s.lastActivity,
		Seq:          s.seq,
		ProjectID:    s.projectID,
		Dirty:        s.dirty,
	})
	if err != nil {
		return nil, err
	}
	out := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(head)+s.checkpointBytes), uint32(len(head)))
	out = append(out, head...)
	return s.appendBody(out)
}

// appendBody writes the session's snapshotBody, as json.Marshal would
// (TestBodyMatchesEncodingJSON), straight from the session: no copy of the
// graph, no second look at the events.
func (s *session) appendBody(b []byte) ([]byte, error) {
	b = append(b, '{')
	var err error
	if s.graph != nil {
		b = append(b, `"graph":`...)
		if b, err = s.graph.AppendFile(b, s.projectID, s.projectName, s.tmpl.ID); err != nil {
			return b, err
		}
		b = append(b, ',')
	}
	b = append(b, `"undo":`...)
	if b, err = appendSteps(b, s.undo.steps); err != nil {
		return b, err
	}
	b = append(b, `,"redo":`...)
	if b, err = appendSteps(b, s.redo.steps); err != nil {
		return b, err
	}
	b = append(b, `,"history":`...)
	history := s.history.ordered()
	if len(history)+len(s.pending) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, ev := range slices.Concat(history, s.pending) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, ev.JSON...)
		}
		b = append(b, ']')
	}
	b = append(b, `,"command_ids":`...)
	if s.commandIDs.order.Len() == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for el := s.commandIDs.order.Back(); el != nil; el = el.Prev() {
			c := el.Value.(*cachedResult)
			if el != s.commandIDs.order.Back() {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = jsonx.AppendString(b, c.id)
			b = append(b, `,"result":`...)
			if b, err = appendCached(b, c.res); err != nil {
				return b, err
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendCached writes a cached result as json.Marshal writes an Executed
// (Go's field names: checkpoints have always kept them so), for the
// thousands of them a checkpoint may hold.
func appendCached(b []byte, r *Executed) ([]byte, error) {
	if r == nil {
		return append(b, "null"...), nil
	}
	b = append(b, `{"CommandID":`...)
	b = jsonx.AppendString(b, r.CommandID)
	b = append(b, `,"CommandType":`...)
	b = jsonx.AppendString(b, r.CommandType)
	b = append(b, `,"Result":`...)
	b, err := jsonx.AppendValue(b, r.Result)
	if err != nil {
		return b, err
	}
	b = append(b, `,"NodeID":`...)
	b = jsonx.AppendString(b, r.NodeID)
	b = append(b, `,"Seq":`...)
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, `,"UndoAvailable":`...)
	b = strconv.AppendBool(b, r.UndoAvailable)
	b = append(b, `,"RedoAvailable":`...)
	b = strconv.AppendBool(b, r.RedoAvailable)
	b = append(b, `,"IsDirty":`...)
	b = strconv.AppendBool(b, r.IsDirty)
	b = append(b, `,"Roots":`...)
	b, _ = r.Roots.AppendJSON(b)
	return append(b, '}'), nil
}

// appendSteps writes an undo or redo stack as []stepJSON.
func appendSteps(b []byte, steps []step) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i, st := range steps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"command_id":`...)
		b = jsonx.AppendString(b, st.commandID)
		b = append(b, `,"command_type":`...)
		b = jsonx.AppendString(b, st.commandType)
		b = append(b, `,"ops":`...)
		if st.ops == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for j := range st.ops {
				if j > 0 {
					b = append(b, ',')
				}
				if b, err = st.ops[j].AppendJSON(b); err != nil {
					return b, err
				}
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// splitState returns a checkpoint's head and the body's bytes.
func splitState(state []byte) (snapshotHead, []byte, error) {
	var head snapshotHead
	if len(state) < 4 {
		return head, nil, fmt.Errorf("state of %d bytes", len(state))
	}
	n := binary.LittleEndian.Uint32(state)
	if uint64(n) > uint64(len(state)-4) {
		return head, nil, fmt.Errorf("state head of %d bytes past the end", n)
	}
	if err := json.Unmarshal(state[4:4+n], &head); err != nil {
		return head, nil, fmt.Errorf("state head: %w", err)
	}
	if head.Version != snapshotVersion {
		return head, nil, fmt.Errorf("state version %d, want %d", head.Version, snapshotVersion)
	}
	return head, state[4+n:], nil
}

// restore loads the session from the store: its checkpoint, then every
// record after it, replayed. store.ErrNotFound means it was deleted.
func (s *session) restore() error {
	state, _, records, err := s.cfg.Journal.LoadSession(s.id)
	if err != nil {
		return err
	}
	if state != nil {
		if err := s.restoreState(state); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	s.journalSince, s.checkpointBytes = 0, len(state)
	for _, r := range records {
		if err := s.replay(r); err != nil {
			return err
		}
		s.journalSince += len(r.Data)
	}
	s.sinceCheckpoint, s.checkpointedActivity = len(records), s.lastActivity
	return nil
}

func (s *session) restoreState(state []byte) error {
	head, rest, err := splitState(state)
	if err != nil {
		return err
	}
	var body snapshotBody
	if err := json.Unmarshal(rest, &body); err != nil {
		return fmt.Errorf("state body: %w", err)
	}
	s.createdAt, s.lastActivity, s.projectID, s.dirty = head.CreatedAt, head.LastActivity, head.ProjectID, head.Dirty
	if body.Graph != nil {
		// The server made this state: read it whatever today's limits are,
		// and hold later commands to them.
		g, t, err := model.GraphFromFile(body.Graph, s.cfg.Catalog, model.WithLimits(model.Unlimited))
		if err != nil {
			return fmt.Errorf("graph: %w", err)
		}
		g.SetLimits(s.cfg.Limits)
		s.graph, s.tmpl, s.projectName = g, t, body.Graph.Name
	}
	for _, st := range body.Undo {
		s.push(&s.undo, newStep(st.CommandID, st.CommandType, st.Ops))
	}
	for _, st := range body.Redo {
		s.push(&s.redo, newStep(st.CommandID, st.CommandType, st.Ops))
	}
	// The history ends at head.Seq; seqs before it are consumed.
	if uint64(len(body.History)) > head.Seq {
		return errors.New("history longer than seq")
	}
	s.seq = head.Seq - uint64(len(body.History))
	for _, raw := range body.History {
		if _, err := s.restoreEvent(raw); err != nil {
			return err
		}
	}
	s.seq = head.Seq
	for _, c := range body.CommandIDs {
		if c.Result != nil {
			s.commandIDs.put(c.ID, c.Result)
		}
	}
	return nil
}

// storedSummary reads what List and FindProject need about a stored session
// without building it: the checkpoint's head, and the activity time of the
// records after it.
func storedSummary(st *store.Store, id string) (SessionSummary, string, error) {
	sum := SessionSummary{SessionID: id}
	state, _, records, err := st.LoadSession(id)
	if err != nil {
		return sum, "", err
	}
	var projectID string
	if state != nil {
		head, _, err := splitState(state)
		if err != nil {
			return sum, "", err
		}
		sum.CreatedAt, sum.LastActivity, projectID = head.CreatedAt, head.LastActivity, head.ProjectID
	}
	for _, r := range records {
		var at struct {
			At time.Time `json:"at"`
		}
		if err := json.Unmarshal(r.Data, &at); err == nil && at.At.After(sum.LastActivity) {
			sum.LastActivity = at.At
		}
	}
	if sum.CreatedAt.IsZero() {
		sum.CreatedAt = sum.LastActivity
	}
	sum.HasProject = projectID != ""
	return sum, projectID, nil
}

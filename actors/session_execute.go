package actors

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/google/uuid"

	"github.com/talus-tally/server/model"
)

// MaxCommandIDLen bounds a client's command id, in characters (SPEC §2);
// the same bound the request decoders check.
const MaxCommandIDLen = model.MaxCommandIDLen

func newID() string { return uuid.NewString() }

// execute runs one command. A command id seen before is answered with its
// first result and changes nothing.
func (s *session) execute(req ExecuteRequest) (*Executed, error) {
	if isNil(req.Command) {
		return nil, &model.InvalidRequestError{Field: "command_type", Reason: "no command"}
	}
	if err := model.CheckCommandID(req.CommandID); err != nil {
		return nil, err
	}
	if res, ok := s.commandIDs.get(req.CommandID); ok {
		return s.answer(res, req.IncludeGraph), nil
	}
	if s.graph == nil {
		return nil, ErrNoProject
	}
	ctype := req.Command.CommandType()
	id := req.CommandID
	if id == "" {
		id = newID()
	}
	s.touch()

	s.emit(model.EventCommandExecuting, id, CommandExecuting{CommandType: ctype})
	applied, err := s.graph.Apply(req.Command)
	if err != nil {
		if errors.Is(err, model.ErrInternal) {
			s.log.Error("command failed on a bug", "command_id", id, "command_type", ctype, "err", err)
		}
		s.emit(model.EventCommandFailed, id, CommandFailed{CommandType: ctype, Error: NewWireError(err)})
		if jerr := s.commit(); jerr != nil {
			return nil, jerr
		}
		return nil, err
	}
	s.unjournaled = applied.Ops // from here a panic takes them back
	for _, ev := range applied.Events {
		s.emit(ev.Name, id, ev.Data)
	}
	s.emit(model.EventCommandExecuted, id, CommandExecuted{CommandType: ctype, Result: applied.Result})
	res := &Executed{
		CommandID:     id,
		CommandType:   ctype,
		Result:        applied.Result,
		NodeID:        applied.NodeID,
		Seq:           s.seq,
		UndoAvailable: true,
		RedoAvailable: false,
	}
	rec := &record{Kind: recCommand, CommandID: id, CommandType: ctype, Ops: applied.Ops, Result: res}
	if err := s.persistApplied(rec, applied.Ops); err != nil {
		return nil, err
	}
	s.push(&s.undo, step{commandID: id, commandType: ctype, ops: applied.Ops})
	s.redo = nil
	s.commandIDs.put(id, res)
	_ = s.commit() // durable already: only a watcher's departure can fail, and that is logged
	return s.answer(res, req.IncludeGraph), nil
}

// undoRedo reverses the newest undo step, or applies again the newest redo
// step, and moves it to the other stack. Its events carry commandID, the id
// of the undo or redo request itself, so a retried undo is not applied twice.
func (s *session) undoRedo(commandID string, isRedo bool) (*Executed, error) {
	if err := model.CheckCommandID(commandID); err != nil {
		return nil, err
	}
	if res, ok := s.commandIDs.get(commandID); ok {
		return s.answer(res, true), nil
	}
	if s.graph == nil {
		return nil, ErrNoProject
	}
	from, to, name := &s.undo, &s.redo, model.EventCommandUndo
	if isRedo {
		from, to, name = &s.redo, &s.undo, model.EventCommandRedo
	}
	if len(*from) == 0 {
		if isRedo {
			return nil, model.ErrNothingToRedo
		}
		return nil, model.ErrNothingToUndo
	}
	top := (*from)[len(*from)-1]
	ops := top.ops
	if !isRedo {
		ops = model.Invert(ops)
	}
	s.touch()
	applied, err := s.graph.ApplyOps(ops)
	if err == nil {
		s.unjournaled = applied.Ops // from here a panic takes them back
	}
	if err != nil {
		// The stacks and the graph are as they were (ApplyOps rolls back);
		// failing to replay recorded ops is a bug, never the client's fault.
		s.log.Error("undo/redo failed", "redo", isRedo, "command_id", top.commandID, "err", err)
		return nil, fmt.Errorf("%w: replay %s: %w", model.ErrInternal, top.commandType, err)
	}
	id := commandID
	if id == "" {
		id = newID()
	}
	for _, ev := range applied.Events {
		s.emit(ev.Name, id, ev.Data)
	}
	s.emit(name, id, CommandUndoRedo{CommandType: top.commandType})
	// The stacks as they will be once the step moved, after the journal.
	undoAfter, redoAfter := len(s.undo)-1, len(s.redo)+1
	if isRedo {
		undoAfter, redoAfter = len(s.undo)+1, len(s.redo)-1
	}
	res := &Executed{
		CommandID:     id,
		CommandType:   top.commandType,
		NodeID:        applied.NodeID,
		Seq:           s.seq,
		UndoAvailable: undoAfter > 0,
		RedoAvailable: redoAfter > 0,
	}
	kind := recUndo
	if isRedo {
		kind = recRedo
	}
	rec := &record{Kind: kind, CommandID: id, CommandType: top.commandType, Step: top.commandID, Result: res}
	if err := s.persistApplied(rec, applied.Ops); err != nil {
		return nil, err
	}
	*from = (*from)[:len(*from)-1]
	s.push(to, top)
	s.commandIDs.put(id, res)
	_ = s.commit() // durable already: only a watcher's departure can fail, and that is logged
	return s.answer(res, true), nil
}

// persistApplied journals rec, the change that applied ops to the graph,
// taking the ops back if the journal refuses it. Once it returns, a panic
// no longer reverts them: either they are journaled or already reverted.
func (s *session) persistApplied(rec *record, ops []model.Op) error {
	err := s.persist(rec, func() { s.revert(ops) })
	s.unjournaled = nil
	return err
}

// answer returns a copy of res for one asker, with the current graph when
// it is asked for. The cache keeps results without graphs: a retry that asks
// for the graph gets the graph as it is now.
func (s *session) answer(res *Executed, withGraph bool) *Executed {
	out := *res
	if withGraph && s.graph != nil {
		out.Roots = s.graph.Tree()
	}
	return &out
}

// isNil reports a missing command, including a typed nil pointer, whose
// CommandType would panic.
func isNil(cmd model.Command) bool {
	if cmd == nil {
		return true
	}
	v := reflect.ValueOf(cmd)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

package actors

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"

	"github.com/talus-tally/server/model"
	"github.com/talus-tally/server/model/wire"
)

func newID() string { return uuid.NewString() }

// execute runs one command. A command id seen before is answered with its
// first result and changes nothing. The command is claimed (cl) once
// applied, before it is journaled: one whose asker gave up by then (or
// whose deadline passed) is taken back.
func (s *session) execute(req ExecuteRequest, cl claimer) (*Executed, error) {
	if isNil(req.Command) {
		return nil, &model.InvalidRequestError{Field: "command_type", Reason: "no command"}
	}
	if err := wire.CheckCommandID(req.CommandID); err != nil {
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
		s.emit(model.EventCommandFailed, id, CommandFailed{CommandType: ctype, Error: wire.From(err)})
		if cerr := s.claim(cl, nil); cerr != nil {
			return nil, cerr // an abandoned request leaves no trace, not even its failure
		}
		if jerr := s.commit(); jerr != nil {
			return nil, jerr
		}
		return nil, err
	}
	s.unjournaled = applied.Ops // from here a panic takes them back
	if err := s.claim(cl, applied.Ops); err != nil {
		return nil, err
	}
	for _, ev := range applied.Events {
		s.emit(ev.Name, id, ev.Data)
	}
	s.emit(model.EventCommandExecuted, id, CommandExecuted{CommandType: ctype, Result: applied.Result})
	res := &Executed{
		CommandID:   id,
		CommandType: ctype,
		Result:      applied.Result,
		NodeID:      applied.NodeID,
		Seq:         s.seq,
	}
	rec := &record{Kind: recCommand, CommandID: id, CommandType: ctype, Ops: applied.Ops, NodeID: applied.NodeID}
	if err := s.persistApplied(rec, applied.Ops); err != nil {
		return nil, err
	}
	s.commandDone(id, ctype, applied.Ops)
	// As replay's recordedResult says it: the history the command left.
	res.UndoAvailable, res.RedoAvailable, res.IsDirty = s.undo.len() > 0, s.redo.len() > 0, s.dirty
	s.commandIDs.put(id, res)
	_ = s.commit() // durable already: only a watcher's departure can fail, and that is logged
	return s.answer(res, req.IncludeGraph), nil
}

// step undoes the newest undo step, or redoes the newest redo step. Its
// events carry commandID, the id of the undo or redo request itself, so a
// retried undo is not applied twice.
func (s *session) step(commandID string, isRedo, withGraph bool, cl claimer) (*Executed, error) {
	if err := wire.CheckCommandID(commandID); err != nil {
		return nil, err
	}
	if res, ok := s.commandIDs.get(commandID); ok {
		return s.answer(res, withGraph), nil
	}
	if s.graph == nil {
		return nil, ErrNoProject
	}
	top, applied, err := s.applyStep(isRedo)
	if err != nil {
		return nil, err
	}
	s.touch()
	s.unjournaled = applied.Ops // from here a panic takes them back
	if err := s.claim(cl, applied.Ops); err != nil {
		return nil, err
	}
	id := commandID
	if id == "" {
		id = newID()
	}
	name := model.EventCommandUndo
	if isRedo {
		name = model.EventCommandRedo
	}
	for _, ev := range applied.Events {
		s.emit(ev.Name, id, ev.Data)
	}
	s.emit(name, id, CommandUndoRedo{CommandType: top.commandType})
	// The stacks as they will be once the step moved, after the journal.
	undoAfter, redoAfter := s.undo.len()-1, s.redo.len()+1
	if isRedo {
		undoAfter, redoAfter = s.undo.len()+1, s.redo.len()-1
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
	rec := &record{Kind: kind, CommandID: id, CommandType: top.commandType, Step: top.commandID}
	if err := s.persistApplied(rec, applied.Ops); err != nil {
		return nil, err
	}
	s.moveStep(isRedo)
	s.dirty = true
	res.IsDirty = true
	s.commandIDs.put(id, res)
	_ = s.commit() // durable already: only a watcher's departure can fail, and that is logged
	return s.answer(res, withGraph), nil
}

// applyStep applies the newest step of the stack an undo (or a redo) takes
// from to the graph: the inverse of its ops for an undo, its ops again for
// a redo. The stacks do not change until moveStep; live and on replay, the
// same two calls move the history, so a restored session cannot differ
// from the live one.
func (s *session) applyStep(isRedo bool) (step, model.Applied, error) {
	from, _ := s.stacks(isRedo)
	if from.len() == 0 {
		if isRedo {
			return step{}, model.Applied{}, model.ErrNothingToRedo
		}
		return step{}, model.Applied{}, model.ErrNothingToUndo
	}
	top := from.top()
	ops := top.ops
	if !isRedo {
		ops = model.Invert(ops)
	}
	applied, err := s.graph.ApplyOps(ops)
	if err != nil {
		// The stacks and the graph are as they were (ApplyOps rolls back);
		// failing to replay recorded ops is a bug, never the client's fault.
		s.log.Error("undo/redo failed", "redo", isRedo, "command_id", top.commandID, "err", err)
		return top, model.Applied{}, fmt.Errorf("%w: replay %s: %w", model.ErrInternal, top.commandType, err)
	}
	return top, applied, nil
}

// moveStep moves the step applyStep applied onto the other stack.
func (s *session) moveStep(isRedo bool) {
	from, to := s.stacks(isRedo)
	s.push(to, from.pop())
}

// stacks returns the stack an undo (or redo) takes its step from and the
// one it puts it on.
func (s *session) stacks(isRedo bool) (from, to *stack) {
	if isRedo {
		return &s.redo, &s.undo
	}
	return &s.undo, &s.redo
}

// commandDone moves the history for an applied command, live and on
// replay: a change becomes the newest undo step, clears the redo stack and
// dirties the project; a command that changed nothing (clearing a field
// that was not set) leaves all three as they were.
func (s *session) commandDone(id, ctype string, ops []model.Op) {
	if len(ops) == 0 {
		return
	}
	s.pushCommand(newStep(id, ctype, ops))
	s.dirty = true
}

// pushCommand records a new command as the newest undo step; a new command
// clears the redo stack.
func (s *session) pushCommand(st step) {
	s.push(&s.undo, st)
	s.redo.reset()
}

// claim claims the request of a change applied to the graph (ops) before
// the change is journaled: from here its asker waits for this answer. If
// the asker gave up first (or its deadline passed), the change is taken
// back: the asker was told UNAVAILABLE, and "unavailable" must not mean
// "done after all". The events staged for it go too, their seqs given back.
func (s *session) claim(cl claimer, ops []model.Op) error {
	if cl.start(time.Now()) {
		return nil
	}
	s.unjournaled = nil
	s.unstage(func() {
		if len(ops) > 0 {
			s.revert(ops)
		}
	})
	s.log.Warn("change finished after its request's deadline; it is taken back", "ops", len(ops))
	return fmt.Errorf("%w: the change took longer than its request's deadline", ErrUnavailable)
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
		out.Roots = s.encodedRoots()
	}
	return &out
}

// withFailure is what a failed command, undo or redo answers beside its
// error: the graph as it still is, when the asker wants graphs and the
// failure is the command's (a 4xx), because a client that renders whatever
// graph a reply holds would otherwise blank a project the session still
// has. A success is answered as it is.
func (s *session) withFailure(res *Executed, err error, withGraph bool) *Executed {
	if err == nil || !withGraph || s.graph == nil || wire.Status(wire.Code(err)) >= 500 {
		return res
	}
	return &Executed{Seq: s.seq, UndoAvailable: s.undo.len() > 0, RedoAvailable: s.redo.len() > 0, IsDirty: s.dirty, Roots: s.encodedRoots()}
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

package model

import (
	"errors"
	"fmt"
)

// Sentinel errors. Wrap them with context; callers test with errors.Is.
var (
	ErrNodeNotFound     = errors.New("model: node not found")
	ErrTemplateNotFound = errors.New("model: template not found")
	ErrNothingToUndo    = errors.New("model: nothing to undo")
	ErrNothingToRedo    = errors.New("model: nothing to redo")
	// ErrInternal marks a bug caught at run time (a panic inside a command).
	// Its message never reaches a client.
	ErrInternal = errors.New("model: internal error")
)

// InvalidCommandError reports a command the graph rejected before changing
// anything: an unknown command type or a broken rule.
type InvalidCommandError struct {
	Rule   string // short machine-readable rule name, e.g. "allowed_children", "cycle"
	Reason string // human-readable, safe to show a client
}

// Error names the broken rule and the reason.
func (e *InvalidCommandError) Error() string {
	return fmt.Sprintf("invalid command (%s): %s", e.Rule, e.Reason)
}

// InvalidRequestError reports ill-formed input: a missing or ill-typed field.
type InvalidRequestError struct {
	Field  string
	Reason string
}

// Error names the field, when there is one, and the reason.
func (e *InvalidRequestError) Error() string {
	if e.Field == "" {
		return "invalid request: " + e.Reason
	}
	return fmt.Sprintf("invalid request: %s: %s", e.Field, e.Reason)
}

func invalidCommand(rule, format string, args ...any) error {
	return &InvalidCommandError{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

func invalidRequest(field, format string, args ...any) error {
	return &InvalidRequestError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// LimitError reports a budget a command or request would pass: nodes per
// project, bytes per value, a batch's size. Budget names it, Limit is its
// configured value.
type LimitError struct {
	Budget string
	Limit  int64
	Reason string
}

// Error names the budget and its limit.
func (e *LimitError) Error() string {
	return fmt.Sprintf("limit exceeded (%s, limit %d): %s", e.Budget, e.Limit, e.Reason)
}

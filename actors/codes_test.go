package actors

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/talus-tally/server/model"
)

func TestCode(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    string
		message string // "" means the error's own text
	}{
		{"node", fmt.Errorf("node %q: %w", "n1", model.ErrNodeNotFound), CodeNodeNotFound, ""},
		{"invalid command", &model.InvalidCommandError{Rule: "cycle", Reason: "a node cannot hold itself"}, CodeInvalidCommand, ""},
		{"wrapped invalid command", fmt.Errorf("batch part 2: %w", &model.InvalidCommandError{Rule: "r", Reason: "x"}), CodeInvalidCommand, ""},
		{"invalid request", &model.InvalidRequestError{Field: "name", Reason: "not a string"}, CodeInvalidRequest, ""},
		{"session", fmt.Errorf("session %q: %w", "s", ErrSessionNotFound), CodeInvalidSession, ""},
		{"no project", ErrNoProject, CodeNoProject, ""},
		{"undo", model.ErrNothingToUndo, CodeNothingToUndo, ""},
		{"redo", model.ErrNothingToRedo, CodeNothingToRedo, ""},
		{"template", fmt.Errorf("template %q: %w", "t", model.ErrTemplateNotFound), CodeTemplateNotFound, ""},
		{"project", ErrProjectNotFound, CodeProjectNotFound, ""},
		{"unavailable", fmt.Errorf("%w: no answer in time", ErrUnavailable), CodeUnavailable, ""},
		{"history", &HistoryGoneError{After: 1, Seq: 9}, CodeHistoryGone, ""},
		{"internal", fmt.Errorf("%w: panic: secret detail", model.ErrInternal), CodeInternal, internalMessage},
		{"internal wrapping a domain error", fmt.Errorf("%w: %w", model.ErrInternal, model.ErrNodeNotFound), CodeInternal, internalMessage},
		{"unknown", errors.New("disk on fire at /var/lib"), CodeInternal, internalMessage},
		{"nil", nil, CodeInternal, internalMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, Code(tt.err))
			want := tt.message
			if want == "" {
				want = tt.err.Error()
			}
			assert.Equal(t, want, Message(tt.err))
			assert.Equal(t, WireError{Code: tt.code, Message: want}, NewWireError(tt.err))
		})
	}
}

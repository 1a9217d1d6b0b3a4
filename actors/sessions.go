package actors

import (
	"context"
	"time"

	"github.com/talus-tally/server/model"
)

// Sessions is the handle on the registry and its session actors.
type Sessions struct{}

// Start starts the actor system and the registry.
func Start(cfg Config) (*Sessions, error) { panic("unimplemented") }

// Stop refuses new requests (ErrUnavailable), stops every session and then
// the actor system, within ctx.
func (s *Sessions) Stop(ctx context.Context) error                      { panic("unimplemented") }
func (s *Sessions) Create(ctx context.Context) (string, error)          { panic("unimplemented") }
func (s *Sessions) List(ctx context.Context) ([]SessionSummary, error)  { panic("unimplemented") }
func (s *Sessions) Info(ctx context.Context, sid string) (*Info, error) { panic("unimplemented") }

// Close ends a session: its subscribers get session:closed and are dropped.
func (s *Sessions) Close(ctx context.Context, sid string) error { panic("unimplemented") }

// Cleanup closes sessions with no clients idle since before cutoff.
func (s *Sessions) Cleanup(ctx context.Context, cutoff time.Time) (removed, active int, err error) {
	panic("unimplemented")
}

// CreateProject opens a new project from a template in session sid, or in a
// new session when sid is "".
func (s *Sessions) CreateProject(ctx context.Context, sid, templateID, name string) (*Project, error) {
	panic("unimplemented")
}

// FindProject returns the session that has project pid open.
func (s *Sessions) FindProject(ctx context.Context, pid string) (string, error) {
	panic("unimplemented")
}

func (s *Sessions) Execute(ctx context.Context, sid string, req ExecuteRequest) (*Executed, error) {
	panic("unimplemented")
}
func (s *Sessions) Undo(ctx context.Context, sid, commandID string) (*Executed, error) {
	panic("unimplemented")
}
func (s *Sessions) Redo(ctx context.Context, sid, commandID string) (*Executed, error) {
	panic("unimplemented")
}

func (s *Sessions) Tree(ctx context.Context, sid string) (*Tree, error) { panic("unimplemented") }
func (s *Sessions) Node(ctx context.Context, sid, nodeID string) (*model.NodeView, error) {
	panic("unimplemented")
}
func (s *Sessions) Search(ctx context.Context, sid string, q model.SearchQuery) ([]model.SearchResult, error) {
	panic("unimplemented")
}

// EventsAfter returns the events after seq, or a *HistoryGoneError.
func (s *Sessions) EventsAfter(ctx context.Context, sid string, seq uint64) ([]*Event, uint64, error) {
	panic("unimplemented")
}

func (s *Sessions) Join(ctx context.Context, sid string, sub Subscription) (*Joined, error) {
	panic("unimplemented")
}
func (s *Sessions) Leave(ctx context.Context, sid, clientID string) error { panic("unimplemented") }

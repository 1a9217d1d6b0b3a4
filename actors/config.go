package actors

import (
	"log/slog"
	"time"

	"github.com/talus-tally/server/actors/store"
	"github.com/talus-tally/server/model"
)

// Config configures the session layer. Zero values take the defaults.
type Config struct {
	Catalog        *model.Catalog
	RequestTimeout time.Duration // default 5s; a request's context deadline wins when sooner
	UndoLimit      int           // undo steps kept, default 1000
	UndoBytes      int           // and at most about this many bytes of them, default 32 MiB
	HistoryLimit   int           // events kept per session for replay, default 10000
	HistoryBytes   int           // and at most this many bytes of them, default 32 MiB
	CommandIDLimit int           // command ids remembered for retries, default 10000
	MaxSessions    int           // sessions the server holds, in memory or stored, default 100,000
	// Limits are the budgets of every project: nodes, bytes per value and
	// per name, commands per batch.
	Limits model.Limits
	Logger *slog.Logger
	// OnCommand, when set, hears of every command, undo and redo a caller
	// asked for: its type ("Undo" and "Redo" for those), its outcome (""
	// for success, else the wire code) and how long the caller waited. It
	// runs on the caller's goroutine and must not block (metrics).
	OnCommand func(commandType, code string, took time.Duration)

	// Store makes sessions durable: every acknowledged change is journaled
	// before its reply, and Start brings back every stored session. Saved
	// projects live there too. nil keeps everything in memory only. The
	// caller opens it before Start and closes it after Stop.
	Store *store.Store
	// Journal, when set, makes sessions durable instead of Store (which
	// then keeps only saved projects): a replicated journal shared by
	// several servers (package cluster). Sessions are not listed from it
	// at start; each comes in by Client.Adopt or Client.Create.
	Journal Journal
	// IdleTimeout takes a session with no clients and no activity for this
	// long out of memory (with a Store only); its next request brings it
	// back. 0 never does. Not with a store opened Disabled (benchmarks):
	// that store keeps nothing to bring back.
	IdleTimeout time.Duration
	// CheckpointEvery is how many journal records a session writes between
	// checkpoints of its whole state, default 1000.
	CheckpointEvery int

	// workers runs the actors' mailboxes (set by Start).
	workers *workers
	// beforeJournal, when set (tests), sees each record just before it is
	// encoded: a panic there is one between a change and its journal.
	beforeJournal func(*record)
}

// Defaults for the zero fields of Config.
const (
	DefaultRequestTimeout  = 5 * time.Second
	DefaultUndoLimit       = 1000
	DefaultHistoryLimit    = 10000
	DefaultCommandIDLimit  = 10000
	DefaultCheckpointEvery = 1000
	DefaultUndoBytes       = 32 << 20
	DefaultHistoryBytes    = 32 << 20
	DefaultMaxSessions     = 100_000
)

// withDefaults returns cfg with every zero (or negative) field set to its
// default, so the actors never check for "unset".
func (cfg Config) withDefaults() Config {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.UndoLimit <= 0 {
		cfg.UndoLimit = DefaultUndoLimit
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = DefaultHistoryLimit
	}
	if cfg.UndoBytes <= 0 {
		cfg.UndoBytes = DefaultUndoBytes
	}
	if cfg.HistoryBytes <= 0 {
		cfg.HistoryBytes = DefaultHistoryBytes
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.CommandIDLimit <= 0 {
		cfg.CommandIDLimit = DefaultCommandIDLimit
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	if cfg.Journal == nil && cfg.Store != nil {
		cfg.Journal = cfg.Store
	}
	if cfg.IdleTimeout < 0 || cfg.Journal == nil {
		cfg.IdleTimeout = 0 // without a store there is nothing to come back from
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

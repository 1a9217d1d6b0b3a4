package actors

import (
	"log/slog"
	"time"
)

// Defaults for the zero fields of Config.
const (
	DefaultRequestTimeout  = 5 * time.Second
	DefaultUndoLimit       = 1000
	DefaultHistoryLimit    = 10000
	DefaultCommandIDLimit  = 10000
	DefaultCheckpointEvery = 1000
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
	if cfg.CommandIDLimit <= 0 {
		cfg.CommandIDLimit = DefaultCommandIDLimit
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	if cfg.IdleTimeout < 0 {
		cfg.IdleTimeout = 0
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

package store

import "errors"

// Errors returned by the store. Wrapped errors keep them reachable with
// errors.Is.
var (
	// ErrNotFound means no project or session with that id is stored.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrStaleCheckpoint means a checkpoint's seq is below the one already
	// stored for that session; taking it would lose records.
	ErrStaleCheckpoint = errors.New("store: checkpoint older than the stored one")
	// ErrInvalidRecord means a record or project cannot be stored as given
	// (empty id, id or data too large).
	ErrInvalidRecord = errors.New("store: invalid record")
	// ErrLocked means another process holds the data directory.
	ErrLocked = errors.New("store: data directory locked")
	// ErrJournalFailed means a journal write or fsync failed. The file's state
	// is then unknown, so the journal takes no more records until reopened.
	ErrJournalFailed = errors.New("store: journal failed")
)

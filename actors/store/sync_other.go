//go:build !linux

package store

import "os"

// syncData makes what was written to f durable (fsync where fdatasync is
// not at hand).
func syncData(f *os.File) error { return f.Sync() }

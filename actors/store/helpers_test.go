package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func openStore(tb testing.TB, dir string, opts Options) *Store {
	tb.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := Open(dir, opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func rec(id string, seq uint64) Record {
	return Record{SessionID: id, Seq: seq, Data: fmt.Appendf(nil, "%s#%d", id, seq)}
}

func appendAll(tb testing.TB, s *Store, recs ...Record) {
	tb.Helper()
	for _, r := range recs {
		require.NoError(tb, s.Append(context.Background(), r))
	}
}

func replayAll(tb testing.TB, s *Store) []Record {
	tb.Helper()
	var out []Record
	require.NoError(tb, s.Replay(func(r Record) error {
		out = append(out, r)
		return nil
	}))
	return out
}

// segmentFiles lists the journal's segment files, ascending.
func segmentFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "journal", "*"+segmentExt))
	require.NoError(tb, err)
	sort.Strings(paths)
	return paths
}

// nonEmptySegments lists the segment files that hold bytes.
func nonEmptySegments(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	for _, p := range segmentFiles(tb, dir) {
		info, err := os.Stat(p)
		require.NoError(tb, err)
		if info.Size() > 0 {
			out = append(out, p)
		}
	}
	return out
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	info, err := os.Stat(path)
	require.NoError(tb, err)
	return info.Size()
}

package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProjectsCRUD(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	metas := []ProjectMeta{
		{ID: "p1", Name: "Old", TemplateID: "tpl", UpdatedAt: t0, NodeCount: 3},
		{ID: "p2", Name: "New", TemplateID: "tpl", UpdatedAt: t0.Add(time.Hour), NodeCount: 5},
		{ID: "p0", Name: "Tie", TemplateID: "other", UpdatedAt: t0, NodeCount: 0},
	}
	for _, m := range metas {
		require.NoError(t, s.SaveProject(ctx, m, []byte("file of "+m.ID)))
	}

	list, err := s.ListProjects()
	require.NoError(t, err)
	assert.Equal(t, []string{"p2", "p0", "p1"}, ids(list), "newest first, ties by id")

	meta, file, err := s.GetProject("p1")
	require.NoError(t, err)
	assertMeta(t, metas[0], meta)
	assert.Equal(t, "file of p1", string(file))

	// Overwrite replaces meta and file together.
	newer := ProjectMeta{ID: "p1", Name: "Renamed", TemplateID: "tpl", UpdatedAt: t0.Add(2 * time.Hour), NodeCount: 9}
	require.NoError(t, s.SaveProject(ctx, newer, []byte("v2")))
	meta, file, err = s.GetProject("p1")
	require.NoError(t, err)
	assertMeta(t, newer, meta)
	assert.Equal(t, "v2", string(file))
	list, err = s.ListProjects()
	require.NoError(t, err)
	assert.Equal(t, []string{"p1", "p2", "p0"}, ids(list))

	require.NoError(t, s.DeleteProject("p0"))
	assert.ErrorIs(t, s.DeleteProject("p0"), ErrNotFound)
	_, _, err = s.GetProject("p0")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.ErrorIs(t, s.SaveProject(ctx, ProjectMeta{}, nil), ErrInvalidRecord)

	require.NoError(t, s.Close())
	s = openStore(t, dir, Options{})
	list, err = s.ListProjects()
	require.NoError(t, err)
	assert.Equal(t, []string{"p1", "p2"}, ids(list))
	meta, file, err = s.GetProject("p1")
	require.NoError(t, err)
	assertMeta(t, newer, meta)
	assert.Equal(t, "v2", string(file))
}

func TestSaveProjectIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{NoSync: true})
	save := func(v int) error {
		// The file's size and content follow the version, so a mix of two
		// saves would show.
		file := fmt.Appendf(nil, "v%d:%s", v, make([]byte, v*100))
		return s.SaveProject(ctx, ProjectMeta{ID: "p", Name: fmt.Sprint(v), NodeCount: len(file)}, file)
	}
	require.NoError(t, save(0))

	var wg sync.WaitGroup
	wg.Go(func() {
		for v := 1; v <= 50; v++ {
			if err := save(v); err != nil {
				t.Errorf("save: %v", err)
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for range 200 {
				meta, file, err := s.GetProject("p")
				if err != nil {
					t.Errorf("get: %v", err)
					return
				}
				if want := fmt.Sprintf("v%s:", meta.Name); len(file) != meta.NodeCount || string(file[:len(want)]) != want {
					t.Errorf("meta %+v does not match file of %d bytes", meta, len(file))
					return
				}
			}
		})
	}
	wg.Wait()
	meta, _, err := s.GetProject("p")
	require.NoError(t, err)
	assert.Equal(t, "50", meta.Name)
}

func TestDecodeProjectRejectsDamage(t *testing.T) {
	v, err := encodeProject(ProjectMeta{ID: "p", Name: "n"}, []byte("file"))
	require.NoError(t, err)
	tests := []struct {
		name string
		v    []byte
	}{
		{"empty", nil},
		{"meta length past end", append([]byte{0xff, 0, 0, 0}, v[4:]...)},
		{"meta not json", append([]byte{3, 0, 0, 0}, "{{{"...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeProject(tt.v)
			assert.Error(t, err)
		})
	}
	meta, file, err := decodeProject(v)
	require.NoError(t, err)
	assert.Equal(t, "n", meta.Name)
	assert.Equal(t, "file", string(file))
}

func ids(ms []ProjectMeta) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func assertMeta(t *testing.T, want, got ProjectMeta) {
	t.Helper()
	assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "UpdatedAt %v, want %v", got.UpdatedAt, want.UpdatedAt)
	want.UpdatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	assert.Equal(t, want, got)
}

package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ProjectMeta describes a saved project without its file.
type ProjectMeta struct {
	ID         string
	Name       string
	TemplateID string
	UpdatedAt  time.Time
	NodeCount  int
}

// diskMeta is ProjectMeta as stored, so renaming a Go field never breaks
// reading old data.
type diskMeta struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	TemplateID string    `json:"template_id"`
	UpdatedAt  time.Time `json:"updated_at"`
	NodeCount  int       `json:"node_count"`
}

// A project is one value: [uint32 meta length][meta JSON][file]. One key per
// project makes every save a single atomic put.

func encodeProject(m ProjectMeta, file []byte) ([]byte, error) {
	meta, err := json.Marshal(diskMeta(m))
	if err != nil {
		return nil, err
	}
	v := make([]byte, 4, 4+len(meta)+len(file))
	binary.LittleEndian.PutUint32(v, uint32(len(meta)))
	v = append(v, meta...)
	return append(v, file...), nil
}

// decodeProject splits a stored value; file aliases v.
func decodeProject(v []byte) (ProjectMeta, []byte, error) {
	if len(v) < 4 {
		return ProjectMeta{}, nil, fmt.Errorf("store: project value of %d bytes", len(v))
	}
	n := binary.LittleEndian.Uint32(v)
	if uint64(n) > uint64(len(v)-4) {
		return ProjectMeta{}, nil, fmt.Errorf("store: project meta length %d past the value", n)
	}
	var m diskMeta
	if err := json.Unmarshal(v[4:4+n], &m); err != nil {
		return ProjectMeta{}, nil, fmt.Errorf("store: project meta: %w", err)
	}
	return ProjectMeta(m), v[4+n:], nil
}

// SaveProject stores file under meta.ID, replacing any earlier save in one
// transaction: a reader sees the old project or the new one, never a mix.
func (s *Store) SaveProject(ctx context.Context, meta ProjectMeta, file []byte) error {
	if meta.ID == "" {
		return fmt.Errorf("empty project id: %w", ErrInvalidRecord)
	}
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := encodeProject(meta, file)
	if err != nil {
		return fmt.Errorf("store: save project: %w", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProjects).Put([]byte(meta.ID), v)
	})
	if err != nil {
		return fmt.Errorf("store: save project: %w", err)
	}
	return nil
}

// GetProject returns the project saved under id, or ErrNotFound.
func (s *Store) GetProject(id string) (ProjectMeta, []byte, error) {
	leave, err := s.enter()
	if err != nil {
		return ProjectMeta{}, nil, err
	}
	defer leave()
	var (
		meta ProjectMeta
		file []byte
	)
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketProjects).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("project %q: %w", id, ErrNotFound)
		}
		m, f, err := decodeProject(v)
		if err != nil {
			return err
		}
		meta, file = m, slices.Clone(f) // bbolt's memory is gone after the transaction
		if file == nil {
			file = []byte{}
		}
		return nil
	})
	if err != nil {
		return ProjectMeta{}, nil, err
	}
	return meta, file, nil
}

// ListProjects returns every saved project's meta, newest UpdatedAt first
// (ties by id).
func (s *Store) ListProjects() ([]ProjectMeta, error) {
	leave, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	var out []ProjectMeta
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProjects).ForEach(func(k, v []byte) error {
			m, _, err := decodeProject(v)
			if err != nil {
				s.log.Warn("store: skipping an unreadable project", "project", string(k), "err", err)
				return nil
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: list projects: %w", err)
	}
	slices.SortFunc(out, func(a, b ProjectMeta) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// DeleteProject removes the project saved under id, or returns ErrNotFound.
func (s *Store) DeleteProject(id string) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	defer leave()
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProjects)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("project %q: %w", id, ErrNotFound)
		}
		return b.Delete([]byte(id))
	})
}

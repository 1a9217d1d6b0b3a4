package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimits(t *testing.T) {
	small := Limits{MaxNodes: 12, MaxValueBytes: 16, MaxNameBytes: 8, MaxBatch: 3}
	tests := []struct {
		name   string
		cmd    func(f fixture) Command
		budget string // "" for none
	}{
		{"name within", func(f fixture) Command { return RenameNode{NodeID: f.body, Name: "12345678"} }, ""},
		{"name over", func(f fixture) Command { return RenameNode{NodeID: f.body, Name: "123456789"} }, BudgetNameBytes},
		{"created name over", func(f fixture) Command {
			return CreateNode{ParentID: f.root, Type: "phase", Name: strings.Repeat("x", 9)}
		}, BudgetNameBytes},
		{"value within", func(f fixture) Command {
			return UpdateProperty{NodeID: f.job, PropertyID: "description", Value: strings.Repeat("v", 16)}
		}, ""},
		{"value over", func(f fixture) Command {
			return UpdateProperty{NodeID: f.job, PropertyID: "description", Value: strings.Repeat("v", 17)}
		}, BudgetValueBytes},
		{"created value over", func(f fixture) Command {
			return CreateNode{ParentID: f.body, Type: "job", Properties: map[string]any{"description": strings.Repeat("v", 17)}}
		}, BudgetValueBytes},
		// The fixture holds 9 nodes: 3 more fit, a fourth does not.
		{"nodes within", func(f fixture) Command {
			return Batch{Commands: []Command{CreateNode{ParentID: f.root, Type: "phase"}, CreateNode{ParentID: f.root, Type: "phase"}, CreateNode{ParentID: f.root, Type: "phase"}}}
		}, ""},
		{"batch over", func(f fixture) Command {
			return Batch{Commands: []Command{RenameNode{NodeID: f.root, Name: "a"}, Batch{Commands: []Command{RenameNode{NodeID: f.root, Name: "b"}, RenameNode{NodeID: f.root, Name: "c"}}}}}
		}, BudgetBatch},
		{"subtree copy over", func(f fixture) Command {
			return Batch{Commands: []Command{ApplyKit{TargetID: f.root, KitRootID: f.kit}, ApplyKit{TargetID: f.root, KitRootID: f.kit}}}
		}, BudgetNodes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.g.limits = small
			before := f.g.Clone()
			_, err := f.g.Apply(tt.cmd(f))
			if tt.budget == "" {
				require.NoError(t, err)
				return
			}
			var le *LimitError
			require.True(t, errors.As(err, &le), "err %v", err)
			assert.Equal(t, tt.budget, le.Budget)
			assert.True(t, before.Equal(f.g), "a refused command changes nothing")
		})
	}
}

// TestKitDoublingIsBounded: a kit pasted into itself doubles it; a batch of
// such pastes stops at the node budget, before copying past it, and changes
// nothing.
func TestKitDoublingIsBounded(t *testing.T) {
	f := newFixture(t)
	f.g.limits = Limits{MaxNodes: 1000}.WithDefaults()
	var parts []Command
	for range 16 {
		parts = append(parts, ApplyKit{TargetID: f.kitPhase, KitRootID: f.kitPhase})
	}
	before := f.g.Len()
	_, err := f.g.Apply(Batch{Commands: parts})
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, BudgetNodes, le.Budget)
	assert.EqualValues(t, 1000, le.Limit)
	assert.Equal(t, before, f.g.Len())
}

func TestImportLimits(t *testing.T) {
	f := newFixture(t)
	file := f.g.ToFile("p1", "Car", "restomod")
	_, _, err := GraphFromFile(file, testCatalog(t), WithLimits(Limits{MaxNodes: 8}))
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, BudgetNodes, le.Budget)
	_, _, err = GraphFromFile(file, testCatalog(t), WithLimits(Limits{MaxNameBytes: 3}))
	require.ErrorAs(t, err, &le)
	assert.Equal(t, BudgetNameBytes, le.Budget)
	g, _, err := GraphFromFile(file, testCatalog(t), WithLimits(Limits{MaxNodes: 9}))
	require.NoError(t, err)
	assert.Equal(t, 9, g.Len())
}

package model

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readProjectFile(tb testing.TB, name string) *ProjectFile {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	var pf ProjectFile
	require.NoError(tb, json.Unmarshal(b, &pf))
	return &pf
}

func TestGraphFromPrototypeFile(t *testing.T) {
	cat := testCatalog(t)
	g, tm, err := GraphFromFile(readProjectFile(t, "prototype_minimal.json"), cat)
	require.NoError(t, err)
	assert.Equal(t, "restomod", tm.ID)
	assert.Equal(t, 6, g.Len())
	// No roots list: ordered by created_at (a missing one sorts first), then id.
	assert.Equal(t, []string{"loose", "root-1"}, g.Roots())
	root, ok := g.Node("root-1")
	require.True(t, ok)
	assert.Equal(t, []string{"phase-a", "phase-b"}, root.Children)
	assert.Equal(t, "25000.5", root.Properties["budget"])
	assert.Equal(t, time.Date(2025, 11, 2, 10, 15, 30, 123456000, time.UTC), root.CreatedAt)
	phase, _ := g.Node("phase-a")
	phaseType, _ := tm.NodeType("phase")
	status, _ := phaseType.Property("status")
	inProgress, _ := status.Option("In Progress")
	assert.Equal(t, inProgress.ID, phase.Properties["status"], "option names become ids")
	task, _ := g.Node("task-1")
	assert.Equal(t, "job-1", *task.ParentID)
	assert.Equal(t, map[string]any{"cost": "120.00", "impact": float64(3)}, task.Properties, "null properties are absent")
	pb, _ := g.Node("phase-b")
	assert.Equal(t, "root-1", *pb.ParentID, "children lists are the truth when parent_id is missing")

	// The loaded graph takes commands like any other.
	_, err = g.Apply(CreateNode{ParentID: "phase-b", Type: "job"})
	require.NoError(t, err)
}

func TestProjectFileRoundTrip(t *testing.T) {
	f := newFixture(t)
	_, err := f.g.Apply(UpdateProperty{NodeID: f.task, PropertyID: "cost", Value: "99.90"})
	require.NoError(t, err)
	pf := f.g.ToFile("p1", "My car", "restomod")
	assert.Equal(t, []string{"restomod.yaml"}, pf.Templates)
	b, err := json.Marshal(pf)
	require.NoError(t, err)
	var back ProjectFile
	require.NoError(t, json.Unmarshal(b, &back))
	g, _, err := GraphFromFile(&back, testCatalog(t))
	require.NoError(t, err)
	assert.True(t, g.Equal(f.g))

	// Without our extra fields the prototype's rules still rebuild it.
	back.TemplateID, back.Roots, back.Name, back.ProjectID = "", nil, "", ""
	g, _, err = GraphFromFile(&back, testCatalog(t))
	require.NoError(t, err)
	assert.Equal(t, f.g.Tree(), g.Tree(), "created_at order gives the same root order")
}

func TestGraphFromHostileFiles(t *testing.T) {
	cat := testCatalog(t)
	files, err := filepath.Glob("testdata/hostile_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			_, _, err := GraphFromFile(readProjectFile(t, filepath.Base(file)), cat)
			var ir *InvalidRequestError
			require.ErrorAs(t, err, &ir)
			assert.NotEmpty(t, ir.Reason)
		})
	}
	tests := []struct {
		name string
		pf   *ProjectFile
	}{
		{"nil file", nil},
		{"no template", &ProjectFile{Version: "1.0"}},
		{"bad version", &ProjectFile{Version: "7", TemplateID: "restomod"}},
		{"null node", &ProjectFile{TemplateID: "restomod", Nodes: map[string]*FileNode{"a": nil}}},
		{"roots mismatch", &ProjectFile{TemplateID: "restomod", Roots: []string{"a", "a"}, Nodes: map[string]*FileNode{"a": {Type: "project_root"}}}},
		{"roots not parentless", &ProjectFile{TemplateID: "restomod", Roots: []string{"b"}, Nodes: map[string]*FileNode{"a": {Type: "project_root"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := GraphFromFile(tc.pf, cat)
			var ir *InvalidRequestError
			require.ErrorAs(t, err, &ir)
		})
	}
	_, _, err = GraphFromFile(&ProjectFile{TemplateID: "restomod"}, nil)
	require.Error(t, err)
}

// fuzzLimits are budgets small enough that the fuzzer reaches an import's
// budget checks, not only its shape checks.
var fuzzLimits = Limits{MaxNodes: 4, MaxValueBytes: 16, MaxNameBytes: 24}

// FuzzGraphFromFile: any project file loads or is refused with one of the
// documented kinds (*InvalidRequestError, *LimitError naming the budget
// and its configured limit); what loads saves and loads back to the same
// graph; under small budgets the same file loads exactly when the graph it
// holds keeps to them, and is otherwise refused for a budget it passes.
func FuzzGraphFromFile(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"template_id":"book","roots":["x"],"nodes":{"x":{"type":"book","children":["x"]}}}`))
	// Past the default name budget (1 KiB): a *LimitError, not a shape error.
	f.Add([]byte(`{"template_id":"restomod","nodes":{"r":{"type":"project_root","name":"` + strings.Repeat("n", 2000) + `"}}}`))
	// Within the defaults, past fuzzLimits: a long value, five nodes.
	f.Add([]byte(`{"template_id":"restomod","nodes":{"r":{"type":"project_root","name":"r","properties":{"vehicle":"` + strings.Repeat("v", 40) + `"}}}}`))
	f.Add([]byte(`{"template_id":"restomod","nodes":{"r":{"type":"project_root","name":"r","children":["a","b","c","d"]},` +
		`"a":{"type":"phase","name":"a"},"b":{"type":"phase","name":"b"},"c":{"type":"phase","name":"c"},"d":{"type":"phase","name":"d"}}}`))
	cat := testCatalog(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var pf ProjectFile
		if json.Unmarshal(b, &pf) != nil {
			return
		}
		g, tm, err := GraphFromFile(&pf, cat)
		requireFileError(t, err, Limits{}.WithDefaults())
		small, _, smallErr := GraphFromFile(&pf, cat, WithLimits(fuzzLimits))
		requireFileError(t, smallErr, fuzzLimits.WithDefaults())
		if err != nil {
			require.Error(t, smallErr, "smaller budgets cannot let through what the defaults refuse")
			return
		}
		// What loads must save and load back to the same graph.
		again, _, err := GraphFromFile(g.ToFile("p", "n", tm.ID), cat)
		require.NoError(t, err)
		require.True(t, g.Equal(again))
		require.Equal(t, g.Len(), countTree(g.Tree()))

		over := budgetsPassed(g, fuzzLimits.WithDefaults())
		if len(over) == 0 {
			require.NoError(t, smallErr, "the graph keeps to the small budgets")
			require.True(t, g.Equal(small))
			return
		}
		var le *LimitError
		require.ErrorAs(t, smallErr, &le, "the graph passes %v", over)
		require.Contains(t, over, le.Budget)
	})
}

// requireFileError holds err to what GraphFromFile documents: nil, an
// *InvalidRequestError that says why, or a *LimitError naming one of the
// budgets an import checks, with its configured limit.
func requireFileError(t *testing.T, err error, l Limits) {
	t.Helper()
	if err == nil {
		return
	}
	var ir *InvalidRequestError
	if errors.As(err, &ir) {
		require.NotEmpty(t, ir.Reason)
		return
	}
	var le *LimitError
	require.ErrorAs(t, err, &le, "an import error is an *InvalidRequestError or a *LimitError: %v", err)
	limits := map[string]int{BudgetNodes: l.MaxNodes, BudgetValueBytes: l.MaxValueBytes, BudgetNameBytes: l.MaxNameBytes}
	limit, ok := limits[le.Budget]
	require.True(t, ok, "an import checks no budget %q", le.Budget)
	require.Equal(t, int64(limit), le.Limit)
}

// budgetsPassed lists the budgets of l that g passes, as an import checks
// them.
func budgetsPassed(g *Graph, l Limits) []string {
	var over []string
	if g.Len() > l.MaxNodes {
		over = append(over, BudgetNodes)
	}
	for _, n := range g.nodes {
		if len(n.Name) > l.MaxNameBytes {
			over = append(over, BudgetNameBytes)
		}
		for _, pv := range n.props {
			if s, ok := pv.value.(string); ok && len(s) > l.MaxValueBytes {
				over = append(over, BudgetValueBytes)
			}
		}
	}
	return over
}

func countTree(ts []TreeNode) int {
	n := len(ts)
	for _, t := range ts {
		n += countTree(t.Children)
	}
	return n
}

func FuzzParseTemplate(f *testing.F) {
	entries, err := builtinTemplates.ReadDir("templates")
	require.NoError(f, err)
	for _, e := range entries {
		b, err := builtinTemplates.ReadFile("templates/" + e.Name())
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte("id: x\nnode_types: [{id: a, properties: [{id: s, type: select, options: [&a A, *a]}]}]"))
	f.Add([]byte("id: x\nnode_types: [{id: a, properties: [{id: c, type: currency, value: 1e99999}]}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tm, err := ParseTemplate("fuzz.yaml", b)
		if err != nil {
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			require.Equal(t, "fuzz.yaml", te.File)
			return
		}
		// A template that parses must be usable: a project can be started from it.
		require.NotEmpty(t, tm.NodeTypes)
		g, root := NewProject(tm, "p")
		_, ok := g.Node(root)
		require.True(t, ok)
		_, err = json.Marshal(tm.Schema())
		require.NoError(t, err)
		require.False(t, strings.Contains(tm.ID, "/"))
	})
}

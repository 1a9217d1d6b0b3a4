package model

import "time"

// Node is one typed node of a project graph. Property values are canonical:
// text, date and select values are strings, numbers are float64, booleans
// are bool and currency is a decimal string kept exactly ("1234.50").
type Node struct {
	ID         string         `json:"id"`
	Type       string         `json:"blueprint_type_id"`
	Name       string         `json:"name"`
	ParentID   string         `json:"parent_id,omitempty"` // "" for a root
	Children   []string       `json:"children"`
	Properties map[string]any `json:"properties"`
	CreatedAt  time.Time      `json:"created_at"`
}

// Graph is a forest of nodes typed by one template. Roots are ordered, and
// so are every node's children. A Graph is not safe for concurrent use.
type Graph struct {
	tmpl  *Template
	nodes map[string]*Node
	roots []string
	newID func() string
	now   func() time.Time
}

// TreeNode is a copy of a node with its children nested, as the tree
// endpoints return it.
type TreeNode struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"blueprint_type_id"`
	Properties map[string]any `json:"properties"`
	Children   []TreeNode     `json:"children"`
}

// NodeView is a copy of one node with its parent and child ids.
type NodeView struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"blueprint_type_id"`
	ParentID   *string        `json:"parent_id"` // null for a root
	Properties map[string]any `json:"properties"`
	Children   []string       `json:"children"`
	CreatedAt  time.Time      `json:"created_at"`
}

// SearchQuery selects nodes: every given criterion must match. Query matches
// the name case-insensitively as a substring; Properties match by equality of
// the canonical value.
type SearchQuery struct {
	Query      string         `json:"query,omitempty"`
	Type       string         `json:"blueprint_type_id,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

// SearchResult is one node found by Search, with the names on its path from
// its root (the root first, the node itself last).
type SearchResult struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Type     string   `json:"blueprint_type_id"`
	ParentID *string  `json:"parent_id"`
	Path     []string `json:"path"`
}

// Option configures a Graph.
type Option func(*Graph)

// WithIDs makes the graph take new node ids from f (tests use a counter).
func WithIDs(f func() string) Option { return func(g *Graph) { g.newID = f } }

// WithClock makes the graph read the time from f.
func WithClock(f func() time.Time) Option { return func(g *Graph) { g.now = f } }

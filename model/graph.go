package model

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

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

// node is a Node as the graph keeps it: its properties in a compact form.
// Node is what leaves the graph (ops, files); node never does.
type node struct {
	ID        string
	Type      string
	Name      string
	ParentID  string // "" for a root
	Children  []string
	props     props
	CreatedAt time.Time
}

// Graph is a forest of nodes typed by one template. Roots are ordered, and
// so are every node's children. A Graph is not safe for concurrent use.
type Graph struct {
	tmpl   *Template
	nodes  map[string]*node
	roots  []string
	newID  func() string
	now    func() time.Time
	limits Limits
	// version counts the changes made to the nodes: equal versions of
	// one graph hold equal nodes (see Version).
	version uint64
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

// NewGraph returns an empty graph typed by t.
func NewGraph(t *Template, opts ...Option) *Graph {
	g := &Graph{
		tmpl:   t,
		nodes:  map[string]*node{},
		newID:  uuid.NewString,
		now:    func() time.Time { return time.Now().UTC() },
		limits: Limits{}.WithDefaults(),
	}
	for _, o := range opts {
		o(g)
	}
	return g
}

// NewProject returns a graph holding one root node of the template's root
// type, named name, with the type's defaults, and the root's id.
func NewProject(t *Template, name string, opts ...Option) (*Graph, string) {
	g := NewGraph(t, opts...)
	if isBlank(name) {
		name = t.RootType().Label
	}
	tx := &Tx{g: g}
	id, err := tx.Create("", t.RootType().ID, name, nil, nil)
	if err != nil {
		// Only a broken template could fail here; ParseTemplate rules that out.
		panic(fmt.Sprintf("model: new project root: %v", err))
	}
	return g, id
}

// Template returns the template the graph is typed by.
func (g *Graph) Template() *Template { return g.tmpl }

// Version identifies the graph's state: it moves with every change to its
// nodes, a change taken back included, and never repeats. A copy or an
// encoding of the graph made at a version is good as long as Version
// returns it.
func (g *Graph) Version() uint64 { return g.version }

// Len returns the number of nodes.
func (g *Graph) Len() int { return len(g.nodes) }

// Roots returns the ids of the root nodes, in order.
func (g *Graph) Roots() []string { return append([]string{}, g.roots...) }

// Node returns a copy of the node with id.
func (g *Graph) Node(id string) (NodeView, bool) {
	n, ok := g.nodes[id]
	if !ok {
		return NodeView{}, false
	}
	return n.view(), true
}

func (n *node) view() NodeView {
	v := NodeView{
		ID:         n.ID,
		Name:       n.Name,
		Type:       n.Type,
		Properties: n.props.toMap(),
		Children:   append([]string{}, n.Children...),
		CreatedAt:  n.CreatedAt,
	}
	if n.ParentID != "" {
		p := n.ParentID
		v.ParentID = &p
	}
	return v
}

// Tree returns a deep copy of the forest, roots and children in order.
func (g *Graph) Tree() []TreeNode {
	out := make([]TreeNode, 0, len(g.roots))
	for _, id := range g.roots {
		out = append(out, g.tree(id))
	}
	return out
}

func (g *Graph) tree(id string) TreeNode {
	n := g.nodes[id]
	t := TreeNode{ID: n.ID, Name: n.Name, Type: n.Type, Properties: n.props.toMap(), Children: make([]TreeNode, 0, len(n.Children))}
	for _, c := range n.Children {
		t.Children = append(t.Children, g.tree(c))
	}
	return t
}

// Equal reports whether g and o hold exactly the same nodes, with the same
// fields, child order and root order, typed by the same template id.
func (g *Graph) Equal(o *Graph) bool {
	if g.tmpl.ID != o.tmpl.ID || len(g.nodes) != len(o.nodes) || !slices.Equal(g.roots, o.roots) {
		return false
	}
	for id, a := range g.nodes {
		b, ok := o.nodes[id]
		if !ok || !a.equal(b) {
			return false
		}
	}
	return true
}

func (n *node) equal(o *node) bool {
	return n.ID == o.ID && n.Type == o.Type && n.Name == o.Name && n.ParentID == o.ParentID &&
		slices.Equal(n.Children, o.Children) && n.CreatedAt.Equal(o.CreatedAt) &&
		n.props.equal(o.props)
}

// Clone returns a deep copy of g (tests and snapshots; commands never copy the graph).
func (g *Graph) Clone() *Graph {
	c := &Graph{tmpl: g.tmpl, nodes: make(map[string]*node, len(g.nodes)), roots: append([]string{}, g.roots...), newID: g.newID, now: g.now, limits: g.limits}
	for id, n := range g.nodes {
		cp := *n
		cp.Children = append([]string{}, n.Children...)
		cp.props = slices.Clone(n.props)
		c.nodes[id] = &cp
	}
	return c
}

// export returns n as a Node of its own (ops hold them).
func (n *node) export() Node {
	return Node{ID: n.ID, Type: n.Type, Name: n.Name, ParentID: n.ParentID, Children: append([]string{}, n.Children...), Properties: n.props.toMap(), CreatedAt: n.CreatedAt}
}

func (n *Node) clone() Node {
	c := *n
	c.Children = append([]string{}, n.Children...)
	c.Properties = cloneProps(n.Properties)
	return c
}

func cloneProps(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

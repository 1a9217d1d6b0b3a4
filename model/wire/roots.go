package wire

import (
	"encoding/json"
	"weak"

	"github.com/talus-tally/server/model"
)

// Roots is a graph's forest — its roots in order, each with its subtree —
// as the JSON array of model.TreeNode a reply carries, encoded once by
// whoever holds the graph and shared read-only after: a session hands the
// same Roots to every reply of one graph version, and no copy of the graph
// ever leaves it. The zero Roots is no forest (it encodes as null).
type Roots struct {
	e *encodedRoots
}

// encodedRoots is what Roots point to, so that a holder of the graph can
// tell by a weak pointer whether an encoding it made is still in use.
type encodedRoots struct {
	json []byte
}

// emptyRoots is the forest of no nodes.
var emptyRoots = Roots{&encodedRoots{json: []byte("[]")}}

// RootsOf encodes g's forest.
func RootsOf(g *model.Graph) (Roots, error) {
	b, err := g.AppendTree(nil)
	if err != nil {
		return Roots{}, err
	}
	return Roots{&encodedRoots{json: b}}, nil
}

// RootsFrom encodes a forest held as TreeNodes.
func RootsFrom(nodes []model.TreeNode) (Roots, error) {
	if nodes == nil {
		nodes = []model.TreeNode{}
	}
	b, err := model.AppendTree(nil, nodes)
	if err != nil {
		return Roots{}, err
	}
	return Roots{&encodedRoots{json: b}}, nil
}

// IsZero reports the zero Roots: no forest at all.
func (r Roots) IsZero() bool { return r.e == nil }

// JSON returns the forest's JSON array (nil for the zero Roots). It is
// shared: do not modify it.
func (r Roots) JSON() []byte {
	if r.e == nil {
		return nil
	}
	return r.e.json
}

// Nodes decodes the forest (tests and tools; the server only passes the
// bytes on).
func (r Roots) Nodes() ([]model.TreeNode, error) {
	if r.e == nil {
		return nil, nil
	}
	var out []model.TreeNode
	err := json.Unmarshal(r.e.json, &out)
	return out, err
}

// AppendJSON implements jsonx.Appender.
func (r Roots) AppendJSON(b []byte) ([]byte, error) {
	if r.e == nil {
		return append(b, "null"...), nil
	}
	return append(b, r.e.json...), nil
}

// MarshalJSON implements json.Marshaler, for encoders other than jsonx.
func (r Roots) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil) }

// RootsCache keeps the newest encoding of a graph's forest, so that replies
// of an unchanged graph share one encoding instead of making their own. It
// holds the encoding weakly: while a reply still carries it, or until the
// collector next runs, a graph of the same version is not encoded again;
// an idle session keeps no second copy of its graph alive. The zero value
// is empty. Not safe for concurrent use: it belongs to the graph's owner.
type RootsCache struct {
	graph   weak.Pointer[model.Graph]
	version uint64
	roots   weak.Pointer[encodedRoots]
	size    int // of the last encoding: the next one is about as large
}

// Get returns g's forest as it is now: the cached encoding when g has not
// changed since it was made and it is still alive, else a new one.
func (c *RootsCache) Get(g *model.Graph) (Roots, error) {
	if c.graph.Value() == g && c.version == g.Version() {
		if e := c.roots.Value(); e != nil {
			return Roots{e}, nil
		}
	}
	// One allocation of about the right size, rather than a buffer grown
	// by doubling: a change moves the size by a node or so.
	b, err := g.AppendTree(make([]byte, 0, c.size+c.size/8+64))
	if err != nil {
		return Roots{}, err
	}
	r := Roots{&encodedRoots{json: b}}
	c.graph, c.version, c.roots, c.size = weak.Make(g), g.Version(), weak.Make(r.e), len(b)
	return r, nil
}

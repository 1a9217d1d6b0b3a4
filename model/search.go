package model

import (
	"reflect"
	"slices"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Search returns the nodes that match q, in tree order (roots in order,
// parents before children).
func (g *Graph) Search(q SearchQuery) []SearchResult {
	out := []SearchResult{}
	query := strings.ToLower(q.Query)
	var path []string
	var walk func(id string)
	walk = func(id string) {
		n := g.nodes[id]
		path = append(path, n.Name)
		if g.matches(n, q.Type, query, q.Properties) {
			out = append(out, SearchResult{ID: n.ID, Name: n.Name, Type: n.Type, ParentID: optional(n.ParentID), Path: slices.Clone(path)})
		}
		for _, c := range n.Children {
			walk(c)
		}
		path = path[:len(path)-1]
	}
	for _, r := range g.roots {
		walk(r)
	}
	return out
}

func (g *Graph) matches(n *node, typ, query string, props map[string]any) bool {
	if typ != "" && n.Type != typ {
		return false
	}
	if query != "" && !strings.Contains(strings.ToLower(n.Name), query) {
		return false
	}
	if len(props) == 0 {
		return true
	}
	nt, ok := g.tmpl.NodeType(n.Type)
	if !ok {
		return false
	}
	for pid, want := range props {
		have, set := n.props.get(pid)
		if !set {
			return false
		}
		def, ok := nt.Property(pid)
		if !ok {
			return false
		}
		// Canonical forms let a select match by option name and a number match
		// whether it came as 12 or "12"; amounts compare by value ("12" finds "12.00").
		cv, err := canonicalValue(def, want)
		if err != nil {
			return false
		}
		if def.Type == TypeCurrency {
			if !sameAmount(cv.(string), have) {
				return false
			}
		} else if !reflect.DeepEqual(cv, have) {
			return false
		}
	}
	return true
}

func sameAmount(a string, b any) bool {
	bs, ok := b.(string)
	if !ok {
		return false
	}
	x, _, err1 := apd.NewFromString(a)
	y, _, err2 := apd.NewFromString(bs)
	return err1 == nil && err2 == nil && x.Cmp(y) == 0
}

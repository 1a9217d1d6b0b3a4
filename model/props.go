package model

import (
	"reflect"
	"slices"
	"strings"

	"github.com/talus-tally/server/model/jsonx"
)

// props holds a graph node's property values, sorted by property id. A node
// has a handful; a slice of them costs a fraction of the smallest map (a
// map of one entry takes over 300 bytes), and a graph of 100,000 nodes
// holds one per node. The ids are the template's own strings, so a node
// holds no copy of them.
type props []prop

type prop struct {
	id    string
	value any
}

// get returns the value of property id and whether it is set.
func (p props) get(id string) (any, bool) {
	for i := range p {
		if p[i].id == id {
			return p[i].value, true
		}
	}
	return nil, false
}

// set sets property id, keeping the order.
func (p *props) set(id string, v any) {
	i, found := slices.BinarySearchFunc(*p, id, func(e prop, id string) int { return strings.Compare(e.id, id) })
	if found {
		(*p)[i].value = v
		return
	}
	*p = slices.Insert(*p, i, prop{id: id, value: v})
}

// del removes property id, if set.
func (p *props) del(id string) {
	*p = slices.DeleteFunc(*p, func(e prop) bool { return e.id == id })
}

// toMap returns the values as a map of its own, never nil: what views and
// files hand out.
func (p props) toMap() map[string]any {
	m := make(map[string]any, len(p))
	for _, e := range p {
		m[e.id] = e.value
	}
	return m
}

// equal reports whether p and o hold the same values.
func (p props) equal(o props) bool {
	if len(p) != len(o) {
		return false
	}
	for i := range p {
		if p[i].id != o[i].id || !reflect.DeepEqual(p[i].value, o[i].value) {
			return false
		}
	}
	return true
}

// appendJSON writes the values as json.Marshal writes their map: an
// object, keys sorted ({} when none).
func (p props) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, e := range p {
		b = jsonx.AppendKey(b, e.id, i == 0)
		if b, err = jsonx.AppendValue(b, e.value); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// propsOf returns values as props under the template's ids (id gives the
// template's string for a key); nil when there are none.
func propsOf(values map[string]any, id func(string) string) props {
	if len(values) == 0 {
		return nil
	}
	p := make(props, 0, len(values))
	for k, v := range values {
		p = append(p, prop{id: id(k), value: v})
	}
	slices.SortFunc(p, func(a, b prop) int { return strings.Compare(a.id, b.id) })
	return p
}

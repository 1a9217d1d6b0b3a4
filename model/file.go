package model

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// FileVersion is the project file version written and read.
const FileVersion = "1.0"

// ToFile returns the graph as a project file (the prototype's format plus
// our name, template_id, project_id and root order). It shares nothing with g.
func (g *Graph) ToFile(projectID, name, templateID string) *ProjectFile {
	pf := &ProjectFile{
		Version:    FileVersion,
		Templates:  []string{templateID + ".yaml"},
		Nodes:      make(map[string]*FileNode, len(g.nodes)),
		Name:       name,
		TemplateID: templateID,
		ProjectID:  projectID,
		Roots:      append([]string{}, g.roots...),
	}
	for id, n := range g.nodes {
		pf.Nodes[id] = &FileNode{
			ID:         n.ID,
			Type:       n.Type,
			Name:       n.Name,
			CreatedAt:  n.CreatedAt.UTC().Format(time.RFC3339Nano),
			Properties: n.props.toMap(),
			Children:   append([]string{}, n.Children...),
			ParentID:   optional(n.ParentID),
		}
	}
	return pf
}

// fileTimeLayouts are the created_at forms accepted: RFC 3339, and Python's
// isoformat() without a zone (read as UTC).
var fileTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"}

func parseFileTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	for _, l := range fileTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// FileTemplateID returns the template a project file is for: template_id,
// or else the first templates entry without its directory and extension
// ("restomod.yaml" is "restomod").
func FileTemplateID(pf *ProjectFile) string {
	if pf.TemplateID != "" {
		return pf.TemplateID
	}
	if len(pf.Templates) == 0 {
		return ""
	}
	base := path.Base(strings.ReplaceAll(pf.Templates[0], "\\", "/"))
	return strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
}

// GraphFromFile checks a project file against its template and builds the
// graph it holds. Ill-formed or hostile files are an *InvalidRequestError
// that says what is wrong, and a file past the graph's budgets (nodes,
// bytes per name or value) a *LimitError; nothing in the file can make it
// panic.
func GraphFromFile(pf *ProjectFile, cat *Catalog, opts ...Option) (g *Graph, t *Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			g, t, err = nil, nil, invalidRequest("project", "unreadable project file")
		}
	}()
	bad := func(field, format string, args ...any) (*Graph, *Template, error) {
		return nil, nil, invalidRequest(field, format, args...)
	}
	if pf == nil {
		return bad("project", "missing project file")
	}
	if pf.Version != "" && pf.Version != FileVersion && !strings.HasPrefix(pf.Version, "1.") {
		return bad("version", "unsupported version %q", pf.Version)
	}
	tid := FileTemplateID(pf)
	if tid == "" {
		return bad("template_id", "the file names no template")
	}
	if cat == nil {
		return bad("template_id", "no templates loaded")
	}
	t, ok := cat.Get(tid)
	if !ok {
		return bad("template_id", "unknown template %q", tid)
	}
	g = NewGraph(t, opts...)
	if err := g.limits.checkNodes(0, len(pf.Nodes)); err != nil {
		return nil, nil, err
	}
	parentOf := map[string]string{}
	for key, fn := range pf.Nodes {
		field := fmt.Sprintf("nodes[%q]", key)
		if fn == nil {
			return bad(field, "null node")
		}
		if key == "" || (fn.ID != "" && fn.ID != key) {
			return bad(field+".id", "node id %q does not match its key", fn.ID)
		}
		nt, ok := t.NodeType(fn.Type)
		if !ok {
			return bad(field+".type", "unknown node type %q", fn.Type)
		}
		created, ok := parseFileTime(fn.CreatedAt)
		if !ok {
			return bad(field+".created_at", "bad time %q", fn.CreatedAt)
		}
		values := make(props, 0, len(fn.Properties))
		for pid, v := range fn.Properties {
			if v == nil {
				continue // the prototype writes null for a property never set
			}
			def, ok := nt.Property(pid)
			if !ok {
				return bad(field+".properties."+pid, "node type %q has no property %q", nt.ID, pid)
			}
			cv, err := canonicalValue(def, v)
			if err != nil {
				return bad(field+".properties."+pid, "%s", reasonOf(err))
			}
			if err := g.limits.checkValue(pid, cv); err != nil {
				return nil, nil, err
			}
			values = append(values, prop{id: def.ID, value: cv}) // the template's string, not the file's
		}
		slices.SortFunc(values, func(a, b prop) int { return strings.Compare(a.id, b.id) })
		name := fn.Name
		if name == "" {
			name = nt.Label
		}
		if err := g.limits.CheckName(name); err != nil {
			return nil, nil, err
		}
		for i, c := range fn.Children {
			if _, ok := pf.Nodes[c]; !ok {
				return bad(fmt.Sprintf("%s.children[%d]", field, i), "no node %q", c)
			}
			if p, dup := parentOf[c]; dup {
				return bad(fmt.Sprintf("%s.children[%d]", field, i), "node %q is listed as a child of both %q and %q", c, p, key)
			}
			if pn := pf.Nodes[c]; pn != nil {
				if ct, ok := t.NodeType(pn.Type); ok && !nt.Allows(ct.ID) {
					return bad(fmt.Sprintf("%s.children[%d]", field, i), "a %q cannot hold a %q", nt.ID, ct.ID)
				}
			}
			parentOf[c] = key
		}
		g.nodes[key] = &node{ID: key, Type: nt.ID, Name: name, Children: append([]string{}, fn.Children...), props: values, CreatedAt: created}
	}
	var roots []string
	for key, fn := range pf.Nodes {
		p, listed := parentOf[key]
		declared := ""
		if fn.ParentID != nil {
			declared = *fn.ParentID
		}
		switch {
		case listed && declared != "" && declared != p:
			return bad(fmt.Sprintf("nodes[%q].parent_id", key), "says %q but node %q lists it as a child", declared, p)
		case !listed && declared != "":
			return bad(fmt.Sprintf("nodes[%q].parent_id", key), "parent %q does not list it as a child", declared)
		case listed:
			g.nodes[key].ParentID = p
		default:
			roots = append(roots, key)
		}
	}
	// Every node must hang from a root; what does not sits on a cycle.
	reached := 0
	stack := append([]string{}, roots...)
	for len(stack) > 0 && reached <= len(g.nodes) {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		reached++
		stack = append(stack, g.nodes[id].Children...)
	}
	if reached != len(g.nodes) {
		return bad("nodes", "the children lists form a cycle")
	}
	// Children name nodes by the nodes' own id strings: the file's copies
	// of them go with the file.
	for _, n := range g.nodes {
		for i, c := range n.Children {
			n.Children[i] = g.nodes[c].ID
		}
	}
	if len(pf.Roots) > 0 {
		if err := sameSet(pf.Roots, roots); err != nil {
			return bad("roots", "%s", err)
		}
		roots = make([]string, len(pf.Roots))
		for i, r := range pf.Roots {
			roots[i] = g.nodes[r].ID
		}
	} else {
		sort.Slice(roots, func(i, j int) bool {
			a, b := g.nodes[roots[i]], g.nodes[roots[j]]
			if !a.CreatedAt.Equal(b.CreatedAt) {
				return a.CreatedAt.Before(b.CreatedAt)
			}
			return a.ID < b.ID
		})
	}
	g.roots = roots
	return g, t, nil
}

func sameSet(listed, actual []string) error {
	want := make(map[string]bool, len(actual))
	for _, r := range actual {
		want[r] = true
	}
	seen := map[string]bool{}
	for _, r := range listed {
		if !want[r] {
			return fmt.Errorf("%q is not a parentless node", r)
		}
		if seen[r] {
			return fmt.Errorf("%q is listed twice", r)
		}
		seen[r] = true
	}
	if len(seen) != len(want) {
		return fmt.Errorf("lists %d roots but the file has %d parentless nodes", len(seen), len(want))
	}
	return nil
}

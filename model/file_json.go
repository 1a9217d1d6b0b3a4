package model

import (
	"slices"
	"time"

	"github.com/talus-tally/server/model/jsonx"
)

// AppendFile appends the graph as a project file, exactly the bytes
// json.Marshal writes for g.ToFile(projectID, name, templateID), without
// building that copy: checkpoints write the whole graph, and on a large one
// the copy and encoding/json's reflection were most of the cost.
func (g *Graph) AppendFile(b []byte, projectID, name, templateID string) ([]byte, error) {
	b = append(b, `{"version":`...)
	b = jsonx.AppendString(b, FileVersion)
	b = append(b, `,"templates":[`...)
	b = jsonx.AppendString(b, templateID+".yaml")
	b = append(b, `],"nodes":{`...)
	ids := make([]string, 0, len(g.nodes))
	for id := range g.nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids) // as encoding/json orders a map
	var err error
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendString(b, id)
		b = append(b, ':')
		if b, err = g.nodes[id].appendFileNode(b); err != nil {
			return b, err
		}
	}
	b = append(b, '}')
	if name != "" {
		b = append(b, `,"name":`...)
		b = jsonx.AppendString(b, name)
	}
	if templateID != "" {
		b = append(b, `,"template_id":`...)
		b = jsonx.AppendString(b, templateID)
	}
	if projectID != "" {
		b = append(b, `,"project_id":`...)
		b = jsonx.AppendString(b, projectID)
	}
	if len(g.roots) > 0 {
		b = append(b, `,"roots":`...)
		b, _ = jsonx.AppendValue(b, g.roots)
	}
	return append(b, '}'), nil
}

// appendFileNode writes n as its FileNode.
func (n *node) appendFileNode(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, n.ID)
	b = append(b, `,"type":`...)
	b = jsonx.AppendString(b, n.Type)
	b = append(b, `,"name":`...)
	b = jsonx.AppendString(b, n.Name)
	b = append(b, `,"created_at":"`...)
	b = n.CreatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","properties":`...)
	b, err := n.props.appendJSON(b)
	if err != nil {
		return b, err
	}
	b = append(b, `,"children":`...)
	if len(n.Children) == 0 {
		b = append(b, "[]"...)
	} else {
		b, _ = jsonx.AppendValue(b, n.Children)
	}
	b = append(b, `,"parent_id":`...)
	if n.ParentID == "" {
		b = append(b, "null"...)
	} else {
		b = jsonx.AppendString(b, n.ParentID)
	}
	return append(b, '}'), nil
}

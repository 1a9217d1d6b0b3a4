package model

// ProjectFile is the prototype's saved-project format. Fields after Nodes are
// ours; files that lack them still load.
type ProjectFile struct {
	Version    string               `json:"version"`
	Templates  []string             `json:"templates"`
	Nodes      map[string]*FileNode `json:"nodes"`
	Name       string               `json:"name,omitempty"`
	TemplateID string               `json:"template_id,omitempty"`
	ProjectID  string               `json:"project_id,omitempty"`
	Roots      []string             `json:"roots,omitempty"` // root order; the prototype's files have none
}

// FileNode is one node in a ProjectFile.
type FileNode struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	CreatedAt  string         `json:"created_at,omitempty"` // RFC 3339, or the prototype's isoformat without zone
	Properties map[string]any `json:"properties"`
	Children   []string       `json:"children"`
	ParentID   *string        `json:"parent_id"`
}

package model

import (
	"regexp"
	"strings"
)

// Property types.
const (
	TypeText     = "text"
	TypeNumber   = "number"
	TypeCurrency = "currency"
	TypeBoolean  = "boolean"
	TypeDate     = "date"
	TypeSelect   = "select"
)

// Template (a blueprint) defines node types, which children each may hold and
// their typed properties. The first node type is the root type. A Template is
// immutable once parsed.
type Template struct {
	ID          string
	Name        string
	Description string
	NodeTypes   []NodeType
	Source      string // file it came from, or "builtin:<id>.yaml"
}

// NodeType is one kind of node.
type NodeType struct {
	ID              string
	Label           string
	AllowedChildren []string
	Properties      []PropertyDef
}

// PropertyDef is one typed property of a node type.
type PropertyDef struct {
	ID       string
	Label    string
	Type     string
	Required bool
	Default  any // canonical value, nil when none
	Options  []SelectOption
}

// SelectOption is one choice of a select property. ID is given in the YAML
// or derived deterministically (UUIDv5 of template/node type/property/name).
type SelectOption struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	IndicatorID string `json:"indicator_id,omitempty"`
	Bullet      string `json:"bullet,omitempty"`
}

// TemplateError reports why a template failed to load: file, path inside it
// (e.g. "node_types[2].properties[0].type") and reason.
type TemplateError struct {
	File   string
	Path   string
	Reason string
}

// Error says which file, where in it and why.
func (e *TemplateError) Error() string {
	if e.Path == "" {
		return "template " + e.File + ": " + e.Reason
	}
	return "template " + e.File + ": " + e.Path + ": " + e.Reason
}

// templateIDPattern keeps template ids usable as file names.
var templateIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// NodeType returns the node type with id.
func (t *Template) NodeType(id string) (*NodeType, bool) {
	for i := range t.NodeTypes {
		if t.NodeTypes[i].ID == id {
			return &t.NodeTypes[i], true
		}
	}
	return nil, false
}

// RootType returns the template's first node type, the type of a project's root.
func (t *Template) RootType() *NodeType { return &t.NodeTypes[0] }

// Property returns the property definition with id.
func (nt *NodeType) Property(id string) (*PropertyDef, bool) {
	for i := range nt.Properties {
		if nt.Properties[i].ID == id {
			return &nt.Properties[i], true
		}
	}
	return nil, false
}

// Allows reports whether a node of type childType may be a child of nt.
func (nt *NodeType) Allows(childType string) bool {
	for _, c := range nt.AllowedChildren {
		if c == childType {
			return true
		}
	}
	return false
}

// Option returns the select option whose id, or else whose exact name, is s.
func (p *PropertyDef) Option(s string) (SelectOption, bool) {
	for _, o := range p.Options {
		if o.ID == s {
			return o, true
		}
	}
	for _, o := range p.Options {
		if o.Name == s {
			return o, true
		}
	}
	return SelectOption{}, false
}

// TemplateSchema is the JSON form of GET /templates/{tid}/schema.
type TemplateSchema struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	NodeTypes   []NodeTypeSchema `json:"node_types"`
}

// NodeTypeSchema is one node type inside TemplateSchema.
type NodeTypeSchema struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	AllowedChildren []string         `json:"allowed_children"`
	Properties      []PropertySchema `json:"properties"`
}

// PropertySchema is one property inside NodeTypeSchema. Options is null for
// properties that are not selects.
type PropertySchema struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Type     string         `json:"type"`
	Required bool           `json:"required"`
	Default  any            `json:"default"`
	Options  []OptionSchema `json:"options"`
}

// OptionSchema is one select option inside PropertySchema, every field present.
type OptionSchema struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	IndicatorID string `json:"indicator_id"`
	Bullet      string `json:"bullet"`
}

// Schema returns the template as clients see it. It shares nothing with t.
func (t *Template) Schema() TemplateSchema {
	s := TemplateSchema{ID: t.ID, Name: t.Name, Description: t.Description, NodeTypes: make([]NodeTypeSchema, 0, len(t.NodeTypes))}
	for _, nt := range t.NodeTypes {
		ns := NodeTypeSchema{
			ID:              nt.ID,
			Name:            nt.Label,
			AllowedChildren: append([]string{}, nt.AllowedChildren...),
			Properties:      make([]PropertySchema, 0, len(nt.Properties)),
		}
		for _, p := range nt.Properties {
			ps := PropertySchema{ID: p.ID, Name: p.Label, Type: p.Type, Required: p.Required, Default: p.initial()}
			if p.Type == TypeSelect {
				ps.Options = make([]OptionSchema, 0, len(p.Options))
				for _, o := range p.Options {
					ps.Options = append(ps.Options, OptionSchema{ID: o.ID, Name: o.Name, IndicatorID: o.IndicatorID, Bullet: o.Bullet})
				}
			}
			ns.Properties = append(ns.Properties, ps)
		}
		s.NodeTypes = append(s.NodeTypes, ns)
	}
	return s
}

// defaults returns the properties a new node of nt starts with.
func (nt *NodeType) defaults() map[string]any {
	props := map[string]any{}
	for _, p := range nt.Properties {
		if v := p.initial(); v != nil {
			props[p.ID] = v
		}
	}
	return props
}

// initial is the value a new node starts with: the template default, else
// for a select "status" its first option (SPEC §1), else none. The schema
// shows the same value, so a client pre-filling a form agrees with the server.
func (p *PropertyDef) initial() any {
	switch {
	case p.Default != nil:
		return p.Default
	case p.Type == TypeSelect && p.ID == "status" && len(p.Options) > 0:
		return p.Options[0].ID
	}
	return nil
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

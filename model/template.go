package model

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

// ParseTemplate parses and validates one template's YAML. source names the
// file in errors. Errors are a *TemplateError.
func ParseTemplate(source string, data []byte) (*Template, error) { panic("unimplemented") }

// TemplateError reports why a template failed to load: file, path inside it
// (e.g. "node_types[2].properties[0].type") and reason.
type TemplateError struct {
	File   string
	Path   string
	Reason string
}

// Catalog is the set of templates the server serves, keyed by id.
type Catalog struct {
	byID  map[string]*Template
	order []string
}

// LoadCatalog returns the built-in templates, overridden or extended by the
// <id>.yaml files of dir (dir may be ""). Templates that fail to load are
// returned as errors and left out; the rest still load.
func LoadCatalog(dir string) (*Catalog, []error) { panic("unimplemented") }

// Get returns the template with id.
func (c *Catalog) Get(id string) (*Template, bool) { panic("unimplemented") }

// List returns every template, sorted by id.
func (c *Catalog) List() []*Template { panic("unimplemented") }

package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"
)

// OptionNamespace is the UUIDv5 namespace of derived select option ids. It
// must never change: saved projects hold option ids derived from it.
var OptionNamespace = uuid.MustParse("6f1c1e0a-5d0b-4f43-9a55-2c8f0d7b9e3a")

// maxTemplateBytes bounds a template file; real ones are a few KiB.
const maxTemplateBytes = 1 << 20

type yamlTemplate struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	NodeTypes   []yamlNodeType `yaml:"node_types"`
}

type yamlNodeType struct {
	ID              string         `yaml:"id"`
	Label           string         `yaml:"label"`
	AllowedChildren []string       `yaml:"allowed_children"`
	Properties      []yamlProperty `yaml:"properties"`
}

type yamlProperty struct {
	ID       string      `yaml:"id"`
	Label    string      `yaml:"label"`
	Type     string      `yaml:"type"`
	Required bool        `yaml:"required"`
	Value    yaml.Node   `yaml:"value"`
	Options  []yaml.Node `yaml:"options"`
}

type yamlOption struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	IndicatorID string `yaml:"indicator_id"`
	Bullet      string `yaml:"bullet"`
}

// ParseTemplate parses and validates one template's YAML. source names the
// file in errors. Errors are a *TemplateError.
func ParseTemplate(source string, data []byte) (t *Template, err error) {
	fail := func(path, format string, args ...any) (*Template, error) {
		return nil, &TemplateError{File: source, Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a template is never worth a crash.
		if r := recover(); r != nil {
			t, err = nil, &TemplateError{File: source, Reason: fmt.Sprintf("unreadable YAML: %v", r)}
		}
	}()
	if len(data) > maxTemplateBytes {
		return fail("", "file is larger than %d bytes", maxTemplateBytes)
	}
	var y yamlTemplate
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&y); err != nil {
		return fail("", "bad YAML: %v", err)
	}
	if y.ID == "" {
		return fail("id", "missing template id")
	}
	if !templateIDPattern.MatchString(y.ID) {
		return fail("id", "template id %q may hold only letters, digits, '_', '-' and '.'", y.ID)
	}
	if len(y.NodeTypes) == 0 {
		return fail("node_types", "a template needs at least one node type")
	}
	t = &Template{ID: y.ID, Name: y.Name, Description: y.Description, Source: source}
	if t.Name == "" {
		t.Name = y.ID
	}
	types := map[string]bool{}
	for i, yn := range y.NodeTypes {
		p := fmt.Sprintf("node_types[%d]", i)
		if yn.ID == "" {
			return fail(p+".id", "missing node type id")
		}
		if types[yn.ID] {
			return fail(p+".id", "duplicate node type id %q", yn.ID)
		}
		types[yn.ID] = true
	}
	for i, yn := range y.NodeTypes {
		p := fmt.Sprintf("node_types[%d]", i)
		nt := NodeType{ID: yn.ID, Label: yn.Label, AllowedChildren: []string{}, Properties: []PropertyDef{}}
		if nt.Label == "" {
			nt.Label = yn.ID
		}
		seen := map[string]bool{}
		for j, c := range yn.AllowedChildren {
			cp := fmt.Sprintf("%s.allowed_children[%d]", p, j)
			if !types[c] {
				return fail(cp, "unknown node type %q", c)
			}
			if seen[c] {
				return fail(cp, "duplicate child type %q", c)
			}
			seen[c] = true
			nt.AllowedChildren = append(nt.AllowedChildren, c)
		}
		props := map[string]bool{}
		for j, yp := range yn.Properties {
			pp := fmt.Sprintf("%s.properties[%d]", p, j)
			if yp.ID == "" {
				return fail(pp+".id", "missing property id")
			}
			if props[yp.ID] {
				return fail(pp+".id", "duplicate property id %q", yp.ID)
			}
			props[yp.ID] = true
			def := PropertyDef{ID: yp.ID, Label: yp.Label, Type: yp.Type, Required: yp.Required}
			if def.Label == "" {
				def.Label = yp.ID
			}
			switch yp.Type {
			case TypeText, TypeNumber, TypeCurrency, TypeBoolean, TypeDate:
				if len(yp.Options) > 0 {
					return fail(pp+".options", "options are only for select properties")
				}
			case TypeSelect:
				if len(yp.Options) == 0 {
					return fail(pp+".options", "a select property needs options")
				}
				opts, path, reason := parseOptions(y.ID, nt.ID, def.ID, yp.Options)
				if reason != "" {
					return fail(pp+".options"+path, "%s", reason)
				}
				def.Options = opts
			case "":
				return fail(pp+".type", "missing property type")
			default:
				return fail(pp+".type", "unknown property type %q", yp.Type)
			}
			if yp.Value.Kind != 0 {
				raw, reason := yamlScalar(&yp.Value)
				if reason != "" {
					return fail(pp+".value", "%s", reason)
				}
				if raw != nil {
					v, err := canonicalValue(&def, raw)
					if err != nil {
						return fail(pp+".value", "bad default: %s", reasonOf(err))
					}
					def.Default = v
				}
			}
			nt.Properties = append(nt.Properties, def)
		}
		t.NodeTypes = append(t.NodeTypes, nt)
	}
	return t, nil
}

// parseOptions reads select options, given as plain strings or as objects.
// It returns the sub-path and reason of the first problem.
func parseOptions(tid, ntid, pid string, nodes []yaml.Node) ([]SelectOption, string, string) {
	opts := make([]SelectOption, 0, len(nodes))
	ids, names := map[string]bool{}, map[string]bool{}
	for k := range nodes {
		n := &nodes[k]
		path := fmt.Sprintf("[%d]", k)
		var o yamlOption
		switch n.Kind {
		case yaml.ScalarNode:
			if n.Tag == "!!null" {
				return nil, path, "empty option"
			}
			o.Name = n.Value
		case yaml.MappingNode:
			if err := n.Decode(&o); err != nil {
				return nil, path, fmt.Sprintf("bad option: %v", err)
			}
		default:
			return nil, path, "an option is a string or an object {name, id, indicator_id, bullet}"
		}
		if o.Name == "" {
			return nil, path + ".name", "missing option name"
		}
		if o.ID == "" {
			o.ID = uuid.NewSHA1(OptionNamespace, []byte(tid+"/"+ntid+"/"+pid+"/"+o.Name)).String()
		}
		if names[o.Name] {
			return nil, path + ".name", fmt.Sprintf("duplicate option name %q", o.Name)
		}
		if ids[o.ID] {
			return nil, path + ".id", fmt.Sprintf("duplicate option id %q", o.ID)
		}
		names[o.Name], ids[o.ID] = true, true
		opts = append(opts, SelectOption{ID: o.ID, Name: o.Name, IndicatorID: o.IndicatorID, Bullet: o.Bullet})
	}
	return opts, "", ""
}

// yamlScalar turns a YAML default into the value a JSON client would send:
// numbers keep their literal (so a currency default stays exact).
func yamlScalar(n *yaml.Node) (any, string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return nil, "a default value must be a scalar"
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, ""
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err.Error()
		}
		return b, ""
	case "!!int", "!!float":
		if json.Valid([]byte(n.Value)) {
			return json.Number(n.Value), ""
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err.Error()
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), ""
	default:
		return n.Value, ""
	}
}

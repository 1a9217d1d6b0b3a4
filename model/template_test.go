package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuiltinTemplates(t *testing.T) {
	cat := testCatalog(t)
	var ids []string
	for _, tm := range cat.List() {
		ids = append(ids, tm.ID)
		assert.NotEmpty(t, tm.Name)
		assert.NotEmpty(t, tm.Description)
		assert.GreaterOrEqual(t, len(tm.NodeTypes), 3)
		hasStatus := false
		for _, nt := range tm.NodeTypes {
			if p, ok := nt.Property("status"); ok && p.Type == TypeSelect {
				hasStatus = true
			}
		}
		assert.True(t, hasStatus, tm.ID)
	}
	assert.Equal(t, []string{"book", "restomod", "software_development"}, ids)
}

func TestRestomodShape(t *testing.T) {
	tm := restomod(t)
	type prop struct{ id, typ string }
	want := []struct {
		id       string
		children []string
		props    []prop
	}{
		{"project_root", []string{"phase"}, []prop{{"vehicle", TypeText}, {"vin", TypeText}, {"budget", TypeCurrency}}},
		{"phase", []string{"job"}, []prop{{"status", TypeSelect}, {"start_date", TypeDate}}},
		{"job", []string{"task"}, []prop{{"priority", TypeSelect}, {"description", TypeText}}},
		{"task", []string{"part"}, []prop{{"status", TypeSelect}, {"cost", TypeCurrency}, {"impact", TypeNumber}, {"effort", TypeNumber}, {"estimated_hours", TypeNumber}, {"notes", TypeText}}},
		{"part", []string{}, []prop{{"sku", TypeText}, {"supplier", TypeText}, {"status", TypeSelect}, {"cost", TypeCurrency}, {"quantity", TypeNumber}, {"link", TypeText}}},
	}
	require.Len(t, tm.NodeTypes, len(want))
	assert.Equal(t, "project_root", tm.RootType().ID)
	for i, w := range want {
		nt := tm.NodeTypes[i]
		assert.Equal(t, w.id, nt.ID)
		assert.Equal(t, w.children, nt.AllowedChildren)
		var got []prop
		for _, p := range nt.Properties {
			got = append(got, prop{p.ID, p.Type})
		}
		assert.Equal(t, w.props, got, w.id)
	}
	options := func(nt, p string) []string {
		n, _ := tm.NodeType(nt)
		d, _ := n.Property(p)
		var out []string
		for _, o := range d.Options {
			out = append(out, o.Name)
		}
		return out
	}
	assert.Equal(t, []string{"Planned", "In Progress", "Completed"}, options("phase", "status"))
	assert.Equal(t, []string{"Low", "Medium", "High", "Critical"}, options("job", "priority"))
	assert.Equal(t, []string{"Not Started", "In Progress", "Blocked", "Done"}, options("task", "status"))
	assert.Equal(t, []string{"Need to Order", "Ordered", "Shipped", "Received", "Installed"}, options("part", "status"))
	root := tm.RootType()
	vehicle, _ := root.Property("vehicle")
	assert.True(t, vehicle.Required)
	part, _ := tm.NodeType("part")
	qty, _ := part.Property("quantity")
	assert.Equal(t, float64(1), qty.Default)
}

func TestOptionIDsAreDeterministic(t *testing.T) {
	a, errs := LoadCatalog("")
	require.Empty(t, errs)
	b, errs := LoadCatalog("")
	require.Empty(t, errs)
	ta, _ := a.Get("restomod")
	tb, _ := b.Get("restomod")
	assert.Equal(t, ta.Schema(), tb.Schema())
	phase, _ := ta.NodeType("phase")
	st, _ := phase.Property("status")
	// Saved projects hold these ids: the golden value pins the namespace and the
	// "template/type/property/name" recipe, so a change to either fails here.
	assert.Equal(t, "cdf4d72f-5b78-5e26-abfc-158f94cd428c", st.Options[0].ID)
	assert.Equal(t, uuid.NewSHA1(OptionNamespace, []byte("restomod/phase/status/Planned")).String(), st.Options[0].ID)
	task, _ := ta.NodeType("task")
	tst, _ := task.Property("status")
	assert.NotEqual(t, st.Options[1].ID, tst.Options[1].ID, "same name under another type gets another id")
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		name, yaml, path string
	}{
		{"bad yaml", "id: [", ""},
		{"missing id", "name: x\nnode_types: [{id: a}]", "id"},
		{"bad id", "id: ../x\nnode_types: [{id: a}]", "id"},
		{"no node types", "id: x", "node_types"},
		{"node type without id", "id: x\nnode_types: [{id: a}, {label: B}]", "node_types[1].id"},
		{"duplicate node type", "id: x\nnode_types: [{id: a}, {id: a}]", "node_types[1].id"},
		{"unknown child", "id: x\nnode_types: [{id: a, allowed_children: [b]}]", "node_types[0].allowed_children[0]"},
		{"unknown property type", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: color}]", "node_types[0].properties[0].type"},
		{"missing property type", "id: x\nnode_types:\n - id: a\n   properties: [{id: p}]", "node_types[0].properties[0].type"},
		{"property without id", "id: x\nnode_types:\n - id: a\n   properties: [{type: text}]", "node_types[0].properties[0].id"},
		{"duplicate property", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: text}, {id: p, type: number}]", "node_types[0].properties[1].id"},
		{"select without options", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: select}]", "node_types[0].properties[0].options"},
		{"duplicate option", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: select, options: [A, A]}]", "node_types[0].properties[0].options[1].name"},
		{"duplicate option id", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: select, options: [{name: A, id: q}, {name: B, id: q}]}]", "node_types[0].properties[0].options[1].id"},
		{"option without name", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: select, options: [{id: q}]}]", "node_types[0].properties[0].options[0].name"},
		{"options on text", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: text, options: [A]}]", "node_types[0].properties[0].options"},
		{"bad default", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: date, value: tomorrow}]", "node_types[0].properties[0].value"},
		{"bad select default", "id: x\nnode_types:\n - id: a\n   properties: [{id: p, type: select, options: [A], value: B}]", "node_types[0].properties[0].value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTemplate("f.yaml", []byte(tc.yaml))
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "f.yaml", te.File)
			assert.Equal(t, tc.path, te.Path)
			assert.NotEmpty(t, te.Reason)
			assert.Contains(t, err.Error(), "f.yaml")
		})
	}
}

func TestParseTemplateOptionsAndDefaults(t *testing.T) {
	tm, err := ParseTemplate("x.yaml", []byte(`
id: x
node_types:
  - id: a
    properties:
      - {id: s, type: select, value: Two, options: [One, {name: Two, id: two, indicator_id: green, bullet: "*"}]}
      - {id: c, type: currency, value: 1234.50}
      - {id: b, type: boolean, value: true}
      - {id: d, type: date, value: 2026-03-01}
`))
	require.NoError(t, err)
	a := tm.RootType()
	assert.Equal(t, "a", a.Label, "label defaults to the id")
	s, _ := a.Property("s")
	assert.Equal(t, "two", s.Default)
	assert.Equal(t, SelectOption{ID: "two", Name: "Two", IndicatorID: "green", Bullet: "*"}, s.Options[1])
	c, _ := a.Property("c")
	assert.Equal(t, "1234.50", c.Default)
	b, _ := a.Property("b")
	assert.Equal(t, true, b.Default)
	d, _ := a.Property("d")
	assert.Equal(t, "2026-03-01", d.Default)
}

func TestLoadCatalogDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	write("restomod.yaml", "id: restomod\nname: Custom\nnode_types: [{id: car}]")
	write("garden.yaml", "id: garden\nnode_types: [{id: bed, allowed_children: [plant]}, {id: plant}]")
	write("broken.yaml", "id: broken\nnode_types: [{id: a, allowed_children: [zzz]}]")
	write("other.yaml", "id: notother\nnode_types: [{id: a}]")
	write("readme.txt", "not a template")
	cat, errs := LoadCatalog(dir)
	require.Len(t, errs, 2)
	byFile := map[string]*TemplateError{}
	for _, e := range errs {
		var te *TemplateError
		require.ErrorAs(t, e, &te)
		byFile[filepath.Base(te.File)] = te
	}
	assert.Equal(t, "node_types[0].allowed_children[0]", byFile["broken.yaml"].Path)
	assert.Equal(t, "id", byFile["other.yaml"].Path)
	r, ok := cat.Get("restomod")
	require.True(t, ok)
	assert.Equal(t, "Custom", r.Name)
	_, ok = cat.Get("garden")
	assert.True(t, ok)
	_, ok = cat.Get("book")
	assert.True(t, ok, "built-ins still load")
	_, err := cat.Lookup("broken")
	assert.ErrorIs(t, err, ErrTemplateNotFound)

	_, errs = LoadCatalog(filepath.Join(dir, "missing"))
	assert.Len(t, errs, 1)
}

func TestSchemaJSON(t *testing.T) {
	b, err := json.Marshal(restomod(t).Schema())
	require.NoError(t, err)
	var s struct {
		ID        string `json:"id"`
		NodeTypes []struct {
			ID              string   `json:"id"`
			Name            string   `json:"name"`
			AllowedChildren []string `json:"allowed_children"`
			Properties      []struct {
				ID       string           `json:"id"`
				Name     string           `json:"name"`
				Type     string           `json:"type"`
				Required bool             `json:"required"`
				Default  any              `json:"default"`
				Options  []map[string]any `json:"options"`
			} `json:"properties"`
		} `json:"node_types"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	assert.Equal(t, "restomod", s.ID)
	assert.Equal(t, "Project", s.NodeTypes[0].Name)
	assert.Equal(t, "vehicle", s.NodeTypes[0].Properties[0].ID)
	assert.True(t, s.NodeTypes[0].Properties[0].Required)
	assert.Nil(t, s.NodeTypes[0].Properties[0].Options)
	assert.Contains(t, string(b), `"options":null`)
	assert.NotNil(t, s.NodeTypes[4].AllowedChildren)
	opt := s.NodeTypes[1].Properties[0].Options[0]
	assert.Equal(t, "Planned", opt["name"])
	assert.Equal(t, opt["id"], s.NodeTypes[1].Properties[0].Default,
		"a select status shows the first option as its default, as CreateNode uses it")
	for _, k := range []string{"id", "name", "indicator_id", "bullet"} {
		assert.Contains(t, opt, k)
	}
	assert.Equal(t, float64(1), s.NodeTypes[4].Properties[4].Default)
}

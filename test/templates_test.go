package test

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTemplates(t *testing.T) {
	s := startServer(t)

	list := s.ok(t, nethttp.StatusOK, "GET", "/templates", nil)["templates"].([]any)
	var ids []string
	for _, v := range list {
		tmpl := v.(map[string]any)
		ids = append(ids, tmpl["id"].(string))
		assert.NotEmpty(t, tmpl["name"])
		assert.Contains(t, tmpl, "description")
	}
	assert.Equal(t, []string{"book", "restomod", "software_development"}, ids, "sorted by id")

	schema := s.ok(t, nethttp.StatusOK, "GET", "/templates/restomod/schema", nil)
	assert.Equal(t, "restomod", schema["id"])
	types := map[string]map[string]any{}
	var order []string
	for _, v := range schema["node_types"].([]any) {
		nt := v.(map[string]any)
		types[nt["id"].(string)] = nt
		order = append(order, nt["id"].(string))
	}
	assert.Equal(t, []string{"project_root", "phase", "job", "task", "part"}, order)
	assert.Equal(t, []any{"phase"}, types["project_root"]["allowed_children"])
	assert.Equal(t, []any{}, types["part"]["allowed_children"])

	props := map[string]map[string]any{}
	for _, v := range types["task"]["properties"].([]any) {
		p := v.(map[string]any)
		props[p["id"].(string)] = p
	}
	require.Contains(t, props, "status")
	assert.Equal(t, "select", props["status"]["type"])
	var names []string
	for _, v := range props["status"]["options"].([]any) {
		o := v.(map[string]any)
		assert.NotEmpty(t, o["id"])
		assert.Contains(t, o, "indicator_id")
		assert.Contains(t, o, "bullet")
		names = append(names, o["name"].(string))
	}
	assert.Equal(t, []string{"Not Started", "In Progress", "Blocked", "Done"}, names)
	assert.Equal(t, "currency", props["cost"]["type"])
	assert.Nil(t, props["cost"]["options"], "options are null for non-select properties")

	again := s.ok(t, nethttp.StatusOK, "GET", "/templates/restomod/schema", nil)
	assert.Equal(t, schema, again, "option ids are stable")

	requireError(t, s.do(t, "GET", "/templates/spaceship/schema", nil), nethttp.StatusNotFound, "TEMPLATE_NOT_FOUND")
}

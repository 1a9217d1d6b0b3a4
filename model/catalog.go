package model

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed templates/*.yaml
var builtinTemplates embed.FS

// Catalog is the set of templates the server serves, keyed by id.
type Catalog struct {
	byID  map[string]*Template
	order []string
}

// NewCatalog returns a catalog holding ts; a later template replaces an
// earlier one with the same id.
func NewCatalog(ts ...*Template) *Catalog {
	c := &Catalog{byID: map[string]*Template{}}
	for _, t := range ts {
		c.put(t)
	}
	return c
}

func (c *Catalog) put(t *Template) {
	if _, ok := c.byID[t.ID]; !ok {
		c.order = append(c.order, t.ID)
		sort.Strings(c.order)
	}
	c.byID[t.ID] = t
}

// LoadCatalog returns the built-in templates, overridden or extended by the
// <id>.yaml files of dir (dir may be ""). Templates that fail to load are
// returned as errors and left out; the rest still load.
func LoadCatalog(dir string) (*Catalog, []error) {
	c := NewCatalog()
	var errs []error
	entries, _ := fs.ReadDir(builtinTemplates, "templates")
	for _, e := range entries {
		data, err := builtinTemplates.ReadFile("templates/" + e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := ParseTemplate("builtin:"+e.Name(), data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.put(t)
	}
	if dir == "" {
		return c, errs
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		return c, append(errs, fmt.Errorf("template directory: %w", err))
	}
	for _, f := range files {
		if f.IsDir() || !strings.HasSuffix(f.Name(), ".yaml") {
			continue
		}
		path := filepath.Join(dir, f.Name())
		t, err := loadTemplateFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.put(t)
	}
	return c, errs
}

func loadTemplateFile(path string) (*Template, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &TemplateError{File: path, Reason: err.Error()}
	}
	if info.Size() > maxTemplateBytes {
		return nil, &TemplateError{File: path, Reason: fmt.Sprintf("file is larger than %d bytes", maxTemplateBytes)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &TemplateError{File: path, Reason: err.Error()}
	}
	t, err := ParseTemplate(path, data)
	if err != nil {
		return nil, err
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".yaml"); t.ID != want {
		return nil, &TemplateError{File: path, Path: "id", Reason: fmt.Sprintf("template id %q does not match the file name (want %q)", t.ID, want)}
	}
	return t, nil
}

// Get returns the template with id.
func (c *Catalog) Get(id string) (*Template, bool) {
	t, ok := c.byID[id]
	return t, ok
}

// Lookup is Get with an error wrapping ErrTemplateNotFound.
func (c *Catalog) Lookup(id string) (*Template, error) {
	if t, ok := c.byID[id]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("template %q: %w", id, ErrTemplateNotFound)
}

// List returns every template, sorted by id.
func (c *Catalog) List() []*Template {
	out := make([]*Template, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.byID[id])
	}
	return out
}

// reasonOf returns the client-safe reason of a model error.
func reasonOf(err error) string {
	var ic *InvalidCommandError
	if errors.As(err, &ic) {
		return ic.Reason
	}
	var ir *InvalidRequestError
	if errors.As(err, &ir) {
		return ir.Reason
	}
	return err.Error()
}

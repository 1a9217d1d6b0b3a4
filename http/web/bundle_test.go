package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sourcesHash is build.mjs's sourcesHash: for each input file in byte order
// of its slash path, "path\0hex(sha256(content))\n", hashed with SHA-256.
func sourcesHash(t *testing.T) string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("src", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, filepath.ToSlash(p))
		}
		return err
	})
	require.NoError(t, err)
	files = append(files, "package.json", "package-lock.json", "build.mjs")
	slices.Sort(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		fmt.Fprintf(h, "%s\x00%s\n", f, hex.EncodeToString(sum[:]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

var sourcesMeta = regexp.MustCompile(`<meta name="talus-sources" content="sha256:([0-9a-f]{64})">`)

// TestBundleMatchesSources fails when src/, the lock file or the build
// script changed after dist/ was built: the committed (and embedded) page
// would not be the one the sources describe. It needs nothing but Go.
func TestBundleMatchesSources(t *testing.T) {
	want := sourcesHash(t)
	index, err := fs.ReadFile(dist, "dist/index.html")
	require.NoError(t, err)
	m := sourcesMeta.FindSubmatch(index)
	require.NotNil(t, m, "dist/index.html records no sources hash: run make web")
	require.Equal(t, want, string(m[1]), "dist/ was built from other sources than http/web/src: run make web and commit dist/")

	// Every asset says which sources it was built from, too, so a stale
	// asset left beside a fresh index.html is caught.
	assets, err := fs.ReadDir(dist, "dist/assets")
	require.NoError(t, err)
	for _, a := range assets {
		if ext := filepath.Ext(a.Name()); ext != ".js" && ext != ".css" {
			continue
		}
		b, err := fs.ReadFile(dist, "dist/assets/"+a.Name())
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(b, []byte("/* Talus Tally web client, built by make web (http/web/build.mjs) from sources sha256:"+want)),
			"%s was not built from the current sources: run make web", a.Name())
		assert.Contains(t, string(index), "/assets/"+a.Name(), "%s is not used by index.html: a leftover of an older build", a.Name())
	}
}

// TestBundleRebuildsIdentically builds the client again into a temporary
// directory with the locked esbuild and requires the very bytes committed in
// dist/. node is on every machine that runs the tests; esbuild comes from
// npm ci --prefix http/web, which make test and make web run.
func TestBundleRebuildsIdentically(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("rebuilding the web client needs node on PATH: %v", err)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "esbuild", "package.json")); err != nil {
		t.Fatalf("esbuild is not installed: run make web-deps (npm ci --prefix http/web): %v", err)
	}
	out := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("node", "build.mjs", "--outdir", out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "node build.mjs: %s", b)

	want := readTree(t, "dist")
	got := readTree(t, out)
	require.Equal(t, keys(want), keys(got), "the rebuild writes other files than dist/ holds: run make web and commit dist/")
	for name, w := range want {
		if !bytes.Equal(w, got[name]) {
			t.Errorf("dist/%s differs from a fresh build: run make web and commit dist/", name)
		}
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	require.NoError(t, err)
	return files
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestEmbeddedIsDist checks that what the binary serves is dist/ on disk.
func TestEmbeddedIsDist(t *testing.T) {
	disk := readTree(t, "dist")
	for name, b := range disk {
		e, err := fs.ReadFile(dist, "dist/"+name)
		require.NoError(t, err, name)
		assert.True(t, bytes.Equal(b, e), name)
	}
	assert.False(t, strings.Contains(string(disk["index.html"]), "{{"), "index.html still holds a placeholder")
}

package cli

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestDocsUpToDate regenerates the CLI reference and compares it with
// docs/cli.
func TestDocsUpToDate(t *testing.T) {
	dir := t.TempDir()
	a := &app{env: &Env{Stdout: io.Discard, Stderr: io.Discard}}
	if err := writeDocs(a.newRootCommand(), dir); err != nil {
		t.Fatal(err)
	}
	const committed = "../../docs/cli"
	const fix = "run `go generate ./cmd/openacr` (or `go run ./cmd/openacr docs docs/cli`) and commit docs/cli"
	want := readDir(t, dir)
	got := readDir(t, committed)
	for name, content := range want {
		switch old, ok := got[name]; {
		case !ok:
			t.Errorf("docs/cli/%s is missing; %s", name, fix)
		case old != content:
			t.Errorf("docs/cli/%s is out of date; %s", name, fix)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/cli/%s documents no command; %s", name, fix)
		}
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

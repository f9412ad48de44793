package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBinary runs the built openacr binary against a real management API:
// the in-process tests cannot see what the SDK does only outside tests
// (it refuses polling faster than once a second unless -test.v is
// registered), nor main's terminal detection.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "openacr")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/openacr").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := newServer(t)
	env := append(os.Environ(), "OPENACR_SERVER="+s.url, "OPENACR_ADMIN_KEY="+adminKey,
		"OPENACR_CONFIG_DIR="+t.TempDir(), "OPENACR_DATA="+t.TempDir())
	run := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	for _, args := range [][]string{
		{"create", "-n", "myregistry", "-g", "MyGroup", "--sku", "Basic"},
		{"scope-map", "create", "-n", "readers", "-r", "myregistry", "--repository", "app", "content/read"},
		{"token", "create", "-n", "token1", "-r", "myregistry", "--repository", "app", "content/read", "--expiration-in-days", "7"},
		{"token", "update", "-n", "token1", "-r", "myregistry", "--status", "disabled"},
		{"token", "credential", "delete", "-n", "token1", "-r", "myregistry", "--password2"},
		{"scope-map", "update", "-n", "readers", "-r", "myregistry", "--add-repository", "lib", "content/read"},
	} {
		if _, stderr, code := run("", args...); code != 0 {
			t.Fatalf("openacr %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
	}
	out, stderr, code := run("", "token", "credential", "generate", "-n", "token1", "-r", "myregistry", "--password1", "--days", "30", "--query", "passwords[0].value", "-o", "tsv")
	if code != 0 || !regexp.MustCompile(`^oacr_\S+\n$`).MatchString(out) || !strings.Contains(stderr, "deprecated") {
		t.Errorf("generate: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	// A pipe is not a terminal: no prompt without --yes.
	if _, stderr, code := run("y\n", "token", "delete", "-n", "token1", "-r", "myregistry"); code != 1 || stderr != "ERROR: Unable to prompt for confirmation as no tty available. Use --yes.\n" {
		t.Errorf("delete without --yes: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{
		{"token", "delete", "-n", "token1", "-r", "myregistry", "--yes"},
		{"scope-map", "delete", "-n", "readers", "-r", "myregistry", "--yes"},
		{"delete", "-n", "myregistry", "--yes"},
	} {
		if _, stderr, code := run("", args...); code != 0 {
			t.Fatalf("openacr %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
	}
	if _, stderr, code := run("", "token", "list"); code != 2 || !strings.HasPrefix(stderr, "ERROR: the following arguments are required: --registry/-r") {
		t.Errorf("usage error: exit %d, stderr %q", code, stderr)
	}
}

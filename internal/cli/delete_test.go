package cli_test

import (
	"strings"
	"testing"
)

func TestDeleteConfirmation(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		prompt     string
		stillThere []string // command that succeeds while the object exists
	}{
		{
			name:       "token",
			args:       []string{"token", "delete", "-n", "token1", "-r", "myregistry"},
			prompt:     "Deleting the token 'token1' will invalidate access to anyone using its credentials. Proceed? (y/n): ",
			stillThere: []string{"token", "show", "-n", "token1", "-r", "myregistry"},
		},
		{
			name:       "scope map",
			args:       []string{"scope-map", "delete", "-n", "spare-map", "-r", "myregistry"},
			prompt:     "Deleting the scope map 'spare-map' will remove its permissions with associated tokens. Proceed? (y/n): ",
			stillThere: []string{"scope-map", "show", "-n", "spare-map", "-r", "myregistry"},
		},
		{
			name:       "registry",
			args:       []string{"delete", "-n", "myregistry"},
			prompt:     "Are you sure you want to delete the registry 'myregistry'? (y/n): ",
			stillThere: []string{"show", "-n", "myregistry"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := setup(t)
			c.ok("scope-map", "create", "-n", "spare-map", "-r", "myregistry", "--repository", "app", "content/read")
			c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--scope-map", "_repositories_pull", "--no-passwords")
			s.requests()

			// No terminal and no --yes: refused before any request.
			c.fails(1, "Unable to prompt for confirmation as no tty available. Use --yes.", tt.args...)
			if reqs := s.requests(); len(reqs) != 0 {
				t.Errorf("refusal sent requests: %v", paths(reqs))
			}

			// Answered "n" (after a wrong answer): nothing deleted, exit 0.
			c.terminal, c.stdin = true, "maybe\nn\n"
			r := c.ok(tt.args...)
			if want := tt.prompt + "Please enter 'y' or 'n'.\n" + tt.prompt; r.stderr != want {
				t.Errorf("stderr: got %q, want %q", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			c.ok(tt.stillThere...)

			// End of input counts as no.
			c.stdin = ""
			c.ok(tt.args...)
			c.ok(tt.stillThere...)

			// "y" deletes.
			c.stdin = "Y\n"
			c.ok(tt.args...)
			if r := c.run(tt.stillThere...); r.code == 0 {
				t.Errorf("%s still exists after delete", tt.name)
			}
		})
	}
}

func TestDeleteWithYesDoesNotPrompt(t *testing.T) {
	_, c := setup(t)
	c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--scope-map", "_repositories_pull", "--no-passwords")
	r := c.ok("token", "delete", "-n", "token1", "-r", "myregistry", "--yes")
	if r.stdout != "" || strings.Contains(r.stderr, "Proceed?") {
		t.Errorf("got stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestScopeMapInUseIsNotDeleted(t *testing.T) {
	_, c := setup(t)
	c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--repository", "app", "content/read", "--no-passwords")
	r := c.run("scope-map", "delete", "-n", "token1-scope-map", "-r", "myregistry", "-y")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "ERROR: (") || !strings.Contains(r.stderr, "token1") {
		t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
	}
}

package cli_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var secretLine = regexp.MustCompile(`^oacr_[A-Za-z0-9_]+\n$`)

// passwords returns the passwords of a token or of a generate result.
func passwords(t *testing.T, v map[string]any) map[string]map[string]any {
	t.Helper()
	list, ok := v["passwords"].([]any)
	if !ok {
		list, _ = obj(t, v["credentials"])["passwords"].([]any)
	}
	out := map[string]map[string]any{}
	for _, p := range list {
		m := obj(t, p)
		out[m["name"].(string)] = m
	}
	return out
}

func sortedStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	slices.Sort(out)
	return out
}

func expiryNear(t *testing.T, p map[string]any, want time.Time) {
	t.Helper()
	s, _ := p["expiry"].(string)
	got, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("expiry %q: %v", s, err)
	}
	if d := got.Sub(want); d < -time.Minute || d > time.Minute {
		t.Errorf("expiry %s, want about %s", got, want)
	}
}

// TestWalkthrough follows the README's journey: a registry, a scope map
// with wildcards, a token with permissions, password rotation and deletion.
func TestWalkthrough(t *testing.T) {
	s, c := setup(t)
	reg := []string{"-r", "myregistry"}

	sm := obj(t, c.json(append([]string{"scope-map", "create", "-n", "team-readers", "--repository", "App", "content/read", "content/write",
		"--repository", "team/*", "content/read", "--description", "Team readers"}, reg...)...))
	wantActions := `["repositories/app/content/read","repositories/app/content/write","repositories/team/*/content/read"]`
	if got, _ := json.Marshal(sm["actions"]); string(got) != wantActions {
		t.Errorf("scope map actions: got %s, want %s", got, wantActions)
	}
	if sm["scopeMapType"] != "UserDefined" || sm["description"] != "Team readers" || sm["resourceGroup"] != "MyGroup" {
		t.Errorf("scope map: got %v", sm)
	}

	r := c.ok(append([]string{"token", "create", "-n", "MyToken", "--repository", "app", "content/read", "metadata/read"}, reg...)...)
	var tok map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &tok); err != nil {
		t.Fatal(err)
	}
	pw := passwords(t, tok)
	for _, slot := range []string{"password1", "password2"} {
		if v, _ := pw[slot]["value"].(string); !strings.HasPrefix(v, "oacr_") {
			t.Errorf("token create: %s value %q, want a generated secret", slot, v)
		}
	}
	if u := obj(t, tok["credentials"])["username"]; u != "MyToken" {
		t.Errorf("username: got %v", u)
	}
	if id, _ := tok["scopeMapId"].(string); !strings.HasSuffix(id, "/registries/myregistry/scopeMaps/MyToken-scope-map") {
		t.Errorf("scopeMapId: got %q", id)
	}
	if !strings.Contains(r.stderr, `WARNING: Please store your generated credentials safely. Meanwhile you can use it through "docker login myregistry.registry.test -u MyToken`) {
		t.Errorf("token create stderr: %s", r.stderr)
	}
	if strings.Contains(r.stderr, pw["password1"]["value"].(string)) {
		t.Errorf("token create printed a password value to stderr")
	}
	def := obj(t, c.json(append([]string{"scope-map", "show", "-n", "MyToken-scope-map"}, reg...)...))
	if got, _ := json.Marshal(def["actions"]); string(got) != `["repositories/app/content/read","repositories/app/metadata/read"]` {
		t.Errorf("default scope map actions: got %s", got)
	}

	t.Run("token create on an existing token is refused and keeps its passwords", func(t *testing.T) {
		before := passwords(t, obj(t, c.json(append([]string{"token", "show", "-n", "MyToken"}, reg...)...)))
		s.requests()
		r := c.fails(1, `Token 'MyToken' already exists in registry 'myregistry'. "token create" does not replace the passwords of an existing token: use "openacr token credential generate -n MyToken -r myregistry" to generate new passwords, or "openacr token update" to change its scope map or status.`,
			append([]string{"token", "create", "-n", "MyToken", "--scope-map", "team-readers"}, reg...)...)
		if r.stdout != "" {
			t.Errorf("stdout: %q", r.stdout)
		}
		for _, req := range s.requests() {
			if req.Method != "GET" {
				t.Errorf("refused create sent %s %s", req.Method, req.Path)
			}
		}
		after := passwords(t, obj(t, c.json(append([]string{"token", "show", "-n", "MyToken"}, reg...)...)))
		for slot := range before {
			if before[slot]["creationTime"] != after[slot]["creationTime"] {
				t.Errorf("%s was regenerated", slot)
			}
		}
	})

	t.Run("generate password1 with --days warns and keeps password2", func(t *testing.T) {
		r := c.ok(append([]string{"token", "credential", "generate", "-n", "MyToken", "--password1", "--days", "30"}, reg...)...)
		if !strings.Contains(r.stderr, "WARNING: Option '--days' has been deprecated and will be removed in a future release. Use '--expiration-in-days' instead.") {
			t.Errorf("stderr: %s", r.stderr)
		}
		var gen map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &gen); err != nil {
			t.Fatal(err)
		}
		if gen["username"] != "MyToken" {
			t.Errorf("username: got %v", gen["username"])
		}
		p := passwords(t, gen)
		expiryNear(t, p["password1"], time.Now().AddDate(0, 0, 30))
		if v, _ := p["password1"]["value"].(string); !strings.HasPrefix(v, "oacr_") {
			t.Errorf("password1 value: %q", v)
		}
		if v, ok := p["password2"]["value"]; !ok || v != nil {
			t.Errorf("password2 value: got %v, want null", v)
		}
		for _, key := range []string{"creationTime", "expiry", "name", "value"} {
			if _, ok := p["password1"][key]; !ok {
				t.Errorf("password entry has no %q", key)
			}
		}
	})

	t.Run("--expiration-in-days sets the expiry", func(t *testing.T) {
		gen := obj(t, c.json(append([]string{"token", "credential", "generate", "-n", "MyToken", "--password2", "--expiration-in-days", "30"}, reg...)...))
		expiryNear(t, passwords(t, gen)["password2"], time.Now().AddDate(0, 0, 30))
	})

	t.Run("--expiration sets the exact expiry", func(t *testing.T) {
		gen := obj(t, c.json(append([]string{"token", "credential", "generate", "-n", "MyToken", "--password2", "--expiration", "2099-12-31T12:59:59Z"}, reg...)...))
		if got := passwords(t, gen)["password2"]["expiry"]; got != "2099-12-31T12:59:59+00:00" {
			t.Errorf("expiry: got %v", got)
		}
	})

	t.Run("query prints only the password", func(t *testing.T) {
		r := c.ok(append([]string{"token", "credential", "generate", "-n", "MyToken", "--password1", "--expiration-in-days", "30",
			"--query", "passwords[0].value", "-o", "tsv"}, reg...)...)
		if !secretLine.MatchString(r.stdout) {
			t.Errorf("stdout: got %q, want one oacr_ line", r.stdout)
		}
	})

	t.Run("credential delete", func(t *testing.T) {
		args := append([]string{"token", "credential", "delete", "-n", "MyToken"}, reg...)
		c.fails(1, "No credentials to delete.", args...)
		tok := obj(t, c.json(append(args, "--password2")...))
		if p := passwords(t, tok); len(p) != 1 || p["password1"] == nil {
			t.Errorf("after deleting password2: got %v", p)
		}
		c.fails(1, "Unable to perform operation. Password2 credential doesn't exist.", append(args, "--password2")...)
		c.fails(1, "Unable to perform operation. Password2 credential doesn't exist.", append(args, "--password1", "--password2")...)
		tok = obj(t, c.json(append(args, "--password1")...))
		if p := passwords(t, tok); len(p) != 0 {
			t.Errorf("after deleting both: got %v", p)
		}
		c.fails(1, "Unable to perform operation. Password1 credential doesn't exist.", append(args, "--password1")...)
	})

	t.Run("default scope map is reused when identical and refused when not", func(t *testing.T) {
		c.ok(append([]string{"token", "create", "-n", "Second", "--repository", "app", "content/read", "--no-passwords"}, reg...)...)
		c.ok(append([]string{"token", "delete", "-n", "Second", "--yes"}, reg...)...)
		r := c.ok(append([]string{"token", "create", "-n", "Second", "--repository", "APP", "content/read", "--no-passwords"}, reg...)...)
		if strings.Contains(r.stdout, `"value": "oacr_`) {
			t.Errorf("--no-passwords generated passwords")
		}
		c.ok(append([]string{"token", "delete", "-n", "Second", "--yes"}, reg...)...)
		c.fails(1, "The default scope map was already configured with different repository permissions.\nPlease use \"openacr scope-map update -r myregistry -n Second-scope-map --add-repository <REPO> <ACTION> --remove-repository <REPO> <ACTION>\" to update.",
			append([]string{"token", "create", "-n", "Second", "--repository", "app", "content/write"}, reg...)...)
	})

	t.Run("update does not re-enable a disabled token", func(t *testing.T) {
		tok := obj(t, c.json(append([]string{"token", "update", "-n", "MyToken", "--status", "disabled"}, reg...)...))
		if tok["status"] != "disabled" {
			t.Fatalf("status: got %v", tok["status"])
		}
		s.requests()
		tok = obj(t, c.json(append([]string{"token", "update", "-n", "MyToken", "--scope-map", "team-readers"}, reg...)...))
		if tok["status"] != "disabled" || !strings.HasSuffix(tok["scopeMapId"].(string), "/scopeMaps/team-readers") {
			t.Errorf("after scope-map swap: status %v, scopeMapId %v", tok["status"], tok["scopeMapId"])
		}
		for _, req := range s.requests() {
			if req.Method == "PATCH" && strings.Contains(string(req.Body), "status") {
				t.Errorf("PATCH sent a status: %s", req.Body)
			}
		}
		c.fails(1, "No token properties to update.", append([]string{"token", "update", "-n", "MyToken"}, reg...)...)
	})

	t.Run("scope map update", func(t *testing.T) {
		args := append([]string{"scope-map", "update", "-n", "team-readers"}, reg...)
		c.fails(1, "No scope map properties to update.", args...)
		c.fails(1, "Update ambiguity. Duplicate actions were provided with --add and --remove arguments.\n['app/content/read']",
			append(args, "--add-repository", "app", "content/read", "--remove-repository", "app", "content/read")...)
		r := c.ok(append(args, "--add", "lib", "content/read", "--remove-repository", "app", "content/write")...)
		if !strings.Contains(r.stderr, "WARNING: Option '--add' has been deprecated and will be removed in a future release. Use '--add-repository' instead.") {
			t.Errorf("stderr: %s", r.stderr)
		}
		var sm map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &sm); err != nil {
			t.Fatal(err)
		}
		want := `["repositories/app/content/read","repositories/lib/content/read","repositories/team/*/content/read"]`
		if got, _ := json.Marshal(sortedStrings(sm["actions"])); string(got) != want {
			t.Errorf("actions: got %s, want %s", got, want)
		}
		sm = obj(t, c.json(append(args, "--description", "")...))
		if sm["description"] != nil && sm["description"] != "" {
			t.Errorf("description not cleared: %v", sm["description"])
		}
	})

	t.Run("token and scope map deletion", func(t *testing.T) {
		c.ok(append([]string{"token", "delete", "-n", "MyToken", "-y"}, reg...)...)
		c.fails(1, "(ResourceNotFound) The resource MyToken could not be found.", append([]string{"token", "show", "-n", "MyToken"}, reg...)...)
		c.ok(append([]string{"scope-map", "delete", "-n", "team-readers", "--yes"}, reg...)...)
		c.ok("delete", "-n", "myregistry", "--yes")
		if out := c.ok("list").stdout; out != "[]\n" {
			t.Errorf("registries after delete: %s", out)
		}
	})
}

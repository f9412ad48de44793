package cli_test

import (
	"strings"
	"testing"
)

func TestPolicyCommands(t *testing.T) {
	s, c := setup(t)
	reg := []string{"-r", "myregistry"}

	p := obj(t, c.json(append([]string{"policy", "show"}, reg...)...))
	if p["maxPasswordLifetimeDays"] != 0.0 || p["requireExpiry"] != false || p["name"] != "default" || p["resourceGroup"] != "MyGroup" {
		t.Errorf("a registry that never set a policy: %v", p)
	}

	p = obj(t, c.json(append([]string{"policy", "update", "--max-password-lifetime-days", "90", "--require-expiry", "TRUE"}, reg...)...))
	if p["maxPasswordLifetimeDays"] != 90.0 || p["requireExpiry"] != true || p["requireChangeReference"] != false {
		t.Errorf("after update: %v", p)
	}
	for _, r := range s.requests() {
		if r.Method == "PATCH" && string(r.Body) != `{"properties":{"maxPasswordLifetimeDays":90,"requireExpiry":true}}` {
			t.Errorf("PATCH body %s: want only the given properties", r.Body)
		}
	}
	c.ok(append([]string{"policy", "update", "--require-change-reference", "true"}, reg...)...)

	formats := []struct{ name, format, want string }{
		{"table", "table", "REGISTRY    MAX PASSWORD LIFETIME DAYS  REQUIRE EXPIRY  REQUIRE CHANGE REFERENCE  REQUIRE POLICY TOKEN\n" +
			"----------  --------------------------  --------------  ------------------------  --------------------\n" +
			"myregistry  90                          True            True                      False\n"},
		{"tsv of a query", "tsv", "90\nTrue\n"},
		{"yaml", "yaml", "maxPasswordLifetimeDays: 90\n"},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			args := append([]string{"policy", "show", "-o", f.format}, reg...)
			if f.format == "tsv" {
				args = append(args, "--query", "[maxPasswordLifetimeDays, requireExpiry]")
			}
			if out := c.ok(args...).stdout; !strings.Contains(out, f.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", out, f.want)
			}
		})
	}

	usage := []struct {
		name, msg string
		args      []string
	}{
		{"a boolean that is not one", "argument --require-expiry: invalid choice: 'yes' (choose from 'false', 'true')",
			[]string{"--require-expiry", "yes"}},
		{"days that are not a number", "argument --max-password-lifetime-days: invalid int value: 'ninety'",
			[]string{"--max-password-lifetime-days", "ninety"}},
	}
	for _, u := range usage {
		t.Run(u.name, func(t *testing.T) {
			c.fails(2, u.msg, append(append([]string{"policy", "update"}, reg...), u.args...)...)
		})
	}
	t.Run("nothing to update", func(t *testing.T) {
		c.fails(1, "No policy properties to update.", append([]string{"policy", "update"}, reg...)...)
	})
	t.Run("a value the server refuses", func(t *testing.T) {
		failsWith(t, c, 1, "(BadRequest) The value -3 of 'maxPasswordLifetimeDays' is not valid",
			append([]string{"policy", "update", "--max-password-lifetime-days", "-3"}, reg...)...)
	})
}

func TestPolicyRefusalsOnCredentialCommands(t *testing.T) {
	_, c := setup(t)
	reg := []string{"-r", "myregistry"}
	c.ok(append([]string{"token", "create", "-n", "ci-token", "--scope-map", "_repositories_pull", "--no-passwords"}, reg...)...)
	c.ok(append([]string{"policy", "update", "--max-password-lifetime-days", "90"}, reg...)...)
	refusal := "(RequestDisallowedByPolicy) Password lifetime of 400 days exceeds the maximum of 90 days set by policy 'maxPasswordLifetimeDays' of registry 'myregistry'."

	t.Run("credential generate beyond the maximum", func(t *testing.T) {
		c.fails(1, refusal, append([]string{"token", "credential", "generate", "-n", "ci-token", "--password1", "--expiration-in-days", "400"}, reg...)...)
	})
	t.Run("credential generate beyond the maximum, asking for a policy token", func(t *testing.T) {
		c.fails(1, "Failed to acquire policy token, exception: "+refusal,
			append([]string{"token", "credential", "generate", "-n", "ci-token", "--password1", "--expiration-in-days", "400",
				"--acquire-policy-token", "--change-reference", "CHG-1"}, reg...)...)
	})
	t.Run("credential generate of a password that never expires", func(t *testing.T) {
		failsWith(t, c, 1, "(RequestDisallowedByPolicy) A password that never expires exceeds the maximum lifetime of 90 days",
			append([]string{"token", "credential", "generate", "-n", "ci-token", "--password1"}, reg...)...)
	})
	t.Run("token create beyond the maximum leaves no token behind", func(t *testing.T) {
		r := c.fails(1, refusal, append([]string{"token", "create", "-n", "new-token", "--scope-map", "_repositories_pull",
			"--expiration-in-days", "400"}, reg...)...)
		if !strings.Contains(r.stderr, "WARNING: The token 'new-token' was not kept") {
			t.Errorf("stderr does not say the token was removed:\n%s", r.stderr)
		}
		failsWith(t, c, 1, "(ResourceNotFound)", append([]string{"token", "show", "-n", "new-token"}, reg...)...)
		c.ok(append([]string{"token", "create", "-n", "new-token", "--scope-map", "_repositories_pull", "--expiration-in-days", "90"}, reg...)...)
	})
	t.Run("a required policy token is acquired with the flag", func(t *testing.T) {
		c.ok(append([]string{"policy", "update", "--require-policy-token", "true", "--require-change-reference", "true"}, reg...)...)
		// Either Global Policy flag acquires a policy token (as in az), so
		// only an operation without both lacks one.
		failsWith(t, c, 1, "'requirePolicyToken'", append([]string{"token", "update", "-n", "ci-token", "--status", "disabled"}, reg...)...)
		c.ok(append([]string{"token", "update", "-n", "ci-token", "--status", "disabled", "--acquire-policy-token", "--change-reference", "CHG-2"}, reg...)...)
	})
}

// failsWith runs the CLI and checks that it exits with code and an ERROR
// line containing msg.
func failsWith(t *testing.T, c *client, code int, msg string, args ...string) result {
	t.Helper()
	r := c.run(args...)
	if r.code != code || !strings.Contains(r.stderr, "ERROR: ") || !strings.Contains(r.stderr, msg) {
		t.Errorf("openacr %s: got exit %d, stderr\n%s\nwant exit %d and an error containing %q", strings.Join(args, " "), r.code, r.stderr, code, msg)
	}
	return r
}

package cli_test

import (
	"strings"
	"testing"
	"time"
)

// TestPolicyFlowEndToEnd is issue #5's "what it must show": under a 90-day
// policy a 400-day password is refused with the policy named; within the
// limit, with --acquire-policy-token --change-reference CHG-1, it is
// accepted, and CHG-1 is in the audit log.
func TestPolicyFlowEndToEnd(t *testing.T) {
	_, c := setup(t)
	reg := []string{"-r", "myregistry"}
	c.ok(append([]string{"token", "create", "-n", "deploy-bot", "--scope-map", "_repositories_pull", "--no-passwords"}, reg...)...)
	c.ok(append([]string{"policy", "update", "--max-password-lifetime-days", "90", "--require-change-reference", "true"}, reg...)...)

	r := failsWith(t, c, 1, "(RequestDisallowedByPolicy) Password lifetime of 400 days exceeds the maximum of 90 days set by policy 'maxPasswordLifetimeDays' of registry 'myregistry'.",
		append([]string{"token", "credential", "generate", "-n", "deploy-bot", "--password1", "--expiration-in-days", "400",
			"--acquire-policy-token", "--change-reference", "CHG-0"}, reg...)...)
	if !strings.HasPrefix(r.stderr, "ERROR: Failed to acquire policy token, exception: ") {
		t.Errorf("the refusal comes from acquirePolicyToken: %s", r.stderr)
	}

	gen := obj(t, c.json(append([]string{"token", "credential", "generate", "-n", "deploy-bot", "--password1", "--expiration-in-days", "30",
		"--acquire-policy-token", "--change-reference", "CHG-1"}, reg...)...))
	expiryNear(t, passwords(t, gen)["password1"], time.Now().AddDate(0, 0, 30))
	secret, _ := passwords(t, gen)["password1"]["value"].(string)

	entries := c.json(append([]string{"audit", "list", "--token", "deploy-bot", "--result", "success"}, reg...)...).([]any)
	var generated map[string]any
	for _, e := range entries {
		m := obj(t, e)
		if m["operation"] == "Microsoft.ContainerRegistry/registries/generateCredentials/action" {
			generated = m
			break
		}
	}
	if generated == nil {
		t.Fatalf("no generateCredentials entry in %v", entries)
	}
	for k, want := range map[string]string{"changeReference": "CHG-1", "actor": "admin", "result": "success",
		"clientAddress": "127.0.0.1", "token": "deploy-bot", "password": "password1", "reason": ""} {
		if generated[k] != want {
			t.Errorf("%s: got %v, want %q", k, generated[k], want)
		}
	}
	if !strings.HasSuffix(generated["target"].(string), "/registries/myregistry/tokens/deploy-bot") || generated["time"] == "" {
		t.Errorf("target and time: %v", generated)
	}

	table := c.ok(append([]string{"audit", "list", "--result", "failure", "-o", "table"}, reg...)...).stdout
	if !strings.Contains(table, "CHG-0") || !strings.Contains(table, "Microsoft.Authorization/acquirePolicyToken/action") ||
		!strings.Contains(table, "'maxPasswordLifetimeDays'") {
		t.Errorf("the refused attempt is not in the failures:\n%s", table)
	}
	all := c.ok(append([]string{"audit", "list", "-o", "json"}, reg...)...).stdout
	if secret == "" || strings.Contains(all, secret) || strings.Contains(all, adminKey) {
		t.Errorf("the audit log shows a secret")
	}
}

func TestAuditList(t *testing.T) {
	_, c := setup(t)
	reg := []string{"-r", "myregistry"}
	for _, name := range []string{"robot-one", "robot-two"} {
		c.ok(append([]string{"token", "create", "-n", name, "--scope-map", "_repositories_pull", "--no-passwords"}, reg...)...)
	}
	c.run(append([]string{"token", "create", "-n", "robot-one", "--scope-map", "_repositories_pull"}, reg...)...) // refused by the CLI: no request

	t.Run("filters by token", func(t *testing.T) {
		got := c.json(append([]string{"audit", "list", "--token", "ROBOT-ONE"}, reg...)...).([]any)
		if len(got) != 1 || obj(t, got[0])["token"] != "robot-one" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("every entry has the documented keys", func(t *testing.T) {
		got := c.json(append([]string{"audit", "list"}, reg...)...).([]any)
		if len(got) != 3 { // the registry and the two tokens
			t.Fatalf("got %d entries, want 3", len(got))
		}
		for _, e := range got {
			m := obj(t, e)
			for _, k := range []string{"time", "actor", "operation", "target", "changeReference", "result", "reason", "clientAddress", "count"} {
				if _, ok := m[k]; !ok {
					t.Errorf("entry without %q: %v", k, m)
				}
			}
		}
	})
	t.Run("since a time in the future lists nothing", func(t *testing.T) {
		if out := c.ok(append([]string{"audit", "list", "--since", "2999-01-01T00:00:00Z", "-o", "json"}, reg...)...).stdout; out != "[]\n" {
			t.Errorf("got %q", out)
		}
	})
	t.Run("since an age lists what is younger", func(t *testing.T) {
		got := c.json(append([]string{"audit", "list", "--since", "1d"}, reg...)...).([]any)
		if len(got) != 3 {
			t.Errorf("got %d entries, want 3", len(got))
		}
	})
	t.Run("tsv and yaml", func(t *testing.T) {
		tsv := c.ok(append([]string{"audit", "list", "--token", "robot-two", "--query", "[].[actor, result]", "-o", "tsv"}, reg...)...).stdout
		if tsv != "admin\tsuccess\n" {
			t.Errorf("tsv: %q", tsv)
		}
		yaml := c.ok(append([]string{"audit", "list", "--token", "robot-two", "-o", "yaml"}, reg...)...).stdout
		if !strings.Contains(yaml, "operation: Microsoft.ContainerRegistry/registries/tokens/write") {
			t.Errorf("yaml: %s", yaml)
		}
	})
	usage := []struct {
		name, msg string
		args      []string
	}{
		{"a result that is not one", "argument --result: invalid choice: 'maybe' (choose from 'failure', 'success')", []string{"--result", "maybe"}},
	}
	for _, u := range usage {
		t.Run(u.name, func(t *testing.T) {
			c.fails(2, u.msg, append(append([]string{"audit", "list"}, reg...), u.args...)...)
		})
	}
	t.Run("a since that is not one", func(t *testing.T) {
		c.fails(1, "Input 'yesterday' is not valid for --since. Valid examples: 2025-12-31T12:59:59Z, 90m, 24h, 7d",
			append([]string{"audit", "list", "--since", "yesterday"}, reg...)...)
	})
}

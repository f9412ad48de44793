package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var ansiCodes = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestOutputFormats runs the list commands in every format against a real
// server.
func TestOutputFormats(t *testing.T) {
	_, c := setup(t)
	r := c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--scope-map", "_repositories_pull", "-o", "table")
	if !strings.Contains(r.stderr, "WARNING: The table output does not show the generated passwords") {
		t.Errorf("token create -o table does not warn that the passwords are hidden: %q", r.stderr)
	}
	c.ok("token", "create", "-n", "token2", "-r", "myregistry", "--scope-map", "_repositories_push", "--no-passwords", "--status", "disabled")
	c.ok("token", "credential", "generate", "-n", "token2", "-r", "myregistry", "--password2", "--expiration", "2099-01-02T03:04:05Z")
	list := []string{"token", "list", "-r", "myregistry"}

	jsonOut := c.ok(list...).stdout
	var tokens []map[string]any
	if err := json.Unmarshal([]byte(jsonOut), &tokens); err != nil || len(tokens) != 2 {
		t.Fatalf("json: %v\n%s", err, jsonOut)
	}
	if !strings.HasPrefix(jsonOut, "[\n  {\n    \"creationDate\": ") {
		t.Errorf("json is not az's sorted, indented form:\n%s", jsonOut)
	}

	table := c.ok(append(list, "-o", "table")...).stdout
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("table:\n%s", table)
	}
	header := regexp.MustCompile(`^NAME +SCOPE MAP +PASSWORD1 EXPIRY +PASSWORD2 EXPIRY +STATUS +PROVISIONING STATE +CREATION DATE$`)
	row1 := regexp.MustCompile(`^token1 +_repositories_pull +Never +Never +Enabled +Succeeded +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	row2 := regexp.MustCompile(`^token2 +_repositories_push +2099-01-02T03:04:05Z +Disabled +Succeeded +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	if !header.MatchString(lines[0]) || !strings.HasPrefix(lines[1], "------  ") || !row1.MatchString(lines[2]) || !row2.MatchString(lines[3]) {
		t.Errorf("table:\n%s", table)
	}
	// PASSWORD1 EXPIRY of token2 is empty: the column of "2099-..." is PASSWORD2's.
	if strings.Index(lines[3], "2099") != strings.Index(lines[0], "PASSWORD2 EXPIRY") {
		t.Errorf("token2's expiry is not under PASSWORD2 EXPIRY:\n%s", table)
	}

	if out := c.ok(append(list, "-o", "tsv", "--query", "[].[name, status]")...).stdout; out != "token1\tenabled\ntoken2\tdisabled\n" {
		t.Errorf("tsv: %q", out)
	}
	if out := c.ok(append(list, "-o", "table", "--query", "[].{Name: name, Status: status}")...).stdout; out != "Name    Status\n------  --------\ntoken1  enabled\ntoken2  disabled\n" {
		t.Errorf("table with query: %q", out)
	}

	var fromYAML []map[string]any
	yamlOut := c.ok(append(list, "-o", "yaml")...).stdout
	if err := yaml.Unmarshal([]byte(yamlOut), &fromYAML); err != nil || len(fromYAML) != 2 || fromYAML[1]["status"] != "disabled" {
		t.Errorf("yaml: %v\n%s", err, yamlOut)
	}
	if got := ansiCodes.ReplaceAllString(c.ok(append(list, "-o", "yamlc")...).stdout, ""); got != yamlOut {
		t.Errorf("yamlc without colours differs from yaml")
	}
	jsonc := c.ok(append(list, "-o", "jsonc")...).stdout
	if jsonc == jsonOut || ansiCodes.ReplaceAllString(jsonc, "") != jsonOut {
		t.Errorf("jsonc is not coloured json:\n%s", jsonc)
	}
	if out := c.ok(append(list, "-o", "none")...).stdout; out != "" {
		t.Errorf("none: %q", out)
	}

	sm := c.ok("scope-map", "list", "-r", "myregistry", "-o", "table").stdout
	if !strings.Contains(sm, "_repositories_admin                SystemDefined  ") || !strings.Contains(sm, "Can perform all read, write and delete operations on the ...") {
		t.Errorf("scope-map table:\n%s", sm)
	}
	gen := c.ok("token", "credential", "generate", "-n", "token1", "-r", "myregistry", "-o", "table").stdout
	if !regexp.MustCompile(`^USERNAME +PASSWORD1 +PASSWORD1 EXPIRY +PASSWORD2 +PASSWORD2 EXPIRY\n-+  -+  -+  -+  -+\ntoken1 +oacr_\S+ +Never +oacr_\S+ +Never\n$`).MatchString(gen) {
		t.Errorf("credential table:\n%s", gen)
	}
	reg := c.ok("list", "-o", "table").stdout
	if !regexp.MustCompile(`^NAME +RESOURCE GROUP +LOCATION +SKU +LOGIN SERVER +CREATION DATE +ADMIN ENABLED\n[- ]+\nmyregistry +MyGroup +local +Basic +myregistry\.registry\.test +\S+ +False\n$`).MatchString(reg) {
		t.Errorf("registry table:\n%s", reg)
	}
}

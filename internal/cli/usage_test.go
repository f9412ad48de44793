package cli_test

import (
	"strings"
	"testing"
)

// TestUsageErrors checks every refusal of a bad command line: its exact
// message and exit status (2 for argparse-style usage errors, 1 for az's
// CLIErrors), and that nothing is printed on stdout.
func TestUsageErrors(t *testing.T) {
	s, c := setup(t)
	c.ok("scope-map", "create", "-n", "readers", "-r", "myregistry", "--repository", "app", "content/read")
	c.ok("token", "create", "-n", "token1", "-r", "myregistry", "--scope-map", "readers", "--no-passwords")
	reg := "myregistry"
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"token create needs a scope map or permissions", []string{"token", "create", "-n", "token2", "-r", reg}, 2,
			"usage error: can't use --scope-map and --repository | --gateway"},
		{"token create takes not both", []string{"token", "create", "-n", "token2", "-r", reg, "--scope-map", "readers", "--repository", "app", "content/read"}, 2,
			"usage error: can't use --scope-map and --repository | --gateway"},
		{"--no-passwords excludes expiry", []string{"token", "create", "-n", "token2", "-r", reg, "--scope-map", "readers", "--no-passwords", "--expiration-in-days", "3"}, 2,
			"usage error: --no-passwords and expiration arguments are mutually exclusive."},
		{"three-state --no-passwords true excludes expiry", []string{"token", "create", "-n", "token2", "-r", reg, "--scope-map", "readers", "--no-passwords", "true", "--expiration", "2099-01-01T00:00:00Z"}, 2,
			"usage error: --no-passwords and expiration arguments are mutually exclusive."},
		{"token create: both expiry options", []string{"token", "create", "-n", "token2", "-r", reg, "--scope-map", "readers", "--expiration", "2099-01-01T00:00:00Z", "--expiration-in-days", "3"}, 2,
			"usage error: --expiration and --expiration-in-days are mutually exclusive."},
		{"generate: both expiry options", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration", "2099-01-01T00:00:00Z", "--expiration-in-days", "3"}, 2,
			"usage error: --expiration and --expiration-in-days are mutually exclusive."},
		{"generate: --days counts as --expiration-in-days", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration", "2099-01-01T00:00:00Z", "--days", "3"}, 2,
			"usage error: --expiration and --expiration-in-days are mutually exclusive."},
		{"bad datetime", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration", "2025-12-31"}, 1,
			"Input '2025-12-31' is not valid datetime. Valid example: 2025-12-31T12:59:59Z"},
		{"datetime with an offset", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration", "2025-12-31T12:59:59+01:00"}, 1,
			"Input '2025-12-31T12:59:59+01:00' is not valid datetime. Valid example: 2025-12-31T12:59:59Z"},
		{"zero days", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration-in-days", "0"}, 1, "Days must be positive."},
		{"negative days", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--days", "-5"}, 1, "Days must be positive."},
		{"zero days on create", []string{"token", "create", "-n", "token2", "-r", reg, "--scope-map", "readers", "--expiration-in-days", "0"}, 1, "Days must be positive."},
		{"days not a number", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration-in-days", "ten"}, 2,
			"argument --expiration-in-days: invalid int value: 'ten'"},
		{"no credentials to delete", []string{"token", "credential", "delete", "-n", "token1", "-r", reg}, 1, "No credentials to delete."},
		{"repository without action", []string{"token", "create", "-n", "token2", "-r", reg, "--repository", "App"}, 1,
			`At least one action must be specified with "app".`},
		{"repository= without action", []string{"scope-map", "create", "-n", "map2", "-r", reg, "--repository=app"}, 1,
			`At least one action must be specified with "app".`},
		{"second repository without action", []string{"scope-map", "create", "-n", "map2", "-r", reg, "--repository", "a", "content/read", "--repository", "b", "--description", "x"}, 1,
			`At least one action must be specified with "b".`},
		{"invalid action", []string{"scope-map", "create", "-n", "map2", "-r", reg, "--repository", "app", "content/read", "pull"}, 1,
			"Invalid action \"pull\" provided. \nValid actions are {'content/delete', 'content/read', 'content/write', 'metadata/read', 'metadata/write'}."},
		{"invalid gateway action", []string{"scope-map", "create", "-n", "map2", "-r", reg, "--gateway", "gw", "content/read"}, 1,
			"Invalid action \"content/read\" provided. \nValid actions are {'config/read', 'config/write', 'message/read', 'message/write'}."},
		{"repository without anything", []string{"scope-map", "create", "-n", "map2", "-r", reg, "--repository"}, 2,
			"argument --repository: expected at least one argument"},
		{"multi-value flag the command lacks", []string{"token", "show", "-n", "token1", "-r", reg, "--repository", "app", "content/read"}, 2,
			"unrecognized arguments: --repository app content/read"},
		{"--add on create", []string{"scope-map", "create", "-n", "map2", "-r", reg, "--add", "app", "content/read"}, 2,
			"unrecognized arguments: --add app content/read"},
		{"scope map update without changes", []string{"scope-map", "update", "-n", "readers", "-r", reg}, 1, "No scope map properties to update."},
		{"scope map update ambiguity", []string{"scope-map", "update", "-n", "readers", "-r", reg, "--add-repository", "a", "content/read", "metadata/read", "--remove", "a", "metadata/read"}, 1,
			"Update ambiguity. Duplicate actions were provided with --add and --remove arguments.\n['a/metadata/read']"},
		{"token update without changes", []string{"token", "update", "-n", "token1", "-r", reg}, 1, "No token properties to update."},
		{"registry update without changes", []string{"update", "-n", reg}, 1, "No registry properties to update."},
		{"missing name", []string{"token", "show", "-r", reg}, 2, "the following arguments are required: --name/-n"},
		{"missing registry", []string{"token", "list"}, 2, "the following arguments are required: --registry/-r"},
		{"missing registry name", []string{"show"}, 2, "the following arguments are required: --name/-n"},
		{"create needs group and sku", []string{"create", "-n", "another"}, 2, "the following arguments are required: --resource-group/-g, --sku"},
		{"bad registry name", []string{"token", "list", "-r", "my-registry"}, 1,
			"Registry names may contain only alpha numeric characters and must be between 5 and 50 characters"},
		{"short registry name", []string{"create", "-n", "abc", "-g", "g", "--sku", "Basic"}, 1,
			"Registry names may contain only alpha numeric characters and must be between 5 and 50 characters"},
		{"bad sku", []string{"create", "-n", "another", "-g", "g", "--sku", "Gold"}, 2,
			"argument --sku: invalid choice: 'Gold' (choose from 'Basic', 'Standard', 'Premium')"},
		{"bad status", []string{"token", "update", "-n", "token1", "-r", reg, "--status", "paused"}, 2,
			"argument --status: invalid choice: 'paused' (choose from 'disabled', 'enabled')"},
		{"bad output", []string{"token", "list", "-r", reg, "-o", "xml"}, 2,
			"argument --output/-o: invalid choice: 'xml' (choose from 'json', 'jsonc', 'none', 'table', 'tsv', 'yaml', 'yamlc')"},
		{"positional argument", []string{"token", "list", "-r", reg, "extra"}, 2, "unrecognized arguments: extra"},
		{"unknown subcommand", []string{"token", "frobnicate"}, 2, "'frobnicate' is misspelled or not recognized by the system."},
		{"unknown command", []string{"frobnicate"}, 2, "'frobnicate' is misspelled or not recognized by the system."},
		{"unknown flag", []string{"token", "list", "-r", reg, "--bogus"}, 2, "unknown flag: --bogus"},
		{"generate takes no --scope-map", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--scope-map", "x"}, 2, "unknown flag: --scope-map"},
		{"list takes no policy flags", []string{"token", "list", "-r", reg, "--acquire-policy-token"}, 2, "unknown flag: --acquire-policy-token"},
		{"configure without arguments", []string{"configure"}, 2, "usage error: --defaults NAME=VALUE [NAME=VALUE ...] | --list-defaults"},
		{"configure with a bad pair", []string{"configure", "--defaults", "acr"}, 2, "usage error: --defaults expects space-separated NAME=VALUE pairs, got 'acr'."},
		{"delete without a terminal", []string{"token", "delete", "-n", "token1", "-r", reg}, 1, "Unable to prompt for confirmation as no tty available. Use --yes."},
		{"expiry in the past", []string{"token", "credential", "generate", "-n", "token1", "-r", reg, "--expiration", "2001-01-01T00:00:00Z"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.requests()
			var r result
			if tt.msg == "" {
				r = c.run(tt.args...)
				if r.code != tt.code || !strings.HasPrefix(r.stderr, "ERROR: (") {
					t.Errorf("got exit %d, stderr %q; want %d and a server error", r.code, r.stderr, tt.code)
				}
			} else {
				r = c.fails(tt.code, tt.msg, tt.args...)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			for _, req := range s.requests() {
				if req.Method != "GET" && tt.msg != "" {
					t.Errorf("a refused command sent %s %s", req.Method, req.Path)
				}
			}
		})
	}
	// Nothing above changed the token.
	if out := c.ok("token", "show", "-n", "token1", "-r", reg, "--query", "[status, length(credentials.passwords)]", "-o", "tsv").stdout; out != "enabled\n0\n" {
		t.Errorf("token after refusals: %q", out)
	}
}

package cli_test

import (
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	c := newClient(t, nil)
	tests := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"--help"}, []string{"Available Commands:", "scope-map", "token", "configure", "serve"}, []string{"docs"}},
		{[]string{"token"}, []string{"credential", "Use \"openacr token [command] --help\""}, nil},
		{[]string{"token", "create", "--help"}, []string{"Examples:", "--repository REPO ACTION [ACTION ...]", "Global Policy Arguments:\n      --acquire-policy-token", "Global Arguments:\n", "-o, --output FORMAT"}, nil},
		{[]string{"token", "credential", "generate", "-h"}, []string{"--expiration-in-days N", "--password1", "--acquire-policy-token"}, []string{"--days"}},
		{[]string{"scope-map", "update", "--help"}, []string{"--add-repository", "--remove-gateway"}, []string{"--add ", "--remove ", "--add-repo "}},
		{[]string{"token", "list", "--help"}, []string{"-r, --registry NAME"}, []string{"Global Policy Arguments", "--change-reference"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := c.ok(tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(r.stdout, w) {
					t.Errorf("help shows %q:\n%s", w, r.stdout)
				}
			}
			if r.stderr != "" {
				t.Errorf("stderr: %q", r.stderr)
			}
		})
	}
}

func TestShellCompletion(t *testing.T) {
	c := newClient(t, nil)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "token", "create", "--repository", "app", "content/read", "--st"}, "--status"},
		{[]string{"__complete", "token", "create", "--status", ""}, "disabled\nenabled\n"},
		{[]string{"__complete", "create", "--sku", ""}, "Basic\nStandard\nPremium\n"},
		{[]string{"__complete", "token", "cr"}, "credential\t"},
	}
	for _, tt := range tests {
		if r := c.ok(tt.args...); !strings.Contains(r.stdout, tt.want) {
			t.Errorf("%v: got %q, want it to contain %q", tt.args, r.stdout, tt.want)
		}
	}
}

package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

// Credentials presented where they do not belong (issue #5): every case is
// checked at the token endpoint and with Basic on /v2/, after showing that
// the same request with the right credential succeeds.

func TestCredentialsAreRefusedOutsideTheirRegistryAndState(t *testing.T) {
	e := newRegistryEnv(t)
	const regB = "otherregistry"
	if _, _, err := e.srv.Access.PutRegistry(t.Context(), group, regB, "local", access.Premium); err != nil {
		t.Fatal(err)
	}
	e.seed(regA, "app")
	e.seed(regB, "app")
	pwA := e.token(regA, "twin-token", "repositories/*/content/read")
	pwB := e.token(regB, "twin-token", "repositories/*/content/read")
	pwOff := e.token(regA, "off-token", "repositories/*/content/read")
	setStatus(t, e, "off-token", access.Disabled)

	login := func(registry, user, pw string) int {
		q := url.Values{"service": {loginServer(registry)}, "scope": {"repository:app:pull"}}
		return e.raw("GET", loginServer(registry), "/oauth2/token?"+q.Encode(), basic(user, pw)).StatusCode
	}
	direct := func(registry, user, pw string) int {
		return e.raw("GET", loginServer(registry), "/v2/app/manifests/v1", basic(user, pw)).StatusCode
	}
	tests := []struct {
		name             string
		registry, user   string
		pw               string
		want             int
		wantMsgSubstring string
	}{
		{"A's password on A", regA, "twin-token", pwA, 200, ""},
		{"B's password on B", regB, "twin-token", pwB, 200, ""},
		{"A's password on B, where a token of the same name exists", regB, "twin-token", pwA, 401, access.GenericAuthFailure},
		{"B's password on A", regA, "twin-token", pwB, 401, access.GenericAuthFailure},
		{"A's password under another token name of A", regA, "off-token", pwA, 401, access.GenericAuthFailure},
		{"a disabled token's right password", regA, "off-token", pwOff, 401, "token 'off-token' is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for how, try := range map[string]func(registry, user, pw string) int{"token endpoint": login, "Basic on /v2/": direct} {
				if got := try(tt.registry, tt.user, tt.pw); got != tt.want {
					t.Errorf("%s: status %d, want %d", how, got, tt.want)
				}
			}
			if tt.wantMsgSubstring != "" {
				q := url.Values{"service": {loginServer(tt.registry)}}
				body := readBody(t, e.raw("GET", loginServer(tt.registry), "/oauth2/token?"+q.Encode(), basic(tt.user, tt.pw)))
				if !strings.Contains(body, tt.wantMsgSubstring) {
					t.Errorf("token endpoint body %s, want it to say %q", body, tt.wantMsgSubstring)
				}
			}
		})
	}
}

func TestTheAdminAPIRefusesEveryOtherCredential(t *testing.T) {
	e := newRegistryEnv(t)
	pw := e.token(regA, "not-admin", "repositories/*/content/read", "repositories/*/content/write", "repositories/*/content/delete")
	at := e.accessToken(regA, "not-admin", pw, "repository:app:pull,push,delete")
	const tokens = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + group +
		"/providers/Microsoft.ContainerRegistry/registries/" + regA + "/tokens?api-version=2023-07-01"
	tests := []struct {
		name string
		h    http.Header
		want int
	}{
		{"the admin key", bearer(e.srv.AdminKey), 200},
		{"no Authorization", nil, 401},
		{"a wrong key", bearer("oacradmin_" + strings.Repeat("A", 43)), 401},
		{"the admin key with one character changed", bearer(wrong(e.srv.AdminKey)), 401},
		{"the admin key as a prefix", bearer(e.srv.AdminKey[:len(e.srv.AdminKey)-1]), 401},
		{"the admin key as Basic", basic("admin", e.srv.AdminKey), 401},
		{"an empty bearer", http.Header{"Authorization": {"Bearer "}}, 401},
		{"a token password as Basic", basic("not-admin", pw), 401},
		{"a token password as bearer", bearer(pw), 401},
		{"a data-plane access token", bearer(at), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{"GET", "DELETE"} {
				path := tokens
				if method == "DELETE" {
					if tt.want == 200 {
						continue // do not delete anything with the right key
					}
					path = strings.Replace(tokens, "/tokens?", "/tokens/not-admin?", 1)
				}
				if got := e.raw(method, loginServer(regA), path, tt.h).StatusCode; got != tt.want {
					t.Errorf("%s: status %d, want %d", method, got, tt.want)
				}
			}
		})
	}
	if _, err := e.srv.Access.GetToken(t.Context(), group, regA, "not-admin"); err != nil {
		t.Errorf("the token is gone after refused deletes: %v", err)
	}
}

package server_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func TestRotationKeepsTheOtherPasswordWorking(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	p1 := e.token(regA, "rotator", "repositories/app/content/read")
	c1 := e.client(regA, "rotator", p1)
	wantOK(t, "pull with password1", c1.pull("app", "v1"))

	p2 := e.generate(regA, "rotator", access.Password2, nil)
	// The change revoked c1's access token; it logs in again with password1.
	wantOK(t, "pull with password1 after password2 was generated", c1.pull("app", "v1"))
	c2 := e.client(regA, "rotator", p2)
	wantOK(t, "pull with password2", c2.pull("app", "v1"))

	keep := []string{access.Password2}
	if _, err := e.srv.Access.UpdateToken(t.Context(), group, regA, "rotator", access.TokenUpdate{KeepPasswords: &keep}); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "pull with the deleted password1", c1.pull("app", "v1"), access.GenericAuthFailure)
	wantOK(t, "pull with password2 after password1 was deleted", c2.pull("app", "v1"))
	wantRefused(t, "a new client with password1", e.client(regA, "rotator", p1).pull("app", "v1"), access.GenericAuthFailure)
}

func TestExpiredPasswordIsRefusedFromItsExpiry(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	e.token(regA, "expiring", "repositories/app/content/read")
	exp := e.clock.Now().Add(2 * time.Second).Truncate(time.Second)
	pw := e.generate(regA, "expiring", access.Password2, &exp)
	c := e.client(regA, "expiring", pw)
	wantOK(t, "pull before the expiry", c.pull("app", "v1"))

	e.clock.Advance(time.Until(exp) + time.Millisecond) // now just past the expiry
	// The access token minted before is capped at the expiry too.
	wantRefused(t, "pull after the expiry", c.pull("app", "v1"), "password2 of token 'expiring' expired at "+exp.UTC().Format(time.RFC3339))

	resp := e.raw("GET", loginServer(regA), "/v2/app/manifests/v1", basic("expiring", pw))
	if body := readBody(t, resp); resp.StatusCode != 401 || !contains(body, "expired at") {
		t.Errorf("direct Basic after the expiry: %d %s, want 401 saying it expired", resp.StatusCode, body)
	}
}

func TestDisabledTokenIsRefusedUntilEnabled(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	c := e.client(regA, "switcher", e.token(regA, "switcher", "repositories/app/content/read"))
	wantOK(t, "pull while enabled", c.pull("app", "v1"))
	setStatus(t, e, "switcher", access.Disabled)
	wantRefused(t, "pull while disabled", c.pull("app", "v1"), "token 'switcher' is disabled")
	setStatus(t, e, "switcher", access.Enabled)
	wantOK(t, "pull once enabled again", c.pull("app", "v1"))
}

func setStatus(t *testing.T, e *registryEnv, token string, st access.Status) {
	t.Helper()
	if _, err := e.srv.Access.UpdateToken(t.Context(), group, regA, token, access.TokenUpdate{Status: &st}); err != nil {
		t.Fatal(err)
	}
}

func TestDeletedTokenIsRefused(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "doomed", "repositories/app/content/read")
	c := e.client(regA, "doomed", pw)
	wantOK(t, "pull before delete", c.pull("app", "v1"))
	if err := e.srv.Access.DeleteToken(t.Context(), group, regA, "doomed"); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "pull after delete", c.pull("app", "v1"), access.GenericAuthFailure)

	// A new token of the same name does not revive the old password.
	if _, _, err := e.srv.Access.PutToken(t.Context(), group, regA, "doomed", "doomed-map", access.Enabled); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "old password of a re-created token", e.client(regA, "doomed", pw).pull("app", "v1"), access.GenericAuthFailure)
}

func TestScopeMapEditTakesEffectOnTheNextRequest(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app", "lib")
	c := e.client(regA, "editor", e.token(regA, "editor", "repositories/app/content/read", "repositories/lib/content/read"))
	wantOK(t, "pull lib before the edit", c.pull("lib", "v1"))
	actions := []string{"repositories/app/content/read"}
	if _, err := e.srv.Access.UpdateScopeMap(t.Context(), group, regA, "editor-map", nil, &actions); err != nil {
		t.Fatal(err)
	}
	if err := c.pull("lib", "v1"); !refused(err) {
		t.Errorf("pull lib after it was removed from the scope map: %v, want 401", err)
	}
	wantOK(t, "pull app, still in the scope map", c.pull("app", "v1"))

	// Swapping the token to another scope map works the same way.
	if _, _, err := e.srv.Access.PutScopeMap(t.Context(), group, regA, "libonly", nil, []string{"repositories/lib/content/read"}); err != nil {
		t.Fatal(err)
	}
	sm := "libonly"
	if _, err := e.srv.Access.UpdateToken(t.Context(), group, regA, "editor", access.TokenUpdate{ScopeMap: &sm}); err != nil {
		t.Fatal(err)
	}
	if err := c.pull("app", "v1"); !refused(err) {
		t.Errorf("pull app after the swap: %v, want 401", err)
	}
	wantOK(t, "pull lib after the swap", c.pull("lib", "v1"))
}

func TestTokenOfOneRegistryIsRefusedByAnother(t *testing.T) {
	e := newRegistryEnv(t)
	const regB = "otherregistry"
	if _, _, err := e.srv.Access.PutRegistry(t.Context(), group, regB, "local", access.Premium); err != nil {
		t.Fatal(err)
	}
	e.seed(regA, "app")
	e.seed(regB, "app")
	pwA := e.token(regA, "shared", "repositories/*/content/read")
	pwB := e.token(regB, "shared", "repositories/*/content/read")
	wantOK(t, "A's token on A", e.client(regA, "shared", pwA).pull("app", "v1"))
	wantOK(t, "B's token on B", e.client(regB, "shared", pwB).pull("app", "v1"))
	wantRefused(t, "A's password on B", e.client(regB, "shared", pwA).pull("app", "v1"), access.GenericAuthFailure)

	// An access token minted by A, presented to B.
	at := e.accessToken(regA, "shared", pwA, "repository:app:pull")
	resp := e.raw("GET", loginServer(regB), "/v2/app/manifests/v1", bearer(at))
	if resp.StatusCode != 401 {
		t.Errorf("A's access token on B: status %d, want 401", resp.StatusCode)
	}
	resp = e.raw("GET", loginServer(regA), "/v2/app/manifests/v1", bearer(at))
	if resp.StatusCode != 200 {
		t.Errorf("A's access token on A: status %d, want 200", resp.StatusCode)
	}
}

func TestRegistriesComeAndGoWithoutRestart(t *testing.T) {
	e := newRegistryEnv(t)
	const reg = "newcomer"
	if _, _, err := e.srv.Access.PutRegistry(t.Context(), group, reg, "local", access.Basic); err != nil {
		t.Fatal(err)
	}
	c := e.client(reg, "pusher", e.token(reg, "pusher", "repositories/*/content/read", "repositories/*/content/write"))
	_, err := c.push("app", "v1")
	wantOK(t, "push to a registry created after start", err)
	root := filepath.Join(e.data, "registries", reg)
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("the registry has no storage root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.data, "registries", regA, "docker", "registry", "v2", "repositories", "app")); err == nil {
		t.Errorf("the push landed in the default registry's storage too")
	}

	if err := e.srv.Access.DeleteRegistry(t.Context(), group, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("storage root after delete: stat error %v, want not exist", err)
	}
	// Its host now reaches the default registry, which knows no such token.
	if err := c.pull("app", "v1"); !refused(err) {
		t.Errorf("pull from a deleted registry: %v, want 401", err)
	}
}

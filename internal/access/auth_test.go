package access_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func TestAuthenticate(t *testing.T) {
	now := start.Truncate(time.Microsecond)
	expiry := now.Add(time.Hour)
	tests := []struct {
		name string
		// setup runs before the attempt and returns registry, username and
		// secret; vs holds MyToken's values in registrya.
		setup  func(t *testing.T, e *env, vs map[string]string) (registry, username, secret string)
		public string // "" = authenticated
		slot   string // that matched, when authenticated
	}{
		{"password1 authenticates", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			return "registrya", "MyToken", vs["password1"]
		}, "", "password1"},
		{"password2 authenticates", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			return "registrya", "MyToken", vs["password2"]
		}, "", "password2"},
		{"the username is case-insensitive", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			return "registrya", "MYTOKEN", vs["password1"]
		}, "", "password1"},
		{"a wrong secret gets the generic message", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			return "registrya", "MyToken", e.generate(t, "registryb", "MyToken", "password1", nil)["password1"]
		}, access.GenericAuthFailure, ""},
		{"an unknown token gets the generic message", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			return "registrya", "NoToken", vs["password1"]
		}, access.GenericAuthFailure, ""},
		{"a malformed secret is refused", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			return "registrya", "MyToken", "hunter2"
		}, access.GenericAuthFailure, ""},
		{"a secret with a wrong checksum is refused", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			s := vs["password1"]
			last := s[len(s)-1]
			return "registrya", "MyToken", s[:len(s)-1] + map[bool]string{true: "0", false: "1"}[last != '0']
		}, access.GenericAuthFailure, ""},
		{"a token of registry A is refused by registry B with a same-named token",
			func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
				e.generate(t, "registryb", "MyToken", "", nil)
				return "registryb", "MyToken", vs["password1"]
			}, access.GenericAuthFailure, ""},
		{"an expired password says so", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			e.clock.Set(expiry.Add(time.Second))
			return "registrya", "MyToken", vs["password2"]
		}, "password2 of token 'MyToken' expired at " + expiry.Format(time.RFC3339), ""},
		{"a password stops working at its expiry instant", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			e.clock.Set(expiry)
			return "registrya", "MyToken", vs["password2"]
		}, "password2 of token 'MyToken' expired at", ""},
		{"a password works until its expiry instant", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			e.clock.Set(expiry.Add(-time.Microsecond))
			return "registrya", "MyToken", vs["password2"]
		}, "", "password2"},
		{"a never-expiring password works far in the future", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			e.clock.Set(time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC))
			return "registrya", "MyToken", vs["password1"]
		}, "", "password1"},
		{"a disabled token says so", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			_, err := e.svc.UpdateToken(t.Context(), group, "registrya", "MyToken", access.TokenUpdate{Status: ptr(access.Disabled)})
			wantKind(t, err, nil, "")
			return "registrya", "MyToken", vs["password1"]
		}, "token 'MyToken' is disabled", ""},
		{"a deleted password is refused", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			_, err := e.svc.UpdateToken(t.Context(), group, "registrya", "MyToken", access.TokenUpdate{KeepPasswords: &[]string{"password2"}})
			wantKind(t, err, nil, "")
			return "registrya", "MyToken", vs["password1"]
		}, access.GenericAuthFailure, ""},
		{"a regenerated password's old value is refused", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			e.generate(t, "registrya", "MyToken", "password1", nil)
			return "registrya", "MyToken", vs["password1"]
		}, access.GenericAuthFailure, ""},
		{"a deleted token is refused", func(t *testing.T, e *env, vs map[string]string) (string, string, string) {
			wantKind(t, e.svc.DeleteToken(t.Context(), group, "registrya", "MyToken"), nil, "")
			return "registrya", "MyToken", vs["password1"]
		}, access.GenericAuthFailure, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.registry(t, "registrya")
			e.registry(t, "registryb")
			vs := e.generate(t, "registrya", "MyToken", access.Password1, nil)
			for k, v := range e.generate(t, "registrya", "MyToken", access.Password2, &expiry) {
				vs[k] = v
			}
			registry, username, secret := tt.setup(t, e, vs)
			p, err := e.svc.Authenticate(t.Context(), registry, username, secret)
			if tt.public == "" {
				wantKind(t, err, nil, "")
				tok := e.getToken(t, "registrya", "MyToken")
				pw, _ := tok.Password(tt.slot)
				want := access.Principal{Registry: "registrya", Token: "MyToken", Password: tt.slot,
					ScopeMap: "reader", Generation: tok.Generation, Expiry: pw.Expiry}
				if p != want {
					t.Errorf("got principal %+v, want %+v", p, want)
				}
				return
			}
			var ae *access.AuthError
			if !errors.As(err, &ae) || !errors.Is(err, access.ErrUnauthorized) {
				t.Fatalf("got error %v, want *access.AuthError", err)
			}
			if !strings.HasPrefix(ae.Public, tt.public) {
				t.Errorf("got public message %q, want %q", ae.Public, tt.public)
			}
			if ae.Reason == "" || strings.Contains(ae.Reason, secret) || strings.Contains(ae.Public, secret) {
				t.Errorf("got reason %q: want a reason that does not contain the secret", ae.Reason)
			}
		})
	}
}

package access_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// expiriesEnv is an env whose Service writes through a Cache that feeds an
// Expiries index.
func expiriesEnv(t *testing.T) (*env, *access.Expiries, *access.Cache) {
	t.Helper()
	e := newEnv(t)
	c := access.NewCache(e.st)
	svc, err := access.New(c, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc.Now = e.clock.Now
	e.svc = svc
	return e, access.NewExpiries(c), c
}

func listed(x *access.Expiries) []string {
	var out []string
	x.Each(func(p access.PasswordExpiry) {
		out = append(out, p.Registry+"/"+p.Token+"/"+p.Password+"@"+p.Expiry.Format(time.RFC3339))
	})
	slices.Sort(out)
	return out
}

func TestExpiriesFollowEveryChange(t *testing.T) {
	e, x, _ := expiriesEnv(t)
	e.registry(t, "myregistry")
	in := start.Add(48 * time.Hour).Truncate(time.Second)
	want := func(what string, w ...string) {
		t.Helper()
		if got := listed(x); !slices.Equal(got, w) {
			t.Errorf("%s: got %q, want %q", what, got, w)
		}
	}
	e.generate(t, "myregistry", "MyToken", "", &in)
	p := "myregistry/MyToken/"
	want("both generated with an expiry", p+"password1@"+in.Format(time.RFC3339), p+"password2@"+in.Format(time.RFC3339))
	e.generate(t, "myregistry", "MyToken", access.Password1, nil)
	want("password1 regenerated without one", p+"password2@"+in.Format(time.RFC3339))
	if _, err := e.svc.UpdateToken(t.Context(), group, "myregistry", "MyToken", access.TokenUpdate{KeepPasswords: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	want("passwords deleted")
	e.generate(t, "myregistry", "MyToken", "", &in)
	if err := e.svc.DeleteToken(t.Context(), group, "myregistry", "MyToken"); err != nil {
		t.Fatal(err)
	}
	want("token deleted")
	e.token(t, "myregistry", "Other", "reader")
	e.generate(t, "myregistry", "Other", access.Password2, &in)
	if err := e.svc.DeleteRegistry(t.Context(), group, "myregistry"); err != nil {
		t.Fatal(err)
	}
	want("registry deleted")
}

func TestExpiriesLoadWhatOthersWrote(t *testing.T) {
	e, x, c := expiriesEnv(t)
	e.registry(t, "myregistry")
	in := start.Add(time.Hour).Truncate(time.Second)
	// Another node's change: straight to the store, past this node's cache.
	_, err := e.st.UpdateToken(t.Context(), "myregistry", "MyToken", func(tok *access.Token) error {
		tok.Passwords = []access.Password{{Name: access.Password1, Hash: make([]byte, 32), Created: start, Expiry: in}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := listed(x); len(got) != 0 {
		t.Fatalf("before Load: got %q, want nothing", got)
	}
	if err := x.Load(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if got, want := listed(x), []string{"myregistry/MyToken/password1@" + in.Format(time.RFC3339)}; !slices.Equal(got, want) {
		t.Errorf("after Load: got %q, want %q", got, want)
	}
}

package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func tokenName(t access.Token) string { return t.Name }

var tokenTests = []test{
	{"create then get returns every field exactly", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		want := newToken("myregistry", "MyToken", "reader")
		want.Status, want.Generation, want.Modified = access.Disabled, 7, t0.Add(time.Microsecond)
		p2 := newPassword(access.Password2, 2)
		p2.Expiry = t0.Add(24*time.Hour + time.Microsecond)
		want.Passwords = []access.Password{newPassword(access.Password1, 1), p2}
		if err := st.CreateToken(t.Context(), want, 10); err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		wantSame(t, "token", mustGetToken(t, st, "myregistry", "MyToken"), want)
	}},
	{"NeverExpires round-trips", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		tok := newToken("myregistry", "mytoken", "reader")
		tok.Passwords = []access.Password{newPassword(access.Password1, 1)}
		mustCreateToken(t, st, tok)
		got := mustGetToken(t, st, "myregistry", "mytoken").Passwords[0].Expiry
		if got != access.NeverExpires {
			t.Errorf("got expiry %v, want NeverExpires %v", got, access.NeverExpires)
		}
	}},
	{"names are case-insensitive and keep their case", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateToken(t, st, newToken("myregistry", "MyToken", "READER"))
		tok := mustGetToken(t, st, "MyRegistry", "MYTOKEN")
		if tok.Name != "MyToken" || !strings.EqualFold(tok.ScopeMap, "reader") {
			t.Errorf("got name %q scope map %q, want MyToken and reader", tok.Name, tok.ScopeMap)
		}
		err := st.CreateToken(t.Context(), newToken("myregistry", "mytoken", "reader"), 10)
		wantErr(t, "CreateToken of another case", err, access.ErrExists)
	}},
	{"get of a missing token is ErrNotFound", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		_, err := st.GetToken(t.Context(), "myregistry", "nothere")
		wantErr(t, "GetToken", err, access.ErrNotFound)
		_, err = st.GetToken(t.Context(), "noregistry", "nothere")
		wantErr(t, "GetToken of a missing registry", err, access.ErrNotFound)
	}},
	{"a token belongs to its registry only", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "registry1")
		mustCreateRegistry(t, st, "registry2")
		mustCreateToken(t, st, newToken("registry1", "mytoken", "reader"))
		_, err := st.GetToken(t.Context(), "registry2", "mytoken")
		wantErr(t, "GetToken from the other registry", err, access.ErrNotFound)
		mustCreateToken(t, st, newToken("registry2", "mytoken", "_system"))
		if tok := mustGetToken(t, st, "registry1", "mytoken"); tok.ScopeMap != "reader" {
			t.Errorf("registry1's token: got scope map %q, want reader", tok.ScopeMap)
		}
	}},
	{"create with a missing scope map or registry is ErrNotFound", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "registry1")
		mustCreateRegistry(t, st, "registry2")
		mustCreateScopeMap(t, st, newScopeMap("registry2", "onlyin2"))
		for _, tok := range []access.Token{
			newToken("registry1", "mytoken", "nosuchmap"),
			newToken("registry1", "mytoken", "onlyin2"),
			newToken("noregistry", "mytoken", "reader"),
		} {
			err := st.CreateToken(t.Context(), tok, 10)
			wantErr(t, "CreateToken "+tok.Registry+"/"+tok.ScopeMap, err, access.ErrNotFound)
		}
		_, err := st.GetToken(t.Context(), "registry1", "mytoken")
		wantErr(t, "GetToken of the refused token", err, access.ErrNotFound)
	}},
	{"create over the limit is ErrQuotaExceeded", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		for _, n := range seq("token", 3) {
			wantErr(t, "CreateToken "+n, st.CreateToken(t.Context(), newToken("myregistry", n, "reader"), 3), nil)
		}
		err := st.CreateToken(t.Context(), newToken("myregistry", "token99", "reader"), 3)
		wantErr(t, "CreateToken over the limit", err, access.ErrQuotaExceeded)
		err = st.CreateToken(t.Context(), newToken("myregistry", "TOKEN00", "reader"), 3)
		wantErr(t, "CreateToken of an existing name in a full registry", err, access.ErrExists)
		wantErr(t, "DeleteToken", st.DeleteToken(t.Context(), "myregistry", "token01"), nil)
		err = st.CreateToken(t.Context(), newToken("myregistry", "token99", "reader"), 3)
		wantErr(t, "CreateToken after a delete", err, nil)
	}},
	{"list pages by case-insensitive name", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		for _, n := range []string{"delta", "Alpha", "charlie", "BRAVO", "echo-1", "echo"} {
			mustCreateToken(t, st, newToken("myregistry", n, "reader"))
		}
		testPaging(t, []string{"Alpha", "BRAVO", "charlie", "delta", "echo", "echo-1"},
			func(ctx context.Context, p access.Page) ([]string, error) {
				ts, err := st.ListTokens(ctx, "myregistry", p)
				return names(ts, tokenName), err
			})
	}},
	{"list returns whole tokens", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		want := newToken("myregistry", "mytoken", "reader")
		want.Passwords = []access.Password{newPassword(access.Password2, 9)}
		mustCreateToken(t, st, want)
		ts, err := st.ListTokens(t.Context(), "myregistry", access.Page{})
		wantErr(t, "ListTokens", err, nil)
		wantSame(t, "tokens", ts, []access.Token{want})
	}},
	{"list of a missing registry is ErrNotFound", func(t *testing.T, st access.Store) {
		_, err := st.ListTokens(t.Context(), "noregistry", access.Page{})
		wantErr(t, "ListTokens", err, access.ErrNotFound)
	}},
	{"update replaces one password slot and keeps the other", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		tok := newToken("myregistry", "mytoken", "reader")
		tok.Passwords = []access.Password{newPassword(access.Password1, 1), newPassword(access.Password2, 2)}
		mustCreateToken(t, st, tok)
		p1 := newPassword(access.Password1, 11)
		p1.Created, p1.Expiry = t0.Add(time.Hour), t0.Add(48*time.Hour)
		got, err := st.UpdateToken(t.Context(), "MyRegistry", "MyToken", func(tok *access.Token) error {
			tok.Passwords[0] = p1
			tok.Generation++
			return nil
		})
		wantErr(t, "UpdateToken", err, nil)
		stored := mustGetToken(t, st, "myregistry", "mytoken")
		wantSame(t, "returned vs stored", got, stored)
		wantSame(t, "passwords", stored.Passwords, []access.Password{p1, newPassword(access.Password2, 2)})
		if stored.Generation != 2 {
			t.Errorf("got generation %d, want 2", stored.Generation)
		}
	}},
	{"update can delete a password and change status and scope map", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		tok := newToken("myregistry", "mytoken", "reader")
		tok.Passwords = []access.Password{newPassword(access.Password1, 1), newPassword(access.Password2, 2)}
		mustCreateToken(t, st, tok)
		_, err := st.UpdateToken(t.Context(), "myregistry", "mytoken", func(tok *access.Token) error {
			tok.Passwords = tok.Passwords[1:]
			tok.Status, tok.ScopeMap = access.Disabled, "_SYSTEM"
			return nil
		})
		wantErr(t, "UpdateToken", err, nil)
		got := mustGetToken(t, st, "myregistry", "mytoken")
		wantSame(t, "passwords", got.Passwords, []access.Password{newPassword(access.Password2, 2)})
		if got.Status != access.Disabled || !strings.EqualFold(got.ScopeMap, "_system") {
			t.Errorf("got status %q scope map %q, want disabled and _system", got.Status, got.ScopeMap)
		}
	}},
	{"update to a missing scope map is ErrNotFound and changes nothing", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateToken(t, st, newToken("myregistry", "mytoken", "reader"))
		_, err := st.UpdateToken(t.Context(), "myregistry", "mytoken", func(tok *access.Token) error {
			tok.ScopeMap, tok.Status = "nosuchmap", access.Disabled
			return nil
		})
		wantErr(t, "UpdateToken", err, access.ErrNotFound)
		if got := mustGetToken(t, st, "myregistry", "mytoken"); got.ScopeMap != "reader" || got.Status != access.Enabled {
			t.Errorf("failed update left scope map %q status %q", got.ScopeMap, got.Status)
		}
	}},
	{"update returns fn's error unchanged and changes nothing", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		tok := newToken("myregistry", "mytoken", "reader")
		tok.Passwords = []access.Password{newPassword(access.Password1, 1)}
		mustCreateToken(t, st, tok)
		_, err := st.UpdateToken(t.Context(), "myregistry", "mytoken", func(tok *access.Token) error {
			tok.Passwords = nil
			tok.Generation = 99
			return errFn
		})
		wantFnErr(t, "UpdateToken", err)
		wantSame(t, "token after failed update", mustGetToken(t, st, "myregistry", "mytoken"), tok)
	}},
	{"update of a missing token is ErrNotFound", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		_, err := st.UpdateToken(t.Context(), "myregistry", "nothere", func(*access.Token) error { return nil })
		wantErr(t, "UpdateToken", err, access.ErrNotFound)
	}},
	{"delete removes the token", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateToken(t, st, newToken("myregistry", "mytoken", "reader"))
		wantErr(t, "DeleteToken", st.DeleteToken(t.Context(), "myregistry", "MYTOKEN"), nil)
		_, err := st.GetToken(t.Context(), "myregistry", "mytoken")
		wantErr(t, "GetToken after delete", err, access.ErrNotFound)
		wantErr(t, "DeleteToken again", st.DeleteToken(t.Context(), "myregistry", "mytoken"), access.ErrNotFound)
	}},
}

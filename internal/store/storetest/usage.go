package storetest

import (
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

// usageStore returns st as an access.UsageStore, skipping the test when
// the implementation does not keep password uses.
func usageStore(t *testing.T, st access.Store) access.UsageStore {
	t.Helper()
	us, ok := st.(access.UsageStore)
	if !ok {
		t.Skip("the store does not implement access.UsageStore")
	}
	return us
}

// withPasswordsToken creates registry "myregistry" with token "MyToken"
// holding both passwords, created at t0.
func withPasswordsToken(t *testing.T, st access.Store) {
	t.Helper()
	mustCreateRegistry(t, st, "myregistry")
	tok := newToken("myregistry", "MyToken", "reader")
	tok.Passwords = []access.Password{newPassword(access.Password1, 1), newPassword(access.Password2, 2)}
	mustCreateToken(t, st, tok)
}

func use(slot string, created time.Time, at time.Duration, addr string) access.PasswordUse {
	return access.PasswordUse{Registry: "MyRegistry", Token: "mytoken", Password: slot,
		PasswordCreated: created, Time: t0.Add(at), Address: addr}
}

// lastUses records uses, then returns the last use of each slot of MyToken.
func lastUses(t *testing.T, st access.Store, uses ...access.PasswordUse) map[string]access.PasswordUse {
	t.Helper()
	us := usageStore(t, st)
	if err := us.RecordUses(t.Context(), uses); err != nil {
		t.Fatalf("RecordUses: %v", err)
	}
	got, err := us.LastUses(t.Context(), "myregistry", []string{"MYTOKEN", "other"})
	if err != nil {
		t.Fatalf("LastUses: %v", err)
	}
	out := map[string]access.PasswordUse{}
	for _, u := range got {
		out[u.Password] = u
	}
	return out
}

var usageTests = []test{
	{"the latest use of each password is kept", func(t *testing.T, st access.Store) {
		withPasswordsToken(t, st)
		got := lastUses(t, st, use(access.Password1, t0, time.Hour, "192.0.2.1"), use(access.Password2, t0, time.Minute, "192.0.2.2"))
		got = lastUses(t, st, use(access.Password1, t0, time.Second, "192.0.2.9")) // older: ignored
		want := map[string]access.PasswordUse{
			access.Password1: {Registry: "myregistry", Token: "mytoken", Password: access.Password1, PasswordCreated: t0, Time: t0.Add(time.Hour), Address: "192.0.2.1"},
			access.Password2: {Registry: "myregistry", Token: "mytoken", Password: access.Password2, PasswordCreated: t0, Time: t0.Add(time.Minute), Address: "192.0.2.2"},
		}
		wantSame(t, "last uses", got, want)
	}},
	{"a use of a password that was regenerated since is dropped", func(t *testing.T, st access.Store) {
		withPasswordsToken(t, st)
		got := lastUses(t, st, use(access.Password1, t0.Add(-time.Hour), time.Hour, "192.0.2.1"))
		if len(got) != 0 {
			t.Errorf("got %v, want no use", got)
		}
	}},
	{"the first use of a new password replaces the old password's", func(t *testing.T, st access.Store) {
		withPasswordsToken(t, st)
		lastUses(t, st, use(access.Password1, t0, 2*time.Hour, "192.0.2.1"))
		newer := t0.Add(time.Hour)
		_, err := st.UpdateToken(t.Context(), "myregistry", "mytoken", func(tok *access.Token) error {
			tok.Passwords[0].Created = newer
			return nil
		})
		wantErr(t, "UpdateToken", err, nil)
		got := lastUses(t, st, use(access.Password1, newer, 90*time.Minute, "192.0.2.7"))
		if u := got[access.Password1]; !u.PasswordCreated.Equal(newer) || u.Address != "192.0.2.7" {
			t.Errorf("got %+v, want the new password's use", u)
		}
	}},
	{"uses go with their token", func(t *testing.T, st access.Store) {
		withPasswordsToken(t, st)
		lastUses(t, st, use(access.Password1, t0, time.Hour, "192.0.2.1"))
		wantErr(t, "DeleteToken", st.DeleteToken(t.Context(), "myregistry", "mytoken"), nil)
		withPasswords := newToken("myregistry", "MyToken", "reader")
		withPasswords.Passwords = []access.Password{newPassword(access.Password1, 1)}
		mustCreateToken(t, st, withPasswords)
		if got := lastUses(t, st); len(got) != 0 {
			t.Errorf("the token created again inherited %v", got)
		}
	}},
	{"uses of a missing token are dropped, not an error", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		if got := lastUses(t, st, use(access.Password1, t0, time.Hour, "192.0.2.1")); len(got) != 0 {
			t.Errorf("got %v, want no use", got)
		}
	}},
}

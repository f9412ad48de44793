package access_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func TestSKULimits(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.registry(t, "myregistry") // Basic, with one user map and one token
	// Fill up to the Basic limits through the store: the service path is
	// tested by the refusals below, and this keeps the test fast.
	for i := 1; i < access.Basic.Limits().ScopeMaps; i++ {
		m := access.ScopeMap{Registry: "myregistry", Name: fmt.Sprintf("map%03d", i), Actions: []string{"repositories/a/content/read"}}
		if err := e.st.CreateScopeMap(ctx, m, 1000); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < access.Basic.Limits().Tokens; i++ {
		tok := access.Token{Registry: "myregistry", Name: fmt.Sprintf("token%03d", i), ScopeMap: "reader", Status: access.Enabled}
		if err := e.st.CreateToken(ctx, tok, 1000); err != nil {
			t.Fatal(err)
		}
	}

	_, _, err := e.svc.PutToken(ctx, group, "myregistry", "onetoomany", "reader", access.Enabled)
	wantKind(t, err, access.ErrQuotaExceeded, "Registry 'myregistry' (SKU Basic) already has the maximum of 100 tokens.")
	_, _, err = e.svc.PutScopeMap(ctx, group, "myregistry", "onetoomany", nil, []string{"repositories/a/content/read"})
	wantKind(t, err, access.ErrQuotaExceeded, "Registry 'myregistry' (SKU Basic) already has the maximum of 100 scope maps.")

	t.Run("a full registry still updates existing objects", func(t *testing.T) {
		tok, created, err := e.svc.PutToken(ctx, group, "myregistry", "token001", "_repositories_pull", access.Disabled)
		wantKind(t, err, nil, "")
		if created || tok.ScopeMap != "_repositories_pull" || tok.Status != access.Disabled {
			t.Errorf("got created=%v %+v, want token001 updated", created, tok)
		}
		_, created, err = e.svc.PutScopeMap(ctx, group, "myregistry", "map001", nil, []string{"repositories/b/content/read"})
		wantKind(t, err, nil, "")
		if created {
			t.Error("PutScopeMap of an existing map in a full registry: got created")
		}
	})
	t.Run("a larger sku lifts the limits", func(t *testing.T) {
		_, err := e.svc.UpdateRegistry(ctx, group, "myregistry", ptr(access.Standard))
		wantKind(t, err, nil, "")
		_, _, err = e.svc.PutToken(ctx, group, "myregistry", "onetoomany", "reader", access.Enabled)
		wantKind(t, err, nil, "")
	})
}

func TestPutToken(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	ctx := t.Context()

	t.Run("a new token is enabled, at generation 1, without passwords", func(t *testing.T) {
		tok, created, err := e.svc.PutToken(ctx, group, "myregistry", "NewToken", "reader", "")
		wantKind(t, err, nil, "")
		if !created || tok.Status != access.Enabled || tok.Generation != 1 || len(tok.Passwords) != 0 {
			t.Errorf("got created=%v %+v", created, tok)
		}
		got := e.getToken(t, "myregistry", "newtoken")
		if got.Name != "NewToken" || !got.Created.Equal(tok.Created) || got.Created != tok.Created {
			t.Errorf("get: got name %q created %v, want NewToken created %v", got.Name, got.Created, tok.Created)
		}
	})
	t.Run("put of an existing token keeps its passwords", func(t *testing.T) {
		e.generate(t, "myregistry", "MyToken", "", nil)
		before := e.getToken(t, "myregistry", "MyToken")
		tok, created, err := e.svc.PutToken(ctx, group, "myregistry", "MyToken", "_repositories_push", access.Enabled)
		wantKind(t, err, nil, "")
		if created || len(tok.Passwords) != 2 || tok.Generation != before.Generation+1 {
			t.Errorf("got created=%v %d passwords generation %d; want an update keeping 2 passwords at generation %d",
				created, len(tok.Passwords), tok.Generation, before.Generation+1)
		}
	})
	t.Run("a missing scope map is refused", func(t *testing.T) {
		_, _, err := e.svc.PutToken(ctx, group, "myregistry", "orphan", "nosuchmap", access.Enabled)
		wantKind(t, err, access.ErrInvalid, "The scope map 'nosuchmap' does not exist in registry 'myregistry'.")
		_, err = e.svc.UpdateToken(ctx, group, "myregistry", "MyToken", access.TokenUpdate{ScopeMap: ptr("nosuchmap")})
		wantKind(t, err, access.ErrInvalid, "The scope map 'nosuchmap' does not exist")
	})
	t.Run("no scope map is refused", func(t *testing.T) {
		_, _, err := e.svc.PutToken(ctx, group, "myregistry", "orphan", "", access.Enabled)
		wantKind(t, err, access.ErrInvalid, "A token needs a scope map")
	})
	t.Run("an unknown status is refused", func(t *testing.T) {
		_, _, err := e.svc.PutToken(ctx, group, "myregistry", "orphan", "reader", "paused")
		wantKind(t, err, access.ErrInvalid, "The token status 'paused' is not valid. Allowed values: enabled, disabled.")
	})
	t.Run("a missing token is not found", func(t *testing.T) {
		_, err := e.svc.UpdateToken(ctx, group, "myregistry", "nothere", access.TokenUpdate{Status: ptr(access.Disabled)})
		wantKind(t, err, access.ErrNotFound, "The resource nothere could not be found.")
		wantKind(t, e.svc.DeleteToken(ctx, group, "myregistry", "nothere"), access.ErrNotFound, "could not be found")
	})
}

func TestTokenGeneration(t *testing.T) {
	tests := []struct {
		name   string
		update access.TokenUpdate
		bumps  bool
	}{
		{"disabling bumps the generation", access.TokenUpdate{Status: ptr(access.Disabled)}, true},
		{"setting the same status does not", access.TokenUpdate{Status: ptr(access.Status("Enabled"))}, false},
		{"swapping the scope map bumps", access.TokenUpdate{ScopeMap: ptr("_repositories_pull")}, true},
		{"keeping both passwords does not", access.TokenUpdate{KeepPasswords: &[]string{"password1", "password2"}}, false},
		{"deleting a password bumps", access.TokenUpdate{KeepPasswords: &[]string{"password2"}}, true},
		{"an empty update does not", access.TokenUpdate{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.registry(t, "myregistry")
			e.generate(t, "myregistry", "MyToken", "", nil)
			before := e.getToken(t, "myregistry", "MyToken").Generation
			tok, err := e.svc.UpdateToken(t.Context(), group, "myregistry", "MyToken", tt.update)
			wantKind(t, err, nil, "")
			want := before
			if tt.bumps {
				want++
			}
			if tok.Generation != want {
				t.Errorf("got generation %d, want %d", tok.Generation, want)
			}
		})
	}
}

func TestKeepPasswords(t *testing.T) {
	tests := []struct {
		name string
		have string   // slot generated first ("" = both)
		keep []string // the update's KeepPasswords
		want []string // slots left
		kind error
		msg  string
	}{
		{"keeping password1 deletes password2", "", []string{"password1"}, []string{"password1"}, nil, ""},
		{"keeping nothing deletes both", "", []string{}, nil, nil, ""},
		{"keeping a missing password2 is refused", "password1", []string{"password1", "password2"}, []string{"password1"},
			access.ErrInvalid, "Unable to perform operation. Password2 credential doesn't exist."},
		{"keeping a missing password1 is refused", "password2", []string{"password1"}, []string{"password2"},
			access.ErrInvalid, "Unable to perform operation. Password1 credential doesn't exist."},
		{"an unknown slot is refused", "", []string{"password3"}, []string{"password1", "password2"},
			access.ErrInvalid, "Unknown password name 'password3'. Allowed values: password1, password2."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.registry(t, "myregistry")
			e.generate(t, "myregistry", "MyToken", tt.have, nil)
			_, err := e.svc.UpdateToken(t.Context(), group, "myregistry", "MyToken", access.TokenUpdate{KeepPasswords: &tt.keep})
			wantKind(t, err, tt.kind, tt.msg)
			var left []string
			for _, p := range e.getToken(t, "myregistry", "MyToken").Passwords {
				left = append(left, p.Name)
			}
			if fmt.Sprint(left) != fmt.Sprint(tt.want) {
				t.Errorf("got passwords %v, want %v", left, tt.want)
			}
		})
	}
}

func TestGenerateCredentials(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	ctx := t.Context()
	now := start.Truncate(time.Microsecond)

	t.Run("without expiry both passwords never expire", func(t *testing.T) {
		g, err := e.svc.GenerateCredentials(ctx, group, "myregistry", "MyToken", "", nil)
		wantKind(t, err, nil, "")
		if g.Username != "MyToken" || len(g.Passwords) != 2 {
			t.Fatalf("got %+v, want username MyToken and two passwords", g)
		}
		for _, p := range g.Passwords {
			if !access.WellFormedSecret(p.Value) || p.Expiry != access.NeverExpires || p.Created != now {
				t.Errorf("%s: got value ok=%v expiry %v created %v", p.Name, access.WellFormedSecret(p.Value), p.Expiry, p.Created)
			}
		}
		if g.Passwords[0].Value == g.Passwords[1].Value {
			t.Error("both slots got the same value")
		}
	})
	t.Run("one slot is regenerated and the other kept", func(t *testing.T) {
		before := e.getToken(t, "myregistry", "MyToken")
		exp := now.Add(30 * 24 * time.Hour)
		g, err := e.svc.GenerateCredentials(ctx, group, "myregistry", "MyToken", access.Password2, &exp)
		wantKind(t, err, nil, "")
		after := e.getToken(t, "myregistry", "MyToken")
		p1, _ := after.Password(access.Password1)
		old1, _ := before.Password(access.Password1)
		p2, _ := after.Password(access.Password2)
		if string(p1.Hash) != string(old1.Hash) || p2.Expiry != exp || after.Generation != before.Generation+1 {
			t.Errorf("got password1 kept=%v password2 expiry %v generation %d", string(p1.Hash) == string(old1.Hash), p2.Expiry, after.Generation)
		}
		if vs := values(g); len(vs) != 1 || vs[access.Password2] == "" || len(g.Passwords) != 2 {
			t.Errorf("got values for %v in %d passwords, want only password2's among 2", vs, len(g.Passwords))
		}
	})
	for _, tt := range []struct {
		name   string
		expiry time.Time
	}{
		{"an expiry in the past is refused", now.Add(-time.Second)},
		{"an expiry of now is refused", now},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.getToken(t, "myregistry", "MyToken")
			_, err := e.svc.GenerateCredentials(ctx, group, "myregistry", "MyToken", "", &tt.expiry)
			wantKind(t, err, access.ErrInvalid, "is in the past")
			if after := e.getToken(t, "myregistry", "MyToken"); after.Generation != before.Generation {
				t.Error("refused generation changed the token")
			}
		})
	}
	t.Run("an unknown slot is refused", func(t *testing.T) {
		_, err := e.svc.GenerateCredentials(ctx, group, "myregistry", "MyToken", "password3", nil)
		wantKind(t, err, access.ErrInvalid, "Unknown password name 'password3'")
	})
	t.Run("a missing token is not found", func(t *testing.T) {
		_, err := e.svc.GenerateCredentials(ctx, group, "myregistry", "nothere", "", nil)
		if !errors.Is(err, access.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

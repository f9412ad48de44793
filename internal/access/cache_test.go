package access_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/store"
)

// newCached is a Service writing through a Cache over SQLite, with registry
// "cachereg", scope maps "readapp" and "readlib", and token "cached".
func newCached(t *testing.T) (*access.Service, *access.Cache) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := access.NewCache(st)
	svc, err := access.New(c, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	must := func(_ any, _ bool, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.PutRegistry(ctx, "g", "cachereg", "local", access.Basic))
	must(svc.PutScopeMap(ctx, "g", "cachereg", "readapp", nil, []string{"repositories/app/content/read"}))
	must(svc.PutScopeMap(ctx, "g", "cachereg", "readlib", nil, []string{"repositories/lib/content/read"}))
	must(svc.PutToken(ctx, "g", "cachereg", "cached", "readapp", access.Enabled))
	return svc, c
}

func TestCacheSeesEveryChangeMadeThroughTheService(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, svc *access.Service) error
		// want checks the state after the change; gone means ErrNotFound.
		gone    bool
		canRead string
	}{
		{"password generated", func(ctx context.Context, svc *access.Service) error {
			_, err := svc.GenerateCredentials(ctx, "g", "cachereg", "cached", access.Password2, nil)
			return err
		}, false, "app"},
		{"token disabled", func(ctx context.Context, svc *access.Service) error {
			st := access.Disabled
			_, err := svc.UpdateToken(ctx, "g", "cachereg", "cached", access.TokenUpdate{Status: &st})
			return err
		}, false, "app"},
		{"scope map swapped", func(ctx context.Context, svc *access.Service) error {
			sm := "readlib"
			_, err := svc.UpdateToken(ctx, "g", "cachereg", "cached", access.TokenUpdate{ScopeMap: &sm})
			return err
		}, false, "lib"},
		{"scope map edited", func(ctx context.Context, svc *access.Service) error {
			actions := []string{"repositories/lib/content/read"}
			_, err := svc.UpdateScopeMap(ctx, "g", "cachereg", "readapp", nil, &actions)
			return err
		}, false, "lib"},
		{"token deleted", func(ctx context.Context, svc *access.Service) error {
			return svc.DeleteToken(ctx, "g", "cachereg", "cached")
		}, true, ""},
		{"registry deleted", func(ctx context.Context, svc *access.Service) error {
			return svc.DeleteRegistry(ctx, "g", "cachereg")
		}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, c := newCached(t)
			ctx := t.Context()
			before, err := c.State(ctx, "cachereg", "Cached") // names match case-insensitively
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.change(ctx, svc); err != nil {
				t.Fatal(err)
			}
			after, err := c.State(ctx, "cachereg", "cached")
			if tt.gone {
				if !errors.Is(err, access.ErrNotFound) {
					t.Errorf("State after the change: %+v, %v; want ErrNotFound", after, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if after.Generation == before.Generation {
				t.Errorf("generation still %d after the change", after.Generation)
			}
			if after.Scope.Allowed(tt.canRead)&scope.ContentRead == 0 {
				t.Errorf("after the change the state cannot read %q", tt.canRead)
			}
		})
	}
}

func TestCacheTellsHooksOfDeletedRegistries(t *testing.T) {
	svc, c := newCached(t)
	var deleted []string
	c.OnRegistriesChanged(func(_ context.Context, ch access.RegistriesChange) { deleted = append(deleted, ch.Deleted) })
	if rs, err := c.Registries(t.Context()); err != nil || len(rs) != 1 {
		t.Fatalf("Registries = %v, %v; want cachereg", rs, err)
	}
	if _, _, err := svc.PutRegistry(t.Context(), "g", "second", "local", access.Basic); err != nil {
		t.Fatal(err)
	}
	if rs, _ := c.Registries(t.Context()); len(rs) != 2 {
		t.Errorf("Registries after a create = %v, want two", rs)
	}
	if err := svc.DeleteRegistry(t.Context(), "g", "CacheReg"); err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 2 || deleted[0] != "" || deleted[1] != "cachereg" {
		t.Errorf("hooks saw %q, want a create then the deletion of cachereg", deleted)
	}
}

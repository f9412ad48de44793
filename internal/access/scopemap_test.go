package access_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openacr/openacr/internal/access"
)

func TestSystemScopeMaps(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	ms, err := e.svc.ListScopeMaps(t.Context(), group, "myregistry", access.Page{})
	wantKind(t, err, nil, "")
	want := map[string][]string{
		"_repositories_admin": {"repositories/*/content/delete", "repositories/*/content/read",
			"repositories/*/content/write", "repositories/*/metadata/read", "repositories/*/metadata/write"},
		"_repositories_pull":               {"repositories/*/content/read"},
		"_repositories_pull_metadata_read": {"repositories/*/content/read", "repositories/*/metadata/read"},
		"_repositories_push":               {"repositories/*/content/read", "repositories/*/content/write"},
		"_repositories_push_metadata_write": {"repositories/*/content/read", "repositories/*/content/write",
			"repositories/*/metadata/read", "repositories/*/metadata/write"},
	}
	got := 0
	for _, m := range ms {
		actions, ok := want[m.Name]
		if !ok {
			continue
		}
		got++
		if !m.System || m.Description == "" || !slices.Equal(m.Actions, actions) {
			t.Errorf("%s: got system=%v actions %v, want system with %v and a description", m.Name, m.System, m.Actions, actions)
		}
	}
	if got != len(want) {
		t.Errorf("got %d system scope maps, want %d", got, len(want))
	}

	for _, name := range []string{"_repositories_pull", "_REPOSITORIES_ADMIN"} {
		t.Run("system map "+name+" cannot be changed or deleted", func(t *testing.T) {
			ctx := t.Context()
			_, err := e.svc.UpdateScopeMap(ctx, group, "myregistry", name, ptr("mine"), nil)
			wantKind(t, err, access.ErrImmutable, "is SystemDefined and cannot be changed.")
			_, _, err = e.svc.PutScopeMap(ctx, group, "myregistry", name, nil, []string{"repositories/a/content/read"})
			wantKind(t, err, access.ErrImmutable, "cannot be changed")
			err = e.svc.DeleteScopeMap(ctx, group, "myregistry", name)
			wantKind(t, err, access.ErrImmutable, "is SystemDefined and cannot be deleted.")
		})
	}
	t.Run("names starting with _ are reserved", func(t *testing.T) {
		_, _, err := e.svc.PutScopeMap(t.Context(), group, "myregistry", "_mine", nil, []string{"repositories/a/content/read"})
		wantKind(t, err, access.ErrInvalidName, "reserved for system scope maps")
	})
}

func TestScopeMapActions(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	many := func(n int) []string {
		var as []string
		for i := range n {
			as = append(as, fmt.Sprintf("repositories/repo%d/content/read", i))
		}
		return as
	}
	tests := []struct {
		name    string
		actions []string
		kind    error
		msg     string
		want    []string // canonical, when accepted
	}{
		{"actions are lower-cased, sorted and de-duplicated",
			[]string{"repositories/App/Content/Write", "repositories/app/content/read", "REPOSITORIES/APP/CONTENT/READ"},
			nil, "", []string{"repositories/app/content/read", "repositories/app/content/write"}},
		{"* and prefix/* wildcards are accepted",
			[]string{"repositories/*/metadata/read", "repositories/team/*/content/delete"},
			nil, "", []string{"repositories/*/metadata/read", "repositories/team/*/content/delete"}},
		{"gateway actions are accepted", []string{"gateway/edge-1/config/read"}, nil, "", []string{"gateway/edge-1/config/read"}},
		{"a wildcard in the middle is refused", []string{"repositories/a/*/b/content/read"}, access.ErrInvalid,
			"Invalid action 'repositories/a/*/b/content/read': a wildcard must be the last path component", nil},
		{"a wildcard inside a component is refused", []string{"repositories/a/b*/content/read"}, access.ErrInvalid,
			"Invalid action 'repositories/a/b*/content/read'", nil},
		{"two wildcards are refused", []string{"repositories/a/*/b/*/content/read"}, access.ErrInvalid,
			"Invalid action 'repositories/a/*/b/*/content/read'", nil},
		{"an unknown action is refused", []string{"repositories/a/content/list"}, access.ErrInvalid,
			"valid actions are content/read, content/write, content/delete, metadata/read, metadata/write", nil},
		{"an action without a repository is refused", []string{"content/read"}, access.ErrInvalid,
			"an action starts with repositories/ or gateway/", nil},
		{"no actions are refused", nil, access.ErrInvalid, "at least one action", nil},
		{"500 actions are accepted", many(500), nil, "", nil},
		{"501 actions exceed the quota", many(501), access.ErrQuotaExceeded, "at most 500 actions; got 501", nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("map%02d", i)
			m, _, err := e.svc.PutScopeMap(t.Context(), group, "myregistry", name, nil, tt.actions)
			wantKind(t, err, tt.kind, tt.msg)
			if tt.kind == nil && tt.want != nil && !slices.Equal(m.Actions, tt.want) {
				t.Errorf("got actions %v, want %v", m.Actions, tt.want)
			}
			if tt.kind != nil {
				if _, err := e.svc.GetScopeMap(t.Context(), group, "myregistry", name); !errors.Is(err, access.ErrNotFound) {
					t.Errorf("refused scope map was stored (GetScopeMap: %v)", err)
				}
			}
		})
	}
}

func TestScopeMapDescription(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	tests := []struct {
		name, description, msg string
	}{
		{"256 characters are accepted", strings.Repeat("d", 256), ""},
		{"256 multi-byte characters are accepted", strings.Repeat("é", 256), ""},
		{"257 characters are refused", strings.Repeat("d", 257),
			"The description is 257 characters long; maximum 256 characters are allowed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.svc.PutScopeMap(t.Context(), group, "myregistry", "described", &tt.description,
				[]string{"repositories/a/content/read"})
			if tt.msg == "" {
				wantKind(t, err, nil, "")
			} else {
				wantKind(t, err, access.ErrInvalid, tt.msg)
			}
			_, err = e.svc.UpdateScopeMap(t.Context(), group, "myregistry", "reader", &tt.description, nil)
			if tt.msg == "" {
				wantKind(t, err, nil, "")
			} else {
				wantKind(t, err, access.ErrInvalid, tt.msg)
			}
		})
	}
	t.Run("put without a description keeps the current one", func(t *testing.T) {
		d := "kept"
		_, err := e.svc.UpdateScopeMap(t.Context(), group, "myregistry", "reader", &d, nil)
		wantKind(t, err, nil, "")
		m, _, err := e.svc.PutScopeMap(t.Context(), group, "myregistry", "reader", nil, []string{"repositories/b/content/read"})
		wantKind(t, err, nil, "")
		if m.Description != "kept" || !slices.Equal(m.Actions, []string{"repositories/b/content/read"}) {
			t.Errorf("got description %q actions %v, want kept and the new actions", m.Description, m.Actions)
		}
	})
}

func TestScopeMapInUse(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry") // MyToken uses reader
	e.token(t, "myregistry", "another", "Reader")
	ctx := t.Context()

	err := e.svc.DeleteScopeMap(ctx, group, "myregistry", "reader")
	var inUse *access.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, access.ErrInUse) {
		t.Fatalf("DeleteScopeMap: got %v, want *access.InUseError", err)
	}
	if !slices.Equal(inUse.Tokens, []string{"another", "MyToken"}) {
		t.Errorf("got tokens %v, want [another MyToken]", inUse.Tokens)
	}
	wantKind(t, err, access.ErrInUse, "The scope map 'reader' cannot be deleted because it is used by token(s): another, MyToken.")

	for _, name := range []string{"MyToken", "another"} {
		_, err := e.svc.UpdateToken(ctx, group, "myregistry", name, access.TokenUpdate{ScopeMap: ptr("_repositories_pull")})
		wantKind(t, err, nil, "")
	}
	wantKind(t, e.svc.DeleteScopeMap(ctx, group, "myregistry", "reader"), nil, "")
	_, err = e.svc.GetScopeMap(ctx, group, "myregistry", "reader")
	wantKind(t, err, access.ErrNotFound, "The resource reader could not be found.")
}

func TestScopeMapEditBumpsTokenGenerations(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	bystander := e.token(t, "myregistry", "bystander", "_repositories_pull")
	before := e.getToken(t, "myregistry", "MyToken").Generation
	_, err := e.svc.UpdateScopeMap(t.Context(), group, "myregistry", "reader", nil, &[]string{"repositories/*/content/read"})
	wantKind(t, err, nil, "")
	if got := e.getToken(t, "myregistry", "MyToken").Generation; got != before+1 {
		t.Errorf("MyToken: got generation %d, want %d", got, before+1)
	}
	if got := e.getToken(t, "myregistry", "bystander").Generation; got != bystander.Generation {
		t.Errorf("bystander: got generation %d, want %d unchanged", got, bystander.Generation)
	}
}

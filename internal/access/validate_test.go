package access_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func TestNameRules(t *testing.T) {
	e := newEnv(t)
	e.registry(t, "myregistry")
	putRegistry := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, _, err := e.svc.PutRegistry(ctx, group, name, "here", access.Basic)
			return err
		}
	}
	n := 0
	putGroup := func(g string) func(context.Context) error {
		n++
		registry := fmt.Sprintf("groupcheck%d", n) // one per group: a name belongs to one group
		return func(ctx context.Context) error {
			_, _, err := e.svc.PutRegistry(ctx, g, registry, "here", access.Basic)
			return err
		}
	}
	putToken := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, _, err := e.svc.PutToken(ctx, group, "myregistry", name, "reader", access.Enabled)
			return err
		}
	}
	putScopeMap := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, _, err := e.svc.PutScopeMap(ctx, group, "myregistry", name, nil, []string{"repositories/a/content/read"})
			return err
		}
	}
	tests := []struct {
		name string
		call func(context.Context) error
		msg  string // "" = accepted
	}{
		{"registry name of 5 alphanumerics is accepted", putRegistry("Reg01"), ""},
		{"registry name of 50 characters is accepted", putRegistry(strings.Repeat("r", 50)), ""},
		{"registry name of 4 characters is refused", putRegistry("reg1"),
			"Registry names may contain only alpha numeric characters and must be between 5 and 50 characters. Got 'reg1'."},
		{"registry name of 51 characters is refused", putRegistry(strings.Repeat("r", 51)), "between 5 and 50"},
		{"registry name with a hyphen is refused", putRegistry("my-registry"), "Got 'my-registry'"},
		{"token name with hyphens is accepted", putToken("ci-push-1"), ""},
		{"token name of 50 characters is accepted", putToken(strings.Repeat("t", 50)), ""},
		{"token name of 4 characters is refused", putToken("tok1"),
			"Token name 'tok1' is invalid: it must be between 5 and 50 characters and may contain only letters, digits and hyphens (^[a-zA-Z0-9-]*$)."},
		{"token name with an underscore is refused", putToken("my_token"), "Token name 'my_token' is invalid"},
		{"token name of 51 characters is refused", putToken(strings.Repeat("t", 51)), "between 5 and 50"},
		{"scope map name with hyphen and underscore is accepted", putScopeMap("pull-only_map"), ""},
		{"scope map name of 4 characters is refused", putScopeMap("map1"),
			"Scope map name 'map1' is invalid: it must be between 5 and 50 characters and may contain only letters, digits, hyphens and underscores (^[a-zA-Z0-9-_]*$)."},
		{"scope map name with a dot is refused", putScopeMap("my.map1"), "Scope map name 'my.map1' is invalid"},
		{"scope map name of 51 characters is refused", putScopeMap(strings.Repeat("m", 51)), "between 5 and 50"},
		{"group name with periods and parentheses is accepted", putGroup("rg.(test)_1-x"), ""},
		{"group name of 90 characters is accepted", putGroup(strings.Repeat("g", 90)), ""},
		{"group name of 91 characters is refused", putGroup(strings.Repeat("g", 91)), "1-90 characters"},
		{"empty group name is refused", putGroup(""), "Resource group name '' is invalid"},
		{"group name ending in a period is refused", putGroup("group."), "cannot end in a period"},
		{"group name with a slash is refused", putGroup("a/b"), "Resource group name 'a/b' is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			if tt.msg == "" {
				wantKind(t, err, nil, "")
				return
			}
			wantKind(t, err, access.ErrInvalidName, tt.msg)
		})
	}
}

func TestRegistries(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	r, created, err := e.svc.PutRegistry(ctx, group, "MyRegistry", "westeurope", "standard")
	wantKind(t, err, nil, "")
	if !created || r.Name != "myregistry" || r.SKU != access.Standard || !r.Created.Equal(start.Truncate(time.Microsecond)) {
		t.Errorf("PutRegistry: got %+v created=%v, want new Standard registry myregistry created at %v", r, created, start)
	}
	t.Run("what create returns is what get returns", func(t *testing.T) {
		got, err := e.svc.GetRegistry(t.Context(), "", "myregistry")
		wantKind(t, err, nil, "")
		if got != r {
			t.Errorf("got %+v, want %+v", got, r)
		}
	})
	t.Run("put of an existing registry updates its sku", func(t *testing.T) {
		r, created, err := e.svc.PutRegistry(t.Context(), group, "myregistry", "westeurope", access.Premium)
		wantKind(t, err, nil, "")
		if created || r.SKU != access.Premium {
			t.Errorf("got created=%v sku %s, want an update to Premium", created, r.SKU)
		}
	})
	t.Run("put of a name taken in another group is refused", func(t *testing.T) {
		_, _, err := e.svc.PutRegistry(t.Context(), "other-group", "myregistry", "westeurope", access.Basic)
		wantKind(t, err, access.ErrExists, "The registry name 'myregistry' is already in use.")
	})
	t.Run("unknown sku is refused with the value", func(t *testing.T) {
		_, _, err := e.svc.PutRegistry(t.Context(), group, "newregistry", "here", "Gold")
		wantKind(t, err, access.ErrInvalid, "The SKU 'Gold' is not valid. Allowed values: Basic, Standard, Premium.")
	})
	t.Run("missing location is refused", func(t *testing.T) {
		_, _, err := e.svc.PutRegistry(t.Context(), group, "newregistry", "", access.Basic)
		wantKind(t, err, access.ErrInvalid, "location")
	})
	t.Run("get from the wrong group is not found", func(t *testing.T) {
		_, err := e.svc.GetRegistry(t.Context(), "other-group", "myregistry")
		wantKind(t, err, access.ErrNotFound, "under resource group 'other-group' was not found")
	})
	t.Run("delete removes the registry's tokens and scope maps", func(t *testing.T) {
		e.token(t, "myregistry", "mytoken", "_repositories_pull")
		wantKind(t, e.svc.DeleteRegistry(t.Context(), group, "MYREGISTRY"), nil, "")
		_, err := e.st.GetToken(t.Context(), "myregistry", "mytoken")
		wantKind(t, err, access.ErrNotFound, "")
		_, err = e.st.GetScopeMap(t.Context(), "myregistry", "_repositories_pull")
		wantKind(t, err, access.ErrNotFound, "")
		err = e.svc.DeleteRegistry(t.Context(), group, "myregistry")
		wantKind(t, err, access.ErrNotFound, "The Resource 'Microsoft.ContainerRegistry/registries/myregistry' under resource group 'my-group' was not found.")
		_, err = e.svc.GetRegistry(t.Context(), "", "myregistry")
		wantKind(t, err, access.ErrNotFound, "The registry 'myregistry' could not be found.")
	})
}

package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func scopeMapName(m access.ScopeMap) string { return m.Name }

var scopeMapTests = []test{
	{"create then get returns every field exactly", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		want := newScopeMap("myregistry", "MyMap", "repositories/b/content/read", "repositories/a/*/metadata/write")
		want.Modified = t0.Add(time.Millisecond)
		if err := st.CreateScopeMap(t.Context(), want, 10); err != nil {
			t.Fatalf("CreateScopeMap: %v", err)
		}
		got, err := st.GetScopeMap(t.Context(), "myregistry", "MyMap")
		wantErr(t, "GetScopeMap", err, nil)
		wantSame(t, "scope map", got, want)
	}},
	{"names are case-insensitive and keep their case", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateScopeMap(t, st, newScopeMap("myregistry", "MyMap"))
		got, err := st.GetScopeMap(t.Context(), "MYREGISTRY", "mymap")
		wantErr(t, "GetScopeMap", err, nil)
		if got.Name != "MyMap" {
			t.Errorf("got name %q, want %q", got.Name, "MyMap")
		}
		err = st.CreateScopeMap(t.Context(), newScopeMap("myregistry", "MYMAP"), 10)
		wantErr(t, "CreateScopeMap of another case", err, access.ErrExists)
	}},
	{"get of a missing scope map is ErrNotFound", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		_, err := st.GetScopeMap(t.Context(), "myregistry", "nothere")
		wantErr(t, "GetScopeMap", err, access.ErrNotFound)
		_, err = st.GetScopeMap(t.Context(), "noregistry", "reader")
		wantErr(t, "GetScopeMap of a missing registry", err, access.ErrNotFound)
	}},
	{"create in a missing registry is ErrNotFound", func(t *testing.T, st access.Store) {
		err := st.CreateScopeMap(t.Context(), newScopeMap("noregistry", "mymap"), 10)
		wantErr(t, "CreateScopeMap", err, access.ErrNotFound)
	}},
	{"same name in two registries are two maps", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "registry1")
		mustCreateRegistry(t, st, "registry2")
		mustCreateScopeMap(t, st, newScopeMap("registry1", "mymap", "repositories/one/content/read"))
		mustCreateScopeMap(t, st, newScopeMap("registry2", "mymap", "repositories/two/content/read"))
		m, _ := st.GetScopeMap(t.Context(), "registry2", "mymap")
		wantSame(t, "actions", m.Actions, []string{"repositories/two/content/read"})
	}},
	{"create over the limit is ErrQuotaExceeded; system maps do not count", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry") // one user map, one system map
		for _, n := range []string{"map01", "map02"} {
			wantErr(t, "CreateScopeMap "+n, st.CreateScopeMap(t.Context(), newScopeMap("myregistry", n), 3), nil)
		}
		err := st.CreateScopeMap(t.Context(), newScopeMap("myregistry", "map03"), 3)
		wantErr(t, "CreateScopeMap over the limit", err, access.ErrQuotaExceeded)
		err = st.CreateScopeMap(t.Context(), newScopeMap("myregistry", "MAP01"), 3)
		wantErr(t, "CreateScopeMap of an existing name in a full registry", err, access.ErrExists)
		_, err = st.GetScopeMap(t.Context(), "myregistry", "map03")
		wantErr(t, "GetScopeMap of the refused map", err, access.ErrNotFound)
	}},
	{"list pages by case-insensitive name", func(t *testing.T, st access.Store) {
		mustCreateEmptyRegistry(t, st, "myregistry")
		for _, n := range []string{"delta", "Alpha", "charlie", "BRAVO", "echo"} {
			mustCreateScopeMap(t, st, newScopeMap("myregistry", n))
		}
		testPaging(t, []string{"Alpha", "BRAVO", "charlie", "delta", "echo"},
			func(ctx context.Context, p access.Page) ([]string, error) {
				ms, err := st.ListScopeMaps(ctx, "myregistry", p)
				return names(ms, scopeMapName), err
			})
	}},
	{"list of an empty registry is empty; of a missing one ErrNotFound", func(t *testing.T, st access.Store) {
		mustCreateEmptyRegistry(t, st, "myregistry")
		ms, err := st.ListScopeMaps(t.Context(), "myregistry", access.Page{})
		if err != nil || len(ms) != 0 {
			t.Errorf("ListScopeMaps of an empty registry: got %d, %v; want none", len(ms), err)
		}
		_, err = st.ListScopeMaps(t.Context(), "noregistry", access.Page{})
		wantErr(t, "ListScopeMaps of a missing registry", err, access.ErrNotFound)
	}},
	{"update applies fn and bumps the generation of the map's tokens only", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateScopeMap(t, st, newScopeMap("myregistry", "other"))
		mustCreateToken(t, st, newToken("myregistry", "user1", "reader"))
		mustCreateToken(t, st, newToken("myregistry", "user2", "READER"))
		mustCreateToken(t, st, newToken("myregistry", "bystander", "other"))

		got, err := st.UpdateScopeMap(t.Context(), "myregistry", "Reader", func(m *access.ScopeMap) error {
			m.Actions = []string{"repositories/*/content/read"}
			m.Description = "everything"
			return nil
		})
		wantErr(t, "UpdateScopeMap", err, nil)
		stored, _ := st.GetScopeMap(t.Context(), "myregistry", "reader")
		wantSame(t, "returned vs stored", got, stored)
		wantSame(t, "actions", stored.Actions, []string{"repositories/*/content/read"})
		for name, gen := range map[string]int64{"user1": 2, "user2": 2, "bystander": 1} {
			if tok := mustGetToken(t, st, "myregistry", name); tok.Generation != gen {
				t.Errorf("token %s: got generation %d, want %d", name, tok.Generation, gen)
			}
		}
	}},
	{"update returns fn's error unchanged and bumps nothing", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateToken(t, st, newToken("myregistry", "user1", "reader"))
		_, err := st.UpdateScopeMap(t.Context(), "myregistry", "reader", func(m *access.ScopeMap) error {
			m.Description = "changed"
			return errFn
		})
		wantFnErr(t, "UpdateScopeMap", err)
		if m, _ := st.GetScopeMap(t.Context(), "myregistry", "reader"); m.Description == "changed" {
			t.Error("failed update changed the description")
		}
		if tok := mustGetToken(t, st, "myregistry", "user1"); tok.Generation != 1 {
			t.Errorf("got generation %d after failed update, want 1", tok.Generation)
		}
	}},
	{"update of a missing scope map is ErrNotFound", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		_, err := st.UpdateScopeMap(t.Context(), "myregistry", "nothere", func(*access.ScopeMap) error { return nil })
		wantErr(t, "UpdateScopeMap", err, access.ErrNotFound)
	}},
	{"delete of a map in use is InUseError naming its tokens in order", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateRegistry(t, st, "otherreg")
		for _, n := range []string{"zulu1", "Alpha", "mike1"} {
			mustCreateToken(t, st, newToken("myregistry", n, "reader"))
		}
		mustCreateToken(t, st, newToken("otherreg", "other", "reader"))
		err := st.DeleteScopeMap(t.Context(), "myregistry", "READER")
		var inUse *access.InUseError
		if !errors.As(err, &inUse) || !errors.Is(err, access.ErrInUse) {
			t.Fatalf("DeleteScopeMap: got %v, want *access.InUseError", err)
		}
		wantSame(t, "tokens", inUse.Tokens, []string{"Alpha", "mike1", "zulu1"})
		if !strings.EqualFold(inUse.ScopeMap, "reader") {
			t.Errorf("got scope map %q, want reader", inUse.ScopeMap)
		}
		if _, err := st.GetScopeMap(t.Context(), "myregistry", "reader"); err != nil {
			t.Errorf("refused delete removed the map: %v", err)
		}
	}},
	{"delete succeeds once no token uses the map", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateScopeMap(t, st, newScopeMap("myregistry", "other"))
		mustCreateToken(t, st, newToken("myregistry", "user1", "reader"))
		_, err := st.UpdateToken(t.Context(), "myregistry", "user1", func(tok *access.Token) error {
			tok.ScopeMap = "other"
			return nil
		})
		wantErr(t, "UpdateToken", err, nil)
		wantErr(t, "DeleteScopeMap", st.DeleteScopeMap(t.Context(), "myregistry", "Reader"), nil)
		_, err = st.GetScopeMap(t.Context(), "myregistry", "reader")
		wantErr(t, "GetScopeMap after delete", err, access.ErrNotFound)
		wantErr(t, "DeleteScopeMap again", st.DeleteScopeMap(t.Context(), "myregistry", "reader"), access.ErrNotFound)
	}},
}

// testPaging checks that list returns want in order: whole, in pages of
// every size, and after a given name in any case.
func testPaging(t *testing.T, want []string, list func(ctx context.Context, p access.Page) ([]string, error)) {
	t.Helper()
	all, err := list(t.Context(), access.Page{})
	wantErr(t, "list with Limit 0", err, nil)
	wantSame(t, "whole list", all, want)
	for size := 1; size <= len(want)+1; size++ {
		var got []string
		for _, p := range pageNames(t, size, list) {
			got = append(got, p...)
		}
		wantSame(t, "pages joined", got, want)
	}
	for i, name := range want {
		for _, after := range []string{name, strings.ToUpper(name), strings.ToLower(name)} {
			got, err := list(t.Context(), access.Page{After: after})
			wantErr(t, "list after "+after, err, nil)
			wantSame(t, "names after "+after, names(got, func(s string) string { return s }), want[i+1:])
		}
	}
	got, err := list(t.Context(), access.Page{After: "a", Limit: 2})
	wantErr(t, "list after a", err, nil)
	wantSame(t, "first two after a", got, want[:2])
}

package storetest

import (
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

var registryTests = []test{
	{"create then get returns every field exactly", func(t *testing.T, st access.Store) {
		want := newRegistry("myregistry", "Group-One")
		want.SKU, want.Location = access.Premium, "eastus"
		if err := st.CreateRegistry(t.Context(), want, nil); err != nil {
			t.Fatalf("CreateRegistry: %v", err)
		}
		got, err := st.GetRegistry(t.Context(), "myregistry")
		wantErr(t, "GetRegistry", err, nil)
		wantSame(t, "registry", got, want)
	}},
	{"get is case-insensitive", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		got, err := st.GetRegistry(t.Context(), "MyRegistry")
		wantErr(t, "GetRegistry", err, nil)
		if got.Name != "myregistry" {
			t.Errorf("got name %q, want %q", got.Name, "myregistry")
		}
	}},
	{"get of a missing registry is ErrNotFound", func(t *testing.T, st access.Store) {
		_, err := st.GetRegistry(t.Context(), "nothere")
		wantErr(t, "GetRegistry", err, access.ErrNotFound)
	}},
	{"create of an existing name is ErrExists", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		err := st.CreateRegistry(t.Context(), newRegistry("myregistry", "other"), nil)
		wantErr(t, "CreateRegistry again", err, access.ErrExists)
		r, _ := st.GetRegistry(t.Context(), "myregistry")
		if r.ResourceGroup != "group1" {
			t.Errorf("failed create changed the group to %q", r.ResourceGroup)
		}
	}},
	{"create stores the registry's scope maps", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		m, err := st.GetScopeMap(t.Context(), "myregistry", "_system")
		wantErr(t, "GetScopeMap", err, nil)
		if !m.System || m.Registry != "myregistry" {
			t.Errorf("got %+v, want a system map of myregistry", m)
		}
	}},
	{"a failed create leaves nothing behind", func(t *testing.T, st access.Store) {
		r := newRegistry("myregistry", "g")
		dup := []access.ScopeMap{newScopeMap("myregistry", "twice"), newScopeMap("myregistry", "TWICE")}
		if err := st.CreateRegistry(t.Context(), r, dup); err == nil {
			t.Fatal("CreateRegistry with two maps of one name: got no error")
		}
		_, err := st.GetRegistry(t.Context(), "myregistry")
		wantErr(t, "GetRegistry after failed create", err, access.ErrNotFound)
	}},
	{"list orders by creation then name and filters by group case-insensitively", func(t *testing.T, st access.Store) {
		for i, r := range []struct{ name, group string }{
			{"charlie", "GroupA"}, {"alpha", "groupb"}, {"bravo", "groupa"}, {"delta", "GroupA"},
		} {
			reg := newRegistry(r.name, r.group)
			reg.Created = t0.Add(time.Duration(i/2) * time.Minute) // two pairs of equal times
			if err := st.CreateRegistry(t.Context(), reg, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			group string
			want  []string
		}{
			{"", []string{"alpha", "charlie", "bravo", "delta"}},
			{"groupa", []string{"charlie", "bravo", "delta"}},
			{"GROUPB", []string{"alpha"}},
			{"nogroup", []string{}},
		} {
			rs, err := st.ListRegistries(t.Context(), tt.group)
			wantErr(t, "ListRegistries("+tt.group+")", err, nil)
			wantSame(t, "registries of group "+tt.group, names(rs, func(r access.Registry) string { return r.Name }), tt.want)
		}
	}},
	{"update applies fn and returns the stored registry", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		later := t0.Add(time.Hour)
		got, err := st.UpdateRegistry(t.Context(), "MyRegistry", func(r *access.Registry) error {
			r.SKU, r.Modified = access.Standard, later
			return nil
		})
		wantErr(t, "UpdateRegistry", err, nil)
		stored, _ := st.GetRegistry(t.Context(), "myregistry")
		wantSame(t, "returned vs stored", got, stored)
		if stored.SKU != access.Standard || !stored.Modified.Equal(later) || !stored.Created.Equal(t0) {
			t.Errorf("got %+v, want SKU Standard modified %v created %v", stored, later, t0)
		}
	}},
	{"update returns fn's error unchanged and changes nothing", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		_, err := st.UpdateRegistry(t.Context(), "myregistry", func(r *access.Registry) error {
			r.SKU = access.Premium
			return errFn
		})
		wantFnErr(t, "UpdateRegistry", err)
		if r, _ := st.GetRegistry(t.Context(), "myregistry"); r.SKU != access.Basic {
			t.Errorf("got SKU %s after failed update, want Basic", r.SKU)
		}
	}},
	{"update of a missing registry is ErrNotFound", func(t *testing.T, st access.Store) {
		_, err := st.UpdateRegistry(t.Context(), "nothere", func(*access.Registry) error { return nil })
		wantErr(t, "UpdateRegistry", err, access.ErrNotFound)
	}},
	{"delete cascades to scope maps and tokens", func(t *testing.T, st access.Store) {
		mustCreateRegistry(t, st, "myregistry")
		mustCreateRegistry(t, st, "otherreg")
		mustCreateToken(t, st, newToken("myregistry", "token1", "reader"))
		mustCreateToken(t, st, newToken("otherreg", "token1", "reader"))
		wantErr(t, "DeleteRegistry", st.DeleteRegistry(t.Context(), "MyRegistry"), nil)

		_, err := st.GetRegistry(t.Context(), "myregistry")
		wantErr(t, "GetRegistry", err, access.ErrNotFound)
		_, err = st.GetToken(t.Context(), "myregistry", "token1")
		wantErr(t, "GetToken", err, access.ErrNotFound)
		_, err = st.GetScopeMap(t.Context(), "myregistry", "reader")
		wantErr(t, "GetScopeMap", err, access.ErrNotFound)
		_, err = st.ListTokens(t.Context(), "myregistry", access.Page{})
		wantErr(t, "ListTokens", err, access.ErrNotFound)
		mustGetToken(t, st, "otherreg", "token1") // the other registry is untouched

		// A new registry of the same name starts empty.
		wantErr(t, "CreateRegistry", st.CreateRegistry(t.Context(), newRegistry("myregistry", "g"), nil), nil)
		ts, err := st.ListTokens(t.Context(), "myregistry", access.Page{})
		if err != nil || len(ts) != 0 {
			t.Errorf("ListTokens of recreated registry: got %d tokens, %v; want none", len(ts), err)
		}
	}},
	{"delete of a missing registry is ErrNotFound", func(t *testing.T, st access.Store) {
		wantErr(t, "DeleteRegistry", st.DeleteRegistry(t.Context(), "nothere"), access.ErrNotFound)
	}},
}

// Package storetest is the conformance suite of access.Store: every
// implementation runs Run against a fresh, empty store and must pass it. It
// is the executable form of the contract documented on access.Store.
//
// It imports access and the standard library only (plus go-cmp for diffs),
// never an implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openacr/openacr/internal/access"
)

// Run tests the whole access.Store contract. open returns a new, empty
// store for one subtest and arranges its cleanup with t.Cleanup; subtests
// run in parallel, so each needs its own database.
func Run(t *testing.T, open func(t *testing.T) access.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"registry", registryTests},
		{"scope map", scopeMapTests},
		{"token", tokenTests},
		{"concurrency", concurrencyTests},
		{"credential policy", policyTests},
		{"audit log", auditTests},
		{"usage", usageTests},
		{"change feed", changeTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					tt.run(t, open(t))
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, st access.Store)
}

// t0 has microseconds, the precision the contract promises.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

func newRegistry(name, group string) access.Registry {
	return access.Registry{Name: name, ResourceGroup: group, Location: "westeurope", SKU: access.Basic,
		Created: t0, Modified: t0.Add(time.Second)}
}

func newScopeMap(registry, name string, actions ...string) access.ScopeMap {
	if len(actions) == 0 {
		actions = []string{"repositories/app/content/read"}
	}
	return access.ScopeMap{Registry: registry, Name: name, Description: "scope map " + name,
		Actions: actions, Created: t0, Modified: t0}
}

func newToken(registry, name, scopeMap string) access.Token {
	return access.Token{Registry: registry, Name: name, ScopeMap: scopeMap, Status: access.Enabled,
		Created: t0, Modified: t0, Generation: 1}
}

func newPassword(slot string, hash byte) access.Password {
	return access.Password{Name: slot, Hash: []byte{hash, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, Created: t0, Expiry: access.NeverExpires}
}

// mustCreateRegistry creates a registry with one user scope map "reader"
// and one system map "_system", and returns it.
func mustCreateRegistry(t *testing.T, st access.Store, name string) access.Registry {
	t.Helper()
	r := newRegistry(name, "group1")
	sys := newScopeMap(name, "_system", "repositories/*/content/read")
	sys.System = true
	if err := st.CreateRegistry(t.Context(), r, []access.ScopeMap{newScopeMap(name, "reader"), sys}); err != nil {
		t.Fatalf("CreateRegistry(%q): %v", name, err)
	}
	return r
}

func mustCreateScopeMap(t *testing.T, st access.Store, m access.ScopeMap) {
	t.Helper()
	if err := st.CreateScopeMap(t.Context(), m, 1000); err != nil {
		t.Fatalf("CreateScopeMap(%q, %q): %v", m.Registry, m.Name, err)
	}
}

func mustCreateToken(t *testing.T, st access.Store, tok access.Token) {
	t.Helper()
	if err := st.CreateToken(t.Context(), tok, 1000); err != nil {
		t.Fatalf("CreateToken(%q, %q): %v", tok.Registry, tok.Name, err)
	}
}

func mustGetToken(t *testing.T, st access.Store, registry, name string) access.Token {
	t.Helper()
	tok, err := st.GetToken(t.Context(), registry, name)
	if err != nil {
		t.Fatalf("GetToken(%q, %q): %v", registry, name, err)
	}
	return tok
}

// wantErr fails unless err wraps want (nil: no error).
func wantErr(t *testing.T, op string, err, want error) {
	t.Helper()
	if want == nil && err != nil {
		t.Fatalf("%s: got error %v, want none", op, err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want one wrapping %v", op, err, want)
	}
}

// wantSame fails unless got and want are equal, times included exactly.
func wantSame(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// errFn is the error update functions return in the suite; the store must
// hand it back unchanged.
var errFn = &access.Error{Kind: access.ErrImmutable, Msg: "refused by fn"}

func wantFnErr(t *testing.T, op string, err error) {
	t.Helper()
	if err != error(errFn) {
		t.Fatalf("%s: got error %v (%T), want fn's error returned unchanged", op, err, err)
	}
}

// pageNames lists the names of every page of size limit, following After.
func pageNames(t *testing.T, limit int, list func(ctx context.Context, p access.Page) ([]string, error)) [][]string {
	t.Helper()
	var pages [][]string
	after := ""
	for i := 0; ; i++ {
		names, err := list(t.Context(), access.Page{After: after, Limit: limit})
		if err != nil {
			t.Fatalf("page %d after %q: %v", i, after, err)
		}
		if len(names) == 0 {
			return pages
		}
		if len(names) > limit {
			t.Fatalf("page %d: got %d names, want at most %d", i, len(names), limit)
		}
		pages = append(pages, names)
		after = names[len(names)-1]
		if i > 100 {
			t.Fatal("paging does not end")
		}
	}
}

func names[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// mustCreateEmptyRegistry creates a registry without scope maps.
func mustCreateEmptyRegistry(t *testing.T, st access.Store, name string) {
	t.Helper()
	if err := st.CreateRegistry(t.Context(), newRegistry(name, "g"), nil); err != nil {
		t.Fatalf("CreateRegistry(%q): %v", name, err)
	}
}

package store

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/store/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	st, err := Open(t.Context(), filepath.Join(t.TempDir(), "openacr.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) access.Store { return openTemp(t) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openacr.db")
	st, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := access.Registry{Name: "myregistry", ResourceGroup: "g", Location: "here", SKU: access.Basic}
	maps := []access.ScopeMap{{Registry: "myregistry", Name: "reader", Actions: []string{"repositories/a/content/read"}}}
	if err := st.CreateRegistry(t.Context(), r, maps); err != nil {
		t.Fatalf("CreateRegistry: %v", err)
	}
	tok := access.Token{Registry: "myregistry", Name: "mytoken", ScopeMap: "reader", Status: access.Enabled,
		Passwords: []access.Password{{Name: access.Password2, Hash: []byte("0123456789abcdef0123456789abcdef"),
			Expiry: access.NeverExpires}}}
	if err := st.CreateToken(t.Context(), tok, 10); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for i := range 2 { // twice: the second reopen must find nothing to migrate either
		st, err = Open(t.Context(), path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		got, err := st.GetToken(t.Context(), "myregistry", "mytoken")
		if err != nil {
			t.Fatalf("reopen %d: GetToken: %v", i, err)
		}
		if len(got.Passwords) != 1 || string(got.Passwords[0].Hash) != string(tok.Passwords[0].Hash) {
			t.Errorf("reopen %d: got passwords %+v, want %+v", i, got.Passwords, tok.Passwords)
		}
		var applied int
		if err := st.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		ms, _ := loadMigrations()
		if applied != len(ms) {
			t.Errorf("reopen %d: schema_migrations has %d rows, want %d", i, applied, len(ms))
		}
		if err := st.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestConnectionSettings(t *testing.T) {
	st := openTemp(t)
	// Hold several connections at once so that each pragma is checked on
	// more than the first pooled connection.
	for i := range 3 {
		conn, err := st.db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, tt := range []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"foreign_keys", "1"},
			{"busy_timeout", "10000"},
			{"synchronous", "2"}, // FULL
		} {
			var got string
			if err := conn.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("connection %d: PRAGMA %s = %q, want %q", i, tt.pragma, got, tt.want)
			}
		}
	}
}

// Two Stores on one file share no lock in Go: the database's own write
// lock (BEGIN IMMEDIATE) must keep their read-modify-writes apart.
func TestTwoStoresOnOneFileLoseNoUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openacr.db")
	var sts [2]*Store
	for i := range sts {
		st, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer st.Close()
		sts[i] = st
	}
	r := access.Registry{Name: "myregistry", ResourceGroup: "g", Location: "here", SKU: access.Basic}
	maps := []access.ScopeMap{{Registry: "myregistry", Name: "reader", Actions: []string{"repositories/a/content/read"}}}
	if err := sts[0].CreateRegistry(t.Context(), r, maps); err != nil {
		t.Fatal(err)
	}
	tok := access.Token{Registry: "myregistry", Name: "mytoken", ScopeMap: "reader", Status: access.Enabled}
	if err := sts[1].CreateToken(t.Context(), tok, 10); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = sts[i%2].UpdateToken(t.Context(), "myregistry", "mytoken", func(tok *access.Token) error {
				tok.Generation++
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	got, err := sts[0].GetToken(t.Context(), "myregistry", "mytoken")
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != n {
		t.Errorf("got generation %d, want %d: updates were lost", got.Generation, n)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with #odd %20 chars")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "openacr.db")
	st, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	defer st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not where it was asked to be: %v", err)
	}
}

package store_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/signing"
	"github.com/openacr/openacr/internal/store"
)

func TestSigningKeysAreKeptInOrder(t *testing.T) {
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i, id := range []string{"b", "a"} {
		k := signing.StoredKey{ID: id, Sealed: []byte("sealed-" + id), Created: now.Add(time.Duration(i) * time.Second)}
		if err := st.AddSigningKey(t.Context(), k); err != nil {
			t.Fatalf("AddSigningKey(%s): %v", id, err)
		}
	}
	if err := st.AddSigningKey(t.Context(), signing.StoredKey{ID: "a", Sealed: []byte("x"), Created: now}); err == nil {
		t.Errorf("adding a second key with kid a succeeded, want an error")
	}
	keys, err := st.SigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != "b" || keys[1].ID != "a" || !bytes.Equal(keys[1].Sealed, []byte("sealed-a")) || !keys[0].Created.Equal(now) {
		t.Errorf("SigningKeys = %+v, want b then a with their values", keys)
	}
}

func TestSigningKeysSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	seal := bytes.Repeat([]byte{1}, 32)
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := signing.Open(t.Context(), st, seal)
	if err != nil {
		t.Fatal(err)
	}
	jwks1, _ := k1.JWKS()
	st.Close()

	st, err = store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k2, err := signing.Open(t.Context(), st, seal)
	if err != nil {
		t.Fatal(err)
	}
	jwks2, _ := k2.JWKS()
	if !bytes.Equal(jwks1, jwks2) {
		t.Errorf("JWKS changed across a restart:\n%s\n%s", jwks1, jwks2)
	}
}

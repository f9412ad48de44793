package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
)

func bulkTokens(from, to int, scopeMap string) []access.Token {
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ts []access.Token
	for i := from; i < to; i++ {
		ts = append(ts, access.Token{Registry: "myregistry", Name: fmt.Sprintf("Bulk-%04d", i), ScopeMap: scopeMap,
			Status: access.Enabled, Generation: 1, Created: now, Modified: now,
			Passwords: []access.Password{{Name: access.Password1, Hash: []byte{byte(i), 1, 2}, Created: now, Expiry: access.NeverExpires}}})
	}
	return ts
}

func TestCreateTokens(t *testing.T) {
	ctx := t.Context()
	st := openTemp(t)
	r := access.Registry{Name: "myregistry", ResourceGroup: "g", Location: "here", SKU: access.Basic}
	if err := st.CreateRegistry(ctx, r, []access.ScopeMap{{Registry: "myregistry", Name: "Reader", Actions: []string{"repositories/a/content/read"}}}); err != nil {
		t.Fatalf("CreateRegistry: %v", err)
	}
	// More than one INSERT statement's worth, and past the Basic limit of
	// 100 tokens, which the bulk path does not apply.
	n := bulkRows + 7
	if err := st.CreateTokens(ctx, "myregistry", bulkTokens(0, n, "reader")); err != nil {
		t.Fatalf("CreateTokens: %v", err)
	}
	for _, i := range []int{0, bulkRows - 1, bulkRows, n - 1} {
		got, err := st.GetToken(ctx, "myregistry", fmt.Sprintf("bulk-%04d", i))
		if err != nil {
			t.Fatalf("GetToken(%d): %v", i, err)
		}
		if got.ScopeMap != "Reader" || len(got.Passwords) != 1 || got.Passwords[0].Hash[0] != byte(i) || !got.Passwords[0].Expiry.Equal(access.NeverExpires) {
			t.Errorf("token %d = %+v, want scope map Reader and its password", i, got)
		}
	}
	ts, err := st.ListTokens(ctx, "myregistry", access.Page{})
	if err != nil || len(ts) != n {
		t.Fatalf("ListTokens: %d tokens, %v; want %d", len(ts), err, n)
	}

	tests := []struct {
		name     string
		registry string
		tokens   []access.Token
		want     error
	}{
		{"a name that exists fails the whole batch", "myregistry", bulkTokens(n-1, n+3, "reader"), access.ErrExists},
		{"an unknown scope map is refused", "myregistry", bulkTokens(n+10, n+11, "writer"), access.ErrNotFound},
		{"an unknown registry is refused", "other", bulkTokens(n+20, n+21, "reader"), access.ErrNotFound},
		{"a token of another registry is refused", "myregistry", []access.Token{{Registry: "other", Name: "x"}}, access.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := st.CreateTokens(ctx, tt.registry, tt.tokens); !errors.Is(err, tt.want) {
				t.Errorf("CreateTokens: got %v, want %v", err, tt.want)
			}
			if _, err := st.GetToken(ctx, "myregistry", fmt.Sprintf("bulk-%04d", n)); !errors.Is(err, access.ErrNotFound) {
				t.Errorf("a refused batch left tokens behind: %v", err)
			}
		})
	}
}

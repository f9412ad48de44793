package authserver_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/authserver"
	"github.com/openacr/openacr/internal/signing"
	"github.com/openacr/openacr/internal/store"
)

// benchServer is the token endpoint as the server wires it: the Service
// over the token Cache over SQLite, and ES256 keys from the same store. It
// returns the endpoint, the keys and the password of token "MyToken".
func benchServer(b *testing.B) (*authserver.Server, *signing.Keys, string) {
	b.Helper()
	ctx := b.Context()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "openacr.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cache := access.NewCache(st)
	svc, err := access.New(cache, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		b.Fatal(err)
	}
	const group = "group"
	if _, _, err := svc.PutRegistry(ctx, group, "myregistry", "local", access.Premium); err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.PutScopeMap(ctx, group, "myregistry", "app-reader", nil, []string{"repositories/app/content/read", "repositories/app/metadata/read"}); err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.PutToken(ctx, group, "myregistry", "MyToken", "app-reader", access.Enabled); err != nil {
		b.Fatal(err)
	}
	g, err := svc.GenerateCredentials(ctx, group, "myregistry", "MyToken", access.Password1, nil)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := signing.Open(ctx, st, make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	resolve := func(context.Context, string, string) (string, string, bool) {
		return "myregistry", "localhost:5000", true
	}
	srv := authserver.New(svc, cache, keys, authserver.Config{Resolve: resolve}, slog.New(slog.DiscardHandler))
	return srv, keys, g.Passwords[0].Value
}

// BenchmarkToken is token issuance in-process, without the network: GET
// /oauth2/token with HTTP Basic and one repository scope, from request to
// encoded response. signatures is its time in ES256 signatures of the same
// claims (signing.Keys.Sign, measured in the same run): the signature is
// the floor, everything above 1 is the rest of the request.
//
//	go test -run '^$' -bench Token ./internal/authserver/
func BenchmarkToken(b *testing.B) {
	for _, tt := range []struct {
		name   string
		wrong  bool
		status int
	}{
		{"issued", false, http.StatusOK},
		{"wrong password", true, http.StatusUnauthorized},
	} {
		b.Run(tt.name, func(b *testing.B) {
			srv, keys, pw := benchServer(b)
			if tt.wrong {
				var err error
				if pw, err = access.NewSecret(strings.NewReader(strings.Repeat("x", 32))); err != nil {
					b.Fatal(err)
				}
			}
			r := httptest.NewRequest(http.MethodGet, "/oauth2/token?service=localhost:5000&scope=repository:app:pull", nil)
			r.SetBasicAuth("MyToken", pw)
			now := time.Now()
			sign := perOp(b.N, func() {
				keys.Sign(signing.Claims{ID: "0123456789abcdefghijkl", Subject: "MyToken", Audience: "localhost:5000",
					IssuedAt: now, NotBefore: now, Expiry: now.Add(5 * time.Minute), GrantType: signing.AccessToken,
					Registry: "myregistry", Generation: 2, TokenCreated: now.UnixMicro(),
					Access: []signing.ResourceActions{{Type: "repository", Name: "app", Actions: []string{"pull", "metadata_read"}}}})
			})
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				srv.Token(w, r)
				if w.Code != tt.status {
					b.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
				}
			}
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(sign), "signatures")
		})
	}
}

// perOp runs f n times (at least 200) and returns the mean time of one run.
func perOp(n int, f func()) time.Duration {
	n = max(n, 200)
	t0 := time.Now()
	for range n {
		f()
	}
	return time.Since(t0) / time.Duration(n)
}

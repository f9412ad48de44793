package access_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/store"
)

// benchLogin makes a registry with one token over a SQLite store and returns
// two Services on it with the same hash key: one over the Cache (as the
// server runs) and one over the plain store, and the token's password.
func benchLogin(b *testing.B) (cached, direct *access.Service, password string) {
	b.Helper()
	ctx := b.Context()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "openacr.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key := []byte(strings.Repeat("k", 32))
	if cached, err = access.New(access.NewCache(st), key, nil); err != nil {
		b.Fatal(err)
	}
	if direct, err = access.New(st, key, nil); err != nil {
		b.Fatal(err)
	}
	if _, _, err := cached.PutRegistry(ctx, group, "myregistry", "local", access.Premium); err != nil {
		b.Fatal(err)
	}
	if _, _, err := cached.PutScopeMap(ctx, group, "myregistry", "reader", nil, []string{"repositories/app/content/read"}); err != nil {
		b.Fatal(err)
	}
	if _, _, err := cached.PutToken(ctx, group, "myregistry", "MyToken", "reader", access.Enabled); err != nil {
		b.Fatal(err)
	}
	g, err := cached.GenerateCredentials(ctx, group, "myregistry", "MyToken", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	return cached, direct, g.Passwords[0].Value
}

// BenchmarkAuthenticate is the password check of every login: one keyed
// hash and a constant-time compare per password, against the token's state
// in the Cache. x-store is its time over the same check reading the token
// from the database (a Service over the plain store, measured in the same
// run), the path the Cache replaced.
//
//	go test -run '^$' -bench Authenticate ./internal/access/
func BenchmarkAuthenticate(b *testing.B) {
	for _, tt := range []struct {
		name  string
		wrong bool
	}{
		{"right password", false},
		{"wrong password", true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			cached, direct, pw := benchLogin(b)
			if tt.wrong {
				g, err := access.NewSecret(strings.NewReader(strings.Repeat("x", 32)))
				if err != nil {
					b.Fatal(err)
				}
				pw = g // well-formed, matching nothing
			}
			login := func(s *access.Service) {
				_, err := s.Authenticate(b.Context(), "myregistry", "MyToken", pw)
				if (err != nil) != tt.wrong {
					b.Fatalf("Authenticate: %v", err)
				}
			}
			login(cached) // fill the cache
			base := perOp(b.N, func() { login(direct) })
			b.ReportAllocs()
			for b.Loop() {
				login(cached)
			}
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(base), "x-store")
		})
	}
}

// perOp runs f n times (at least 200) and returns the mean time of one run:
// the baselines benchmarks compare against, measured in the same run.
func perOp(n int, f func()) time.Duration {
	n = max(n, 200)
	t0 := time.Now()
	for range n {
		f()
	}
	return time.Since(t0) / time.Duration(n)
}

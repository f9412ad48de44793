package access_test

import (
	"fmt"
	"path/filepath"
	"runtime"
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
	cached, direct, _, password = benchEnv(b)
	return cached, direct, password
}

// benchEnv is benchLogin with the Cache.
func benchEnv(b *testing.B) (cached, direct *access.Service, cache *access.Cache, password string) {
	b.Helper()
	ctx := b.Context()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "openacr.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key := []byte(strings.Repeat("k", 32))
	cache = access.NewCache(st)
	if cached, err = access.New(cache, key, nil); err != nil {
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
	return cached, direct, cache, g.Passwords[0].Value
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

// BenchmarkState is the token state the data plane and the token endpoint
// read on every request: "hit" from the Cache, "miss" loaded from the store
// (the token and its scope map read, the map compiled), as on a token's
// first use after a start.
//
//	go test -run '^$' -bench State ./internal/access/
func BenchmarkState(b *testing.B) {
	for _, miss := range []bool{false, true} {
		name := map[bool]string{false: "hit", true: "miss"}[miss]
		b.Run(name, func(b *testing.B) {
			_, _, cache, _ := benchEnv(b)
			b.ReportAllocs()
			for b.Loop() {
				if miss {
					cache.Forget("myregistry")
				}
				if _, err := cache.State(b.Context(), "myregistry", "MyToken"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheMemory loads the state of 20,000 tokens of one scope map
// into a Cache and reports the heap it holds per token (B/token), what a
// registry's active tokens cost in memory.
func BenchmarkCacheMemory(b *testing.B) {
	const n = 20_000
	ctx := b.Context()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "openacr.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := access.New(st, []byte(strings.Repeat("k", 32)), nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.PutRegistry(ctx, group, "myregistry", "local", access.Premium); err != nil {
		b.Fatal(err)
	}
	if _, _, err := svc.PutScopeMap(ctx, group, "myregistry", "reader", nil, []string{"repositories/app/content/read", "repositories/team/*/content/read"}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	ts := make([]access.Token, n)
	for i := range ts {
		ts[i] = access.Token{Registry: "myregistry", Name: fmt.Sprintf("token-%06d", i), ScopeMap: "reader", Status: access.Enabled,
			Generation: 1, Created: now, Modified: now, Passwords: []access.Password{
				{Name: access.Password1, Hash: access.HashSecret([]byte("k"), fmt.Sprint(i)), Created: now, Expiry: access.NeverExpires}}}
	}
	if err := st.CreateTokens(ctx, "myregistry", ts); err != nil {
		b.Fatal(err)
	}
	var perToken float64
	for b.Loop() {
		cache := access.NewCache(st)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range ts {
			if _, err := cache.State(ctx, "myregistry", ts[i].Name); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perToken = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(cache)
	}
	b.ReportMetric(perToken, "B/token")
}

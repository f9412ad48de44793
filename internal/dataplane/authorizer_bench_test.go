package dataplane

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/signing"
)

// benchTokens is one token, "bot", at generation 1, answered from memory as
// the server's token cache answers.
type benchTokens struct{ set *scope.Set }

func (b benchTokens) Login(context.Context, string, string, string) (Login, error) {
	return Login{}, &Refusal{Public: "no", Reason: "no Basic in this benchmark"}
}

func (b benchTokens) Current(_ context.Context, _, token string) (Current, bool, error) {
	return Current{Generation: 1, Created: 1, Scope: b.set}, token == "bot", nil
}

type benchKeyStore struct {
	mu   sync.Mutex
	keys []signing.StoredKey
}

func (m *benchKeyStore) SigningKeys(context.Context) ([]signing.StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]signing.StoredKey(nil), m.keys...), nil
}

func (m *benchKeyStore) AddSigningKey(_ context.Context, k signing.StoredKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

// BenchmarkAccessToken is the access controller's work on every /v2/
// request with an access token it has seen before: a map probe for the
// verified token, its expiry and audience, and the token's generation from
// memory. x-verify is its time over checking the signature instead (what
// the verified-token cache saves), measured in the same run. "parallel"
// runs it on every core at once: the cache takes only read locks.
//
//	go test -run '^$' -bench AccessToken ./internal/dataplane/
func BenchmarkAccessToken(b *testing.B) {
	keys, err := signing.Open(b.Context(), &benchKeyStore{}, make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	set, err := scope.Compile([]string{"repositories/app/content/read"})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	raw, err := keys.Sign(signing.Claims{ID: "jti", Subject: "bot", Audience: "localhost:5000", IssuedAt: now, NotBefore: now,
		Expiry: now.Add(5 * time.Minute), GrantType: signing.AccessToken, Registry: "myregistry", Generation: 1, TokenCreated: 1,
		Access: []signing.ResourceActions{{Type: "repository", Name: "app", Actions: []string{"pull"}}}})
	if err != nil {
		b.Fatal(err)
	}
	a := NewAuthorizer(benchTokens{set}, keys, slog.New(slog.DiscardHandler))
	t := target{registry: "myregistry", loginServer: "localhost:5000"}
	r, _ := http.NewRequest(http.MethodGet, "/v2/app/manifests/v1", nil)
	r.Header.Set("Authorization", "Bearer "+raw)
	check := func() {
		id, ref, err := a.identify(context.Background(), r, t)
		if err != nil || ref != nil || id.allowed("app")&scope.ContentRead == 0 {
			b.Fatalf("identify: %v, %+v", err, ref)
		}
	}
	check() // verified once, cached from here on
	verify := perOp(b.N, func() {
		if _, err := keys.Verify(context.Background(), raw, t.loginServer, now); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("one core", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			check()
		}
		b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(verify), "x-verify")
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				check()
			}
		})
	})
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

package signing

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// benchStore is a KeyStore in memory.
type benchStore struct {
	mu   sync.Mutex
	keys []StoredKey
}

func (m *benchStore) SigningKeys(context.Context) ([]StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]StoredKey(nil), m.keys...), nil
}

func (m *benchStore) AddSigningKey(_ context.Context, k StoredKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

func benchKeys(b *testing.B) *Keys {
	b.Helper()
	k, err := Open(b.Context(), &benchStore{}, make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func benchClaims() Claims {
	now := time.Now()
	return Claims{
		ID: "jti-1", Subject: "MyToken", Audience: "localhost:5000",
		IssuedAt: now, NotBefore: now, Expiry: now.Add(5 * time.Minute),
		GrantType: AccessToken, Registry: "myregistry", Generation: 3, TokenCreated: 42,
		Access: []ResourceActions{{Type: "repository", Name: "app", Actions: []string{"pull", "metadata_read"}}},
	}
}

// perOp runs f n times and returns the mean time of one run: the baselines
// the benchmarks compare against, measured in the same run.
func perOp(n int, f func()) time.Duration {
	n = max(n, 200)
	t0 := time.Now()
	for range n {
		f()
	}
	return time.Since(t0) / time.Duration(n)
}

// BenchmarkSign is minting's signature: an ES256 JWT of an access token.
// x-jwt-builder is its time over go-jose's JWT builder (the path it
// replaced, which round-trips the claims through a map); ecdsa-share is the
// part of it that is the bare ECDSA signature, the floor.
//
//	go test -run '^$' -bench Sign ./internal/signing/
func BenchmarkSign(b *testing.B) {
	k := benchKeys(b)
	c := benchClaims()
	cur := k.current
	builder := perOp(b.N, func() {
		if _, err := jwt.Signed(cur.signer).Claims(c.wire(Issuer)).Serialize(); err != nil {
			b.Fatal(err)
		}
	})
	digest := sha256.Sum256([]byte("payload"))
	bare := perOp(b.N, func() {
		if _, _, err := ecdsa.Sign(rand.Reader, cur.priv, digest[:]); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(builder), "x-jwt-builder")
	b.ReportMetric(float64(bare)/float64(per), "ecdsa-share")
}

// BenchmarkVerify is the signature check the data plane does once per
// access token (and caches).
func BenchmarkVerify(b *testing.B) {
	k := benchKeys(b)
	c := benchClaims()
	raw, err := k.Sign(c)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(b.Context(), raw, c.Audience, c.IssuedAt); err != nil {
			b.Fatal(err)
		}
	}
}

package signing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/openacr/openacr/internal/signing"
)

// memKeys is a KeyStore in memory, shared by the "nodes" of a test.
type memKeys struct {
	mu   sync.Mutex
	keys []signing.StoredKey
}

func (m *memKeys) SigningKeys(context.Context) ([]signing.StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]signing.StoredKey(nil), m.keys...), nil
}

func (m *memKeys) AddSigningKey(_ context.Context, k signing.StoredKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

var sealKey = bytes.Repeat([]byte{7}, 32)

func open(t *testing.T, ks signing.KeyStore) *signing.Keys {
	t.Helper()
	k, err := signing.Open(t.Context(), ks, sealKey)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return k
}

func claims(now time.Time) signing.Claims {
	return signing.Claims{
		ID: "jti-1", Subject: "MyToken", Audience: "myregistry.example.com",
		IssuedAt: now, NotBefore: now, Expiry: now.Add(5 * time.Minute),
		GrantType: signing.AccessToken, Registry: "myregistry", Generation: 3, TokenCreated: 42,
		Access: []signing.ResourceActions{{Type: "repository", Name: "app", Actions: []string{"pull"}}},
	}
}

func TestSignedClaimsVerifyAndRoundTrip(t *testing.T) {
	k := open(t, &memKeys{})
	now := time.Now().Truncate(time.Second)
	raw, err := k.Sign(claims(now))
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Verify(t.Context(), raw, "myregistry.example.com", now.Add(time.Minute))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := claims(now)
	if got.Subject != want.Subject || got.Generation != 3 || got.TokenCreated != 42 || got.Registry != "myregistry" ||
		!got.Expiry.Equal(want.Expiry) || len(got.Access) != 1 || got.Access[0].Name != "app" || got.GrantType != signing.AccessToken {
		t.Errorf("Verify = %+v, want %+v", got, want)
	}
}

func TestVerifyRefuses(t *testing.T) {
	k := open(t, &memKeys{})
	other := open(t, &memKeys{}) // another deployment: another key
	now := time.Now().Truncate(time.Second)
	raw, _ := k.Sign(claims(now))
	foreign, _ := other.Sign(claims(now))
	parts := strings.Split(raw, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]

	tests := []struct {
		name, raw, aud string
		at             time.Time
	}{
		{"another registry's audience", raw, "other.example.com", now},
		{"expired", raw, "myregistry.example.com", now.Add(6 * time.Minute)},
		{"not yet valid", raw, "myregistry.example.com", now.Add(-time.Minute)},
		{"signed by a key we do not publish", foreign, "myregistry.example.com", now},
		{"tampered payload", tampered, "myregistry.example.com", now},
		{"not a JWT", "hello", "myregistry.example.com", now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Verify(t.Context(), tt.raw, tt.aud, tt.at); !errors.Is(err, signing.ErrInvalid) {
				t.Errorf("Verify error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestNodesShareKeysThroughTheStore(t *testing.T) {
	ks := &memKeys{}
	a := open(t, ks)
	b := open(t, ks) // a second node finds a's key and makes none
	if len(ks.keys) != 1 {
		t.Fatalf("store holds %d keys after two opens, want 1", len(ks.keys))
	}
	now := time.Now()
	raw, _ := a.Sign(claims(now))
	if _, err := b.Verify(t.Context(), raw, "myregistry.example.com", now); err != nil {
		t.Errorf("node b cannot verify node a's JWT: %v", err)
	}
}

func TestWrongSealKeyIsAnError(t *testing.T) {
	ks := &memKeys{}
	open(t, ks)
	_, err := signing.Open(t.Context(), ks, bytes.Repeat([]byte{8}, 32))
	if err == nil || !strings.Contains(err.Error(), "unseal") {
		t.Errorf("Open with another seal key: error %v, want one about unsealing", err)
	}
}

func TestJWKSVerifiesTokensWithoutOpenacr(t *testing.T) {
	k := open(t, &memKeys{})
	raw, _ := k.Sign(claims(time.Now()))
	b, err := k.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS is not a key set: %v\n%s", err, b)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("JWKS has %d keys with kid %q, want 1", len(keys), tok.Headers[0].KeyID)
	}
	var c jwt.Claims
	if err := tok.Claims(keys[0].Key, &c); err != nil {
		t.Errorf("the JWKS key does not verify the JWT: %v", err)
	}
	if bytes.Contains(b, []byte(`"d"`)) {
		t.Errorf("JWKS contains a private key: %s", b)
	}
}

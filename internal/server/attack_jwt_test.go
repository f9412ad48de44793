package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/openacr/openacr/internal/access"
)

// The attacks on access tokens (SPEC §4, issue #5): each forged or stale
// JWT must be refused on /v2/ while the genuine one, presented the same
// way, is accepted, so that each case fails if its defence is removed.

// jwtParts splits a compact JWT into its decoded header and payload.
func jwtParts(t *testing.T, raw string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", raw)
	}
	for i, into := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// forge builds a JWT from header and payload, signed by sign over the
// signing input ("" for none).
func forge(t *testing.T, header, payload map[string]any, sign func(input string) []byte) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64JSON(t, payload)
	var sig []byte
	if sign != nil {
		sig = sign(input)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func hs256(secret []byte) func(string) []byte {
	return func(input string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(input))
		return m.Sum(nil)
	}
}

// es256 signs with a key of the attacker's (raw r||s, as JWS wants).
func es256(t *testing.T, key *ecdsa.PrivateKey) func(string) []byte {
	return func(input string) []byte {
		h := sha256.Sum256([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	}
}

// publicKeyForms are the serve's public key as an attacker finds it in the
// JWKS: the JWK JSON, PEM and DER, each a candidate HMAC secret.
func publicKeyForms(t *testing.T, e *registryEnv, kid string) map[string][]byte {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(readBody(t, e.raw("GET", loginServer(regA), "/oauth2/jwks", nil))), &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("the JWKS has no key %q", kid)
	}
	jwk, _ := keys[0].MarshalJSON()
	der, err := x509.MarshalPKIXPublicKey(keys[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"jwk": jwk, "der": der, "pem": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
}

func TestForgedAndStaleAccessTokensAreRefused(t *testing.T) {
	e := newRegistryEnv(t)
	const regB = "otherregistry"
	if _, _, err := e.srv.Access.PutRegistry(t.Context(), group, regB, "local", access.Premium); err != nil {
		t.Fatal(err)
	}
	e.seed(regA, "app", "secret")
	e.seed(regB, "app")
	pw := e.token(regA, "jwt-victim", "repositories/app/content/read", "repositories/secret/content/read")
	e.token(regB, "jwt-victim", "repositories/*/content/read")
	genuine := e.accessToken(regA, "jwt-victim", pw, "repository:app:pull")
	header, payload := jwtParts(t, genuine)
	kid, _ := header["kid"].(string)
	attacker, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	with := func(m map[string]any, k string, v any) map[string]any {
		c := map[string]any{}
		for key, val := range m {
			c[key] = val
		}
		c[k] = v
		return c
	}
	sig := genuine[strings.LastIndex(genuine, ".")+1:]
	resign := func(h, p map[string]any) string { // keep the genuine signature
		return b64JSON(t, h) + "." + b64JSON(t, p) + "." + sig
	}
	secretGrant := []map[string]any{{"type": "repository", "name": "secret", "actions": []string{"pull", "push", "delete"}}}

	if code := e.status(bearer(genuine)); code != 200 {
		t.Fatalf("the genuine access token: status %d, want 200", code)
	}
	cases := []struct {
		name string
		jwt  func() string
		host string // default registry A
		path string // default app:v1
	}{
		{"alg none", func() string { return forge(t, with(header, "alg", "none"), payload, nil) }, "", ""},
		{"alg none with an upper-case name", func() string { return forge(t, with(header, "alg", "None"), payload, nil) }, "", ""},
		{"HS256 keyed with the public key as JWK", func() string {
			return forge(t, with(header, "alg", "HS256"), payload, hs256(publicKeyForms(t, e, kid)["jwk"]))
		}, "", ""},
		{"HS256 keyed with the public key as PEM", func() string {
			return forge(t, with(header, "alg", "HS256"), payload, hs256(publicKeyForms(t, e, kid)["pem"]))
		}, "", ""},
		{"HS256 keyed with the public key as DER", func() string {
			return forge(t, with(header, "alg", "HS256"), payload, hs256(publicKeyForms(t, e, kid)["der"]))
		}, "", ""},
		{"signed by another key under the server's kid", func() string { return forge(t, header, payload, es256(t, attacker)) }, "", ""},
		{"signed by another key under its own kid", func() string {
			return forge(t, with(header, "kid", "attacker"), payload, es256(t, attacker))
		}, "", ""},
		{"signed by another key that the header embeds", func() string {
			jwk, _ := jose.JSONWebKey{Key: &attacker.PublicKey}.MarshalJSON()
			var embedded map[string]any
			json.Unmarshal(jwk, &embedded)
			return forge(t, with(header, "jwk", embedded), payload, es256(t, attacker))
		}, "", ""},
		{"tampered claims: more access", func() string {
			return resign(header, with(payload, "access", secretGrant))
		}, "", "/v2/secret/manifests/v1"},
		{"tampered claims: later expiry", func() string {
			return resign(header, with(payload, "exp", time.Now().Add(24*time.Hour).Unix()))
		}, "", ""},
		{"tampered claims: another subject", func() string { return resign(header, with(payload, "sub", "someone-else")) }, "", ""},
		{"tampered header: another kid", func() string { return resign(with(header, "kid", "attacker"), payload) }, "", ""},
		{"no signature at all", func() string { return genuine[:strings.LastIndex(genuine, ".")+1] }, "", ""},
		{"wrong audience: registry A's token on registry B", func() string { return genuine }, loginServer(regB), ""},
		{"registry A's token re-aimed at B, signature kept", func() string {
			return resign(header, with(with(payload, "aud", loginServer(regB)), "registry", regB))
		}, loginServer(regB), ""},
		{"a refresh token used as an access token", func() string {
			_, tr, body := e.postToken(url.Values{"grant_type": {"password"}, "username": {"jwt-victim"}, "password": {pw},
				"service": {loginServer(regA)}, "scope": {"repository:app:pull"}})
			if tr.RefreshToken == "" {
				t.Fatalf("no refresh token: %s", body)
			}
			return tr.RefreshToken
		}, "", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			host, path := cmpOr(tt.host, loginServer(regA)), cmpOr(tt.path, "/v2/app/manifests/v1")
			resp := e.raw("GET", host, path, bearer(tt.jwt()))
			if resp.StatusCode != 401 {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestAccessTokensOutsideTheirLifetimeAreRefused(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "timely", "repositories/app/content/read")
	tests := []struct {
		name        string
		mintAt, use time.Duration // clock offsets when minting and when using
		want        int
	}{
		{"used within its lifetime", 0, time.Minute, 200},
		{"expired (5 minutes and a second later)", 0, 5*time.Minute + time.Second, 401},
		{"not yet valid (minted an hour ahead)", time.Hour, 0, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := e.clock.Now()
			e.clock.Advance(tt.mintAt)
			at := e.accessToken(regA, "timely", pw, "repository:app:pull")
			e.clock.Advance(base.Add(tt.use).Sub(e.clock.Now()))
			if code := e.status(bearer(at)); code != tt.want {
				t.Errorf("status %d, want %d", code, tt.want)
			}
		})
	}
}

func TestAccessTokenOfAnOlderGenerationIsRefused(t *testing.T) {
	e := newRegistryEnv(t)
	e.seed(regA, "app")
	pw := e.token(regA, "generational", "repositories/app/content/read")
	at := e.accessToken(regA, "generational", pw, "repository:app:pull")
	if code := e.status(bearer(at)); code != 200 {
		t.Fatalf("before: status %d, want 200", code)
	}
	e.generate(regA, "generational", access.Password2, nil) // generation + 1; password1 still valid
	if code := e.status(bearer(at)); code != 401 {
		t.Errorf("after the generation moved on: status %d, want 401", code)
	}
	_, p := jwtParts(t, at)
	if g, _ := p["generation"].(float64); g < 1 {
		t.Fatalf("the access token carries no generation: %v", p)
	}
	if code := e.status(bearer(e.accessToken(regA, "generational", pw, "repository:app:pull"))); code != 200 {
		t.Errorf("a fresh access token: status %d, want 200", code)
	}
}

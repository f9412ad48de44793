package signing

import (
	"cmp"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// KeyStore keeps the signing keys durably, so that every node of a
// deployment signs and verifies with the same ones. The private keys it
// holds are sealed (AES-GCM under a key derived from the server's secret).
type KeyStore interface {
	// SigningKeys returns every stored key.
	SigningKeys(ctx context.Context) ([]StoredKey, error)
	// AddSigningKey stores a new key. Two nodes starting at once may both
	// add one; both are then published and the newest signs.
	AddSigningKey(ctx context.Context, k StoredKey) error
}

// StoredKey is a signing key as the KeyStore keeps it.
type StoredKey struct {
	ID      string // the kid: RFC 7638 thumbprint of the public key
	Sealed  []byte // the PKCS #8 private key, sealed
	Created time.Time
}

// Issuer is the iss claim of every JWT openacr mints.
const Issuer = "openacr"

// ErrInvalid is the one error Verify returns for a JWT it does not accept;
// the reason is in the wrapped message, for the log only.
var ErrInvalid = errors.New("invalid JWT")

// reloadEvery bounds how often an unknown kid makes Verify re-read the
// store (another node may have added a key), so that made-up kids cannot
// turn into a stream of database reads.
const reloadEvery = 10 * time.Second

type key struct {
	id      string
	priv    *ecdsa.PrivateKey
	created time.Time
	signer  jose.Signer
}

// Keys signs and verifies openacr's JWTs with ES256. It is safe for
// concurrent use.
type Keys struct {
	store KeyStore
	aead  cipher.AEAD

	mu         sync.RWMutex
	keys       map[string]*key
	current    *key
	lastReload time.Time

	// Now and Rand are the clock and the randomness.
	Now  func() time.Time
	Rand io.Reader
}

// Open loads the keys of ks, creating the first one on an empty store.
// sealKey (32 bytes) seals the private keys at rest; every node needs the
// same one.
func Open(ctx context.Context, ks KeyStore, sealKey []byte) (*Keys, error) {
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("open signing keys: seal key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("open signing keys: %w", err)
	}
	k := &Keys{store: ks, aead: aead, keys: map[string]*key{}, Now: time.Now, Rand: rand.Reader}
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	if k.current == nil {
		if err := k.add(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// add generates a key, stores it and makes it current.
func (k *Keys) add(ctx context.Context) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), k.Rand)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	id, err := keyID(&priv.PublicKey)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("encode signing key: %w", err)
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := io.ReadFull(k.Rand, nonce); err != nil {
		return fmt.Errorf("seal signing key: %w", err)
	}
	sealed := k.aead.Seal(nonce, nonce, der, []byte(id))
	if err := k.store.AddSigningKey(ctx, StoredKey{ID: id, Sealed: sealed, Created: k.Now().UTC()}); err != nil {
		return fmt.Errorf("store signing key %s: %w", id, err)
	}
	return k.reload(ctx)
}

// reload reads every key from the store and makes the newest current.
func (k *Keys) reload(ctx context.Context) error {
	stored, err := k.store.SigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	loaded := map[string]*key{}
	var newest *key
	for _, s := range stored {
		kk, err := k.unseal(s)
		if err != nil {
			return err
		}
		loaded[kk.id] = kk
		if newest == nil || cmp.Or(kk.created.Compare(newest.created), cmp.Compare(kk.id, newest.id)) > 0 {
			newest = kk
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys, k.current, k.lastReload = loaded, newest, k.Now()
	return nil
}

func (k *Keys) unseal(s StoredKey) (*key, error) {
	n := k.aead.NonceSize()
	if len(s.Sealed) < n {
		return nil, fmt.Errorf("signing key %s: sealed value too short", s.ID)
	}
	der, err := k.aead.Open(nil, s.Sealed[:n], s.Sealed[n:], []byte(s.ID))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: cannot unseal it (was the server's secret changed?): %w", s.ID, err)
	}
	p, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", s.ID, err)
	}
	priv, ok := p.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: not an ECDSA key", s.ID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: s.ID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", s.ID, err)
	}
	return &key{id: s.ID, priv: priv, created: s.Created, signer: signer}, nil
}

// keyID is the RFC 7638 thumbprint of pub, base64url without padding.
func keyID(pub *ecdsa.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("key id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// Sign returns c as a compact JWT signed with the current key.
func (k *Keys) Sign(c Claims) (string, error) {
	k.mu.RLock()
	cur := k.current
	k.mu.RUnlock()
	// The claims go to the signer as one JSON document. jwt.Signed would
	// do the same after a round trip through a map (marshal, unmarshal,
	// marshal again), which cost a quarter of minting.
	payload, err := json.Marshal(c.wire(Issuer))
	if err != nil {
		return "", fmt.Errorf("sign %s %s: %w", c.GrantType, c.ID, err)
	}
	jws, err := cur.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign %s %s: %w", c.GrantType, c.ID, err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("sign %s %s: %w", c.GrantType, c.ID, err)
	}
	return s, nil
}

// Verify checks raw's signature against the published keys, its issuer, its
// audience and its validity period at now, and returns its claims. Every
// refusal is ErrInvalid wrapped with the reason (for the log, not the
// caller).
func (k *Keys) Verify(ctx context.Context, raw, audience string, now time.Time) (Claims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return Claims{}, fmt.Errorf("%w: no key id", ErrInvalid)
	}
	kk := k.lookup(ctx, tok.Headers[0].KeyID)
	if kk == nil {
		return Claims{}, fmt.Errorf("%w: unknown key id %q", ErrInvalid, tok.Headers[0].KeyID)
	}
	var w wire
	if err := tok.Claims(&kk.priv.PublicKey, &w); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if w.Expiry == nil {
		return Claims{}, fmt.Errorf("%w: no expiry", ErrInvalid)
	}
	err = w.Claims.ValidateWithLeeway(jwt.Expected{Issuer: Issuer, AnyAudience: jwt.Audience{audience}, Time: now}, 0)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return w.claims(), nil
}

// lookup finds a key by id, re-reading the store (at most every
// reloadEvery) when it is unknown.
func (k *Keys) lookup(ctx context.Context, id string) *key {
	k.mu.RLock()
	kk, last := k.keys[id], k.lastReload
	k.mu.RUnlock()
	if kk != nil || k.Now().Sub(last) < reloadEvery {
		return kk
	}
	if err := k.reload(ctx); err != nil {
		return nil
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[id]
}

// JWKS returns the public keys as a JSON Web Key Set, so that a stock
// distribution registry (or anyone) can verify openacr's access tokens.
func (k *Keys) JWKS() ([]byte, error) {
	k.mu.RLock()
	var set jose.JSONWebKeySet
	for _, kk := range k.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &kk.priv.PublicKey, KeyID: kk.id, Algorithm: string(jose.ES256), Use: "sig"})
	}
	k.mu.RUnlock()
	slices.SortFunc(set.Keys, func(a, b jose.JSONWebKey) int { return cmp.Compare(a.KeyID, b.KeyID) })
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w", err)
	}
	return b, nil
}

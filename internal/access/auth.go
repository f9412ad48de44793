package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"
)

// Principal is who a successful authentication proved the caller to be.
type Principal struct {
	Registry   string
	Token      string
	Password   string // the slot that matched
	ScopeMap   string
	Generation int64
	Expiry     time.Time // of the password that matched
}

// Authenticate checks a token name and password against registry. A wrong
// name or secret gets the one generic message; a right secret of an expired
// password or a disabled token gets a message that says so, since the caller
// has proved it holds the secret. AuthError.Reason carries the real cause.
func (s *Service) Authenticate(ctx context.Context, registry, username, secret string) (Principal, error) {
	fail := func(reason string) (Principal, error) {
		return Principal{}, &AuthError{Public: GenericAuthFailure, Reason: reason}
	}
	if !WellFormedSecret(secret) {
		return fail("the password is not a well-formed openacr password")
	}
	t, err := s.credentials(ctx, registry, username)
	if errors.Is(err, ErrNotFound) {
		return fail(fmt.Sprintf("registry %q has no token %q", registry, username))
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token %q of registry %q: %w", username, registry, err)
	}
	var h [sha256.Size]byte
	hashSecretTo(h[:0], s.hashKey, secret)
	var match *PasswordState
	for i := range t.Passwords {
		// Compare against every slot so timing does not tell which matched.
		if subtle.ConstantTimeCompare(h[:], t.Passwords[i].hash) == 1 {
			match = &t.Passwords[i]
		}
	}
	if match == nil {
		return fail(fmt.Sprintf("the password matches no password of token %q", t.Token))
	}
	if now := s.now(); !now.Before(match.Expiry) {
		msg := fmt.Sprintf("%s of token '%s' expired at %s", match.Name, t.Token, match.Expiry.Format(time.RFC3339))
		return Principal{}, &AuthError{Public: msg, Reason: msg, Class: ClassExpired}
	}
	if t.Status != Enabled {
		msg := fmt.Sprintf("token '%s' is disabled", t.Token)
		return Principal{}, &AuthError{Public: msg, Reason: msg, Class: ClassDisabled}
	}
	return Principal{Registry: t.Registry, Token: t.Token, Password: match.Name, ScopeMap: t.ScopeMap,
		Generation: t.Generation, Expiry: match.Expiry}, nil
}

// stater is the Cache's State, found on the store by type assertion: with
// it, Authenticate reads the token from memory, and a login costs one keyed
// hash and a constant-time compare per password, no database read. The
// Cache sees every change made through the Service before it returns, so a
// regenerated or deleted password fails from the next login on.
type stater interface {
	State(ctx context.Context, registry, token string) (TokenState, error)
}

// credentials returns what Authenticate checks: the token's state from the
// cache, or, over a plain store, from the store.
func (s *Service) credentials(ctx context.Context, registry, token string) (TokenState, error) {
	if c, ok := s.store.(stater); ok {
		return c.State(ctx, registry, token)
	}
	t, err := s.store.GetToken(ctx, registry, token)
	if err != nil {
		return TokenState{}, err
	}
	st := TokenState{Registry: t.Registry, Token: t.Name, Generation: t.Generation, Created: t.Created,
		Status: t.Status, ScopeMap: t.ScopeMap}
	for _, p := range t.Passwords {
		st.Passwords = append(st.Passwords, PasswordState{Name: p.Name, Created: p.Created, Expiry: p.Expiry, hash: p.Hash})
	}
	return st, nil
}

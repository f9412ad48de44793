package access

import (
	"context"
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
	t, err := s.store.GetToken(ctx, registry, username)
	if errors.Is(err, ErrNotFound) {
		return fail(fmt.Sprintf("registry %q has no token %q", registry, username))
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token %q of registry %q: %w", username, registry, err)
	}
	h := hashSecret(s.hashKey, secret)
	var match *Password
	for i := range t.Passwords {
		// Compare against every slot so timing does not tell which matched.
		if subtle.ConstantTimeCompare(h, t.Passwords[i].Hash) == 1 {
			match = &t.Passwords[i]
		}
	}
	if match == nil {
		return fail(fmt.Sprintf("the password matches no password of token %q", t.Name))
	}
	if now := s.now(); !now.Before(match.Expiry) {
		msg := fmt.Sprintf("%s of token '%s' expired at %s", match.Name, t.Name, match.Expiry.Format(time.RFC3339))
		return Principal{}, &AuthError{Public: msg, Reason: msg, Class: ClassExpired}
	}
	if t.Status != Enabled {
		msg := fmt.Sprintf("token '%s' is disabled", t.Name)
		return Principal{}, &AuthError{Public: msg, Reason: msg, Class: ClassDisabled}
	}
	return Principal{Registry: t.Registry, Token: t.Name, Password: match.Name, ScopeMap: t.ScopeMap,
		Generation: t.Generation, Expiry: match.Expiry}, nil
}

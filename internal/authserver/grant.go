package authserver

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/scope"
	"github.com/openacr/openacr/internal/signing"
)

// grant is a checked credential: the token's state and the password the
// caller proved it holds.
type grant struct {
	state    access.TokenState
	password access.PasswordState
}

// name is the token name to log for a request, checked or not.
func (g grant) name(req request) string {
	if g.state.Token != "" {
		return g.state.Token
	}
	return req.username
}

func refused(public, reason string) error { return &access.AuthError{Public: public, Reason: reason} }

// refusedAs is a refusal of class (access.Class...).
func refusedAs(class, public, reason string) error {
	return &access.AuthError{Public: public, Reason: reason, Class: class}
}

// login checks a token name and password.
func (s *Server) login(ctx context.Context, registry, username, password string) (grant, error) {
	if username == "" {
		return grant{}, refused(access.GenericAuthFailure, "no credentials")
	}
	p, err := s.auth.Authenticate(ctx, registry, username, password)
	if err != nil {
		return grant{}, err
	}
	st, err := s.states.State(ctx, p.Registry, p.Token)
	if errors.Is(err, access.ErrNotFound) {
		return grant{}, refused(access.GenericAuthFailure, fmt.Sprintf("token %q was deleted during login", p.Token))
	}
	if err != nil {
		return grant{}, err
	}
	pw, ok := st.Password(p.Password)
	if st.Generation != p.Generation || !ok {
		// The token changed between the two reads: what we would grant
		// might already be stale. The client retries.
		return grant{}, refused(access.GenericAuthFailure, fmt.Sprintf("token %q changed during login (generation %d, now %d)", p.Token, p.Generation, st.Generation))
	}
	return grant{state: st, password: pw}, nil
}

// refresh checks a refresh token: it must still name a live password of the
// same token, so that regenerating or deleting that password, disabling or
// deleting the token, ends it (a change to the other password does not).
func (s *Server) refresh(ctx context.Context, registry, loginServer, raw string) (grant, error) {
	now := s.Now()
	c, err := s.keys.Verify(ctx, raw, loginServer, now)
	if err != nil {
		return grant{}, refused(access.GenericAuthFailure, fmt.Sprintf("refresh token: %v", err))
	}
	if c.GrantType != signing.RefreshToken || c.Registry != registry {
		return grant{}, refused(access.GenericAuthFailure, fmt.Sprintf("JWT %s is not a refresh token of registry %q", c.ID, registry))
	}
	st, err := s.states.State(ctx, registry, c.Subject)
	if errors.Is(err, access.ErrNotFound) {
		return grant{}, refusedAs(access.ClassRevoked, access.GenericAuthFailure, fmt.Sprintf("refresh token %s: token %q no longer exists", c.ID, c.Subject))
	}
	if err != nil {
		return grant{}, err
	}
	pw, ok := st.Password(c.Password)
	switch {
	case st.Created.UnixMicro() != c.TokenCreated:
		return grant{}, refusedAs(access.ClassRevoked, access.GenericAuthFailure, fmt.Sprintf("refresh token %s: token %q was deleted and created again", c.ID, c.Subject))
	case !ok || pw.Created.UnixMicro() != c.PasswordCreated:
		return grant{}, refusedAs(access.ClassRevoked, access.GenericAuthFailure, fmt.Sprintf("refresh token %s: %s of token %q was regenerated or deleted", c.ID, c.Password, c.Subject))
	case !now.Before(pw.Expiry):
		msg := fmt.Sprintf("%s of token '%s' expired at %s", pw.Name, st.Token, pw.Expiry.Format(time.RFC3339))
		return grant{}, refusedAs(access.ClassExpired, msg, msg)
	case st.Status != access.Enabled:
		msg := fmt.Sprintf("token '%s' is disabled", st.Token)
		return grant{}, refusedAs(access.ClassDisabled, msg, msg)
	}
	return grant{state: st, password: pw}, nil
}

// mint signs an access token granting the requested scopes the scope map
// allows, and a refresh token when asked.
func (s *Server) mint(g grant, loginServer string, scopes []scope.Request, wantRefresh bool) (response, error) {
	now := s.Now().UTC()
	base := signing.Claims{
		Subject: g.state.Token, Audience: loginServer, IssuedAt: now, NotBefore: now,
		Registry: g.state.Registry, Generation: g.state.Generation, TokenCreated: g.state.Created.UnixMicro(),
	}
	at := base
	at.GrantType, at.Access = signing.AccessToken, grantScopes(g.state.Scope, scopes)
	// An access token never outlives the password it was minted from.
	at.Expiry = earliest(now.Add(s.cfg.AccessTTL), g.password.Expiry)
	key := keyOf(g, loginServer, at.Access)
	r, ok := s.reuse.get(key, now) // reuse.go: why this is safe
	if !ok {
		var err error
		if at.ID, err = s.jti(); err != nil {
			return response{}, err
		}
		r = reused{issued: now, expiry: at.Expiry}
		if r.raw, err = s.keys.Sign(at); err != nil {
			return response{}, err
		}
		s.reuse.put(key, r, now)
	}
	resp := response{Token: r.raw, AccessToken: r.raw, IssuedAt: r.issued.Format(time.RFC3339), ExpiresIn: expiresIn(r.expiry, now)}
	if wantRefresh {
		var err error
		rt := base
		rt.GrantType, rt.Password, rt.PasswordCreated = signing.RefreshToken, g.password.Name, g.password.Created.UnixMicro()
		rt.Expiry = earliest(now.Add(s.cfg.RefreshTTL), g.password.Expiry)
		if rt.ID, err = s.jti(); err != nil {
			return response{}, err
		}
		if resp.RefreshToken, err = s.keys.Sign(rt); err != nil {
			return response{}, err
		}
	}
	return resp, nil
}

// grantScopes is the part of the requested scopes that set allows, one
// entry per resource.
//
// A request for pull also gets metadata_read where the scope map allows it:
// clients (skopeo list-tags, crane ls) ask only for pull before listing tags,
// which needs metadata/read (SPEC §2), and the token holds that right anyway.
func grantScopes(set *scope.Set, scopes []scope.Request) []signing.ResourceActions {
	var out []signing.ResourceActions
	index := map[[2]string]int{}
	for _, req := range scopes {
		if req.Type == "repository" && slices.Contains(req.Actions, "pull") {
			req.Actions = append(slices.Clone(req.Actions), "metadata_read")
		}
		g, ok := set.Grant(req)
		if !ok {
			continue
		}
		k := [2]string{g.Type, g.Name}
		i, seen := index[k]
		if !seen {
			index[k] = len(out)
			out = append(out, signing.ResourceActions{Type: g.Type, Name: g.Name, Actions: g.Actions})
			continue
		}
		merged, _ := set.Grant(scope.Request{Type: g.Type, Name: g.Name, Actions: append(out[i].Actions, g.Actions...)})
		out[i].Actions = merged.Actions
	}
	return out
}

func (s *Server) jti() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.Rand, b[:]); err != nil {
		return "", fmt.Errorf("generate jti: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

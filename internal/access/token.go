package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

func (s *Service) tokenNotFound(name string) error {
	return errorf(ErrNotFound, "The resource %s could not be found.", name)
}

func parseStatus(st Status) (Status, error) {
	switch Status(strings.ToLower(string(st))) {
	case Enabled, "":
		return Enabled, nil
	case Disabled:
		return Disabled, nil
	}
	return "", errorf(ErrInvalid, "The token status '%s' is not valid. Allowed values: enabled, disabled.", st)
}

// PutToken creates a token, or changes the scope map and status of an
// existing one (its passwords are kept: passwords are only ever created by
// GenerateCredentials). created tells which.
func (s *Service) PutToken(ctx context.Context, group, registry, name, scopeMap string, status Status) (t Token, created bool, err error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return Token{}, false, err
	}
	if err := ValidateTokenName(name); err != nil {
		return Token{}, false, err
	}
	if status, err = parseStatus(status); err != nil {
		return Token{}, false, err
	}
	if err := s.enforce(ctx, r, Operation{Kind: OpWriteToken, Token: name}); err != nil {
		return Token{}, false, err
	}
	if scopeMap == "" {
		return Token{}, false, errorf(ErrInvalid, "A token needs a scope map: set properties.scopeMapId.")
	}
	now := s.now()
	t = Token{Registry: r.Name, Name: name, ScopeMap: scopeMap, Status: status, Created: now, Modified: now, Generation: 1}
	err = s.store.CreateToken(ctx, t, r.SKU.Limits().Tokens)
	switch {
	case err == nil:
		s.log.InfoContext(ctx, "token created", "registry", r.Name, "token", name, "scope_map", scopeMap)
		if stored, gerr := s.store.GetToken(ctx, r.Name, name); gerr == nil {
			t = stored // the scope map as the store spells it, not as the caller did
		}
		return t, true, nil
	case errors.Is(err, ErrQuotaExceeded):
		return Token{}, false, errorf(ErrQuotaExceeded, "Registry '%s' (SKU %s) already has the maximum of %d tokens.", r.Name, r.SKU, r.SKU.Limits().Tokens)
	case errors.Is(err, ErrNotFound):
		return Token{}, false, errorf(ErrInvalid, "The scope map '%s' does not exist in registry '%s'.", scopeMap, r.Name)
	case !errors.Is(err, ErrExists):
		return Token{}, false, fmt.Errorf("create token %q in registry %q: %w", name, r.Name, err)
	}
	t, err = s.UpdateToken(ctx, group, registry, name, TokenUpdate{ScopeMap: &scopeMap, Status: &status})
	return t, false, err
}

// GetToken returns one token.
func (s *Service) GetToken(ctx context.Context, group, registry, name string) (Token, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return Token{}, err
	}
	t, err := s.store.GetToken(ctx, r.Name, name)
	if errors.Is(err, ErrNotFound) {
		return Token{}, s.tokenNotFound(name)
	}
	if err != nil {
		return Token{}, fmt.Errorf("get token %q of registry %q: %w", name, r.Name, err)
	}
	ts := []Token{t}
	s.Usage.fill(ctx, r.Name, ts)
	return ts[0], nil
}

// ListTokens returns one page of a registry's tokens.
func (s *Service) ListTokens(ctx context.Context, group, registry string, page Page) ([]Token, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.ListTokens(ctx, r.Name, page)
	if err != nil {
		return nil, fmt.Errorf("list tokens of registry %q: %w", r.Name, err)
	}
	s.Usage.fill(ctx, r.Name, ts)
	return ts, nil
}

// TokenUpdate is a partial change of a token; nil fields are kept.
type TokenUpdate struct {
	ScopeMap *string
	Status   *Status
	// KeepPasswords, when set, is the full list of password slots to keep;
	// the others are deleted. Passwords cannot be created this way.
	KeepPasswords *[]string
}

// UpdateToken applies u atomically and bumps the token's generation when
// what its credentials may do changes.
func (s *Service) UpdateToken(ctx context.Context, group, registry, name string, u TokenUpdate) (Token, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return Token{}, err
	}
	var status Status
	if u.Status != nil {
		if status, err = parseStatus(*u.Status); err != nil {
			return Token{}, err
		}
	}
	if u.ScopeMap != nil && *u.ScopeMap == "" {
		return Token{}, errorf(ErrInvalid, "A token needs a scope map: properties.scopeMapId cannot be empty.")
	}
	if u.KeepPasswords != nil {
		for _, p := range *u.KeepPasswords {
			if p != Password1 && p != Password2 {
				return Token{}, errorf(ErrInvalid, "Unknown password name '%s'. Allowed values: password1, password2.", p)
			}
		}
	}
	if err := s.enforce(ctx, r, Operation{Kind: OpWriteToken, Token: name}); err != nil {
		return Token{}, err
	}
	t, err := s.store.UpdateToken(ctx, r.Name, name, func(t *Token) error {
		changed := false
		if u.ScopeMap != nil && *u.ScopeMap != t.ScopeMap {
			t.ScopeMap, changed = *u.ScopeMap, true
		}
		if u.Status != nil && status != t.Status {
			t.Status, changed = status, true
		}
		if u.KeepPasswords != nil {
			for _, p := range *u.KeepPasswords {
				if _, ok := t.Password(p); !ok {
					return errorf(ErrInvalid, "Unable to perform operation. %s credential doesn't exist.", capitalize(p))
				}
			}
			kept := slices.DeleteFunc(slices.Clone(t.Passwords), func(p Password) bool {
				return !slices.Contains(*u.KeepPasswords, p.Name)
			})
			if len(kept) != len(t.Passwords) {
				t.Passwords, changed = kept, true
			}
		}
		if changed {
			t.Generation++
		}
		t.Modified = s.now()
		return nil
	})
	return s.tokenResult(ctx, r.Name, name, u.ScopeMap, t, err)
}

// tokenResult maps a store error of a token update to the caller's terms.
func (s *Service) tokenResult(ctx context.Context, registry, name string, scopeMap *string, t Token, err error) (Token, error) {
	var e *Error
	switch {
	case err == nil:
		s.log.InfoContext(ctx, "token updated", "registry", registry, "token", t.Name, "generation", t.Generation)
		return t, nil
	case errors.As(err, &e):
		return Token{}, e
	case errors.Is(err, ErrNotFound):
		if _, gerr := s.store.GetToken(ctx, registry, name); gerr == nil && scopeMap != nil {
			return Token{}, errorf(ErrInvalid, "The scope map '%s' does not exist in registry '%s'.", *scopeMap, registry)
		}
		return Token{}, s.tokenNotFound(name)
	}
	return Token{}, fmt.Errorf("update token %q of registry %q: %w", name, registry, err)
}

// DeleteToken deletes a token; its passwords stop working at once.
func (s *Service) DeleteToken(ctx context.Context, group, registry, name string) error {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return err
	}
	if err := s.enforce(ctx, r, Operation{Kind: OpDeleteToken, Token: name}); err != nil {
		return err
	}
	err = s.store.DeleteToken(ctx, r.Name, name)
	if errors.Is(err, ErrNotFound) {
		return s.tokenNotFound(name)
	}
	if err != nil {
		return fmt.Errorf("delete token %q of registry %q: %w", name, r.Name, err)
	}
	s.log.InfoContext(ctx, "token deleted", "registry", r.Name, "token", name)
	return nil
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// GeneratedPassword is a password as returned by GenerateCredentials: Value
// is set only for the ones generated by that call.
type GeneratedPassword struct {
	Password
	Value string
}

// Generated is the result of GenerateCredentials.
type Generated struct {
	Username  string
	Passwords []GeneratedPassword
}

// GenerateCredentials generates password slot ("password1", "password2", or
// "" for both) of a token, keeping the other one. expiry nil means the
// password never expires; an expiry in the past is refused.
func (s *Service) GenerateCredentials(ctx context.Context, group, registry, token, slot string, expiry *time.Time) (Generated, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return Generated{}, err
	}
	slots := []string{Password1, Password2}
	switch slot {
	case "":
	case Password1, Password2:
		slots = []string{slot}
	default:
		return Generated{}, errorf(ErrInvalid, "Unknown password name '%s'. Allowed values: password1, password2.", slot)
	}
	now := s.now()
	exp := NeverExpires
	if expiry != nil {
		if !expiry.After(now) {
			return Generated{}, errorf(ErrInvalid, "The expiry %s is in the past; give a time in the future.", expiry.UTC().Format(time.RFC3339))
		}
		exp = expiry.UTC().Truncate(time.Microsecond)
	}
	if err := s.enforce(ctx, r, Operation{Kind: OpGenerateCredentials, Token: token, Expiry: expiry}); err != nil {
		return Generated{}, err
	}
	values := map[string]string{}
	for _, sl := range slots {
		if values[sl], err = newSecret(s.Rand); err != nil {
			return Generated{}, fmt.Errorf("generate %s of token %q: %w", sl, token, err)
		}
	}
	t, err := s.store.UpdateToken(ctx, r.Name, token, func(t *Token) error {
		for _, sl := range slots {
			p := Password{Name: sl, Hash: hashSecret(s.hashKey, values[sl]), Created: now, Expiry: exp}
			t.Passwords = slices.DeleteFunc(t.Passwords, func(q Password) bool { return q.Name == sl })
			t.Passwords = append(t.Passwords, p)
		}
		slices.SortFunc(t.Passwords, func(a, b Password) int { return strings.Compare(a.Name, b.Name) })
		t.Generation++
		t.Modified = now
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return Generated{}, s.tokenNotFound(token)
	}
	if err != nil {
		return Generated{}, fmt.Errorf("generate credentials of token %q: %w", token, err)
	}
	g := Generated{Username: t.Name}
	for _, p := range t.Passwords {
		g.Passwords = append(g.Passwords, GeneratedPassword{Password: p, Value: values[p.Name]})
	}
	s.log.InfoContext(ctx, "passwords generated", "registry", r.Name, "token", t.Name, "slots", slots, "generation", t.Generation)
	return g, nil
}

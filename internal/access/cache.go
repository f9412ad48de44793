package access

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/openacr/openacr/internal/scope"
)

// TokenState is what the data plane checks on every request: the token's
// current generation and identity, and what its scope map allows now.
type TokenState struct {
	Registry   string
	Token      string
	Generation int64
	// Created tells a token apart from an earlier one of the same name.
	Created   time.Time
	Status    Status
	ScopeMap  string
	Scope     *scope.Set
	Passwords []PasswordState
}

// PasswordState is a password as the data plane sees it. Its keyed hash
// is unexported: only Authenticate reads it, so that a login is checked
// from memory, with no database read (DESIGN, "Hot path").
type PasswordState struct {
	Name    string
	Created time.Time
	Expiry  time.Time
	hash    []byte
}

// Password returns the state of slot, if the token has that password.
func (st TokenState) Password(slot string) (PasswordState, bool) {
	for _, p := range st.Passwords {
		if p.Name == slot {
			return p, true
		}
	}
	return PasswordState{}, false
}

// maxCachedTokens bounds the memory of a Cache; past it the cache starts
// afresh (a miss costs two primary-key reads).
const maxCachedTokens = 1 << 20

type tokenKey struct{ registry, token string }

func keyOf(registry, token string) tokenKey {
	return tokenKey{strings.ToLower(registry), strings.ToLower(token)}
}

// Cache is a Store that keeps in memory what every data-plane request needs:
// each token's TokenState and the list of registries. The Service must be
// given the Cache as its store, so that every change made through the Service
// passes through the Cache, which drops what the change made stale before
// the change returns: the very next request sees it (DESIGN, "Revocation
// within one second"). Changes made by other nodes through the same store
// reach it through a Follower of the store's ChangeFeed, within its polling
// interval.
type Cache struct {
	Store

	mu     sync.RWMutex
	tokens map[tokenKey]TokenState
	// epoch counts invalidations, so that a load that raced one is not
	// stored (it may hold the state from before the change).
	epoch      uint64
	registries []Registry // nil until loaded
	sets       sets       // compiled scope maps, shared by their tokens
	hooks      []func(ctx context.Context, ch RegistriesChange)
	tokenHooks []func(ctx context.Context, registry, name string, t *Token) // cache_hooks.go
}

// NewCache returns a Cache over st.
func NewCache(st Store) *Cache {
	return &Cache{Store: st, tokens: map[tokenKey]TokenState{}}
}

// OnRegistriesChanged registers fn to be called, synchronously, after a
// registry is created, updated or deleted through the cache, and when a
// Follower learns of such a change from the store (ch.Remote).
func (c *Cache) OnRegistriesChanged(fn func(ctx context.Context, ch RegistriesChange)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, fn)
}

// State returns the current state of a token, loading it from the store on
// a miss. A token that does not exist is an error wrapping ErrNotFound (not
// cached: a new token may appear at any time).
func (c *Cache) State(ctx context.Context, registry, token string) (TokenState, error) {
	k := keyOf(registry, token)
	c.mu.RLock()
	st, ok := c.tokens[k]
	epoch := c.epoch
	c.mu.RUnlock()
	if ok {
		return st, nil
	}
	st, err := c.load(ctx, registry, token)
	if err != nil {
		return TokenState{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch == epoch {
		if len(c.tokens) >= maxCachedTokens {
			c.tokens = map[tokenKey]TokenState{}
		}
		c.tokens[k] = st
	}
	return st, nil
}

func (c *Cache) load(ctx context.Context, registry, token string) (TokenState, error) {
	t, err := c.Store.GetToken(ctx, registry, token)
	if err != nil {
		return TokenState{}, fmt.Errorf("load state of token %q of registry %q: %w", token, registry, err)
	}
	m, err := c.Store.GetScopeMap(ctx, t.Registry, t.ScopeMap)
	if err != nil {
		return TokenState{}, fmt.Errorf("load scope map %q of token %q: %w", t.ScopeMap, token, err)
	}
	set, err := c.sets.compile(m.Actions)
	if err != nil {
		return TokenState{}, fmt.Errorf("compile scope map %q of registry %q: %w", m.Name, m.Registry, err)
	}
	st := TokenState{Registry: t.Registry, Token: t.Name, Generation: t.Generation, Created: t.Created,
		Status: t.Status, ScopeMap: t.ScopeMap, Scope: set}
	for _, p := range t.Passwords {
		st.Passwords = append(st.Passwords, PasswordState{Name: p.Name, Created: p.Created, Expiry: p.Expiry, hash: p.Hash})
	}
	return st, nil
}

// Forget drops what the cache holds about registry ("" for every registry),
// for changes that reach the store neither through the cache nor through
// its ChangeFeed (a bulk load of tokens, say).
func (c *Cache) Forget(registry string) {
	c.drop(func(k tokenKey, _ TokenState) bool { return registry == "" || k.registry == strings.ToLower(registry) }, true)
}

// drop removes the token states that match and, if registries, the list of
// registries; then it counts an invalidation.
func (c *Cache) drop(match func(tokenKey, TokenState) bool, registries bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, st := range c.tokens {
		if match(k, st) {
			delete(c.tokens, k)
		}
	}
	if registries {
		c.registries = nil
	}
	c.epoch++
}

func (c *Cache) dropToken(registry, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.tokens, keyOf(registry, token))
	c.epoch++
}

// Registries returns every registry, oldest first, from memory. The slice is
// shared: callers must not modify it.
func (c *Cache) Registries(ctx context.Context) ([]Registry, error) {
	c.mu.RLock()
	rs, epoch := c.registries, c.epoch
	c.mu.RUnlock()
	if rs != nil {
		return rs, nil
	}
	rs, err := c.Store.ListRegistries(ctx, "")
	if err != nil {
		return nil, err
	}
	if rs == nil {
		rs = []Registry{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch == epoch {
		c.registries = rs
	}
	return rs, nil
}

// registriesChanged forgets the list and tells the hooks.
func (c *Cache) registriesChanged(ctx context.Context, deleted string) {
	c.drop(func(k tokenKey, _ TokenState) bool { return k.registry == deleted }, true)
	c.tellRegistries(ctx, RegistriesChange{Deleted: deleted})
}

func (c *Cache) tellRegistries(ctx context.Context, ch RegistriesChange) {
	c.mu.RLock()
	hooks := slices.Clone(c.hooks)
	c.mu.RUnlock()
	for _, fn := range hooks {
		fn(ctx, ch)
	}
}

// ListRegistries serves the list of every registry from memory.
func (c *Cache) ListRegistries(ctx context.Context, group string) ([]Registry, error) {
	if group != "" {
		return c.Store.ListRegistries(ctx, group)
	}
	rs, err := c.Registries(ctx)
	return slices.Clone(rs), err
}

// CreateRegistry creates through the store and forgets the list.
func (c *Cache) CreateRegistry(ctx context.Context, r Registry, maps []ScopeMap) error {
	err := c.Store.CreateRegistry(ctx, r, maps)
	if err == nil {
		c.registriesChanged(ctx, "")
	}
	return err
}

// UpdateRegistry updates through the store and forgets the list.
func (c *Cache) UpdateRegistry(ctx context.Context, name string, fn func(*Registry) error) (Registry, error) {
	r, err := c.Store.UpdateRegistry(ctx, name, fn)
	if err == nil {
		c.registriesChanged(ctx, "")
	}
	return r, err
}

// DeleteRegistry deletes through the store, forgets the registry's tokens
// and tells the hooks, which delete its content.
func (c *Cache) DeleteRegistry(ctx context.Context, name string) error {
	err := c.Store.DeleteRegistry(ctx, name)
	if err == nil {
		c.registriesChanged(ctx, strings.ToLower(name))
	}
	return err
}

// UpdateScopeMap updates through the store (which bumps the generation of
// the tokens using the map) and forgets those tokens.
func (c *Cache) UpdateScopeMap(ctx context.Context, registry, name string, fn func(*ScopeMap) error) (ScopeMap, error) {
	m, err := c.Store.UpdateScopeMap(ctx, registry, name, fn)
	if err == nil {
		reg := strings.ToLower(registry)
		c.drop(func(k tokenKey, st TokenState) bool {
			return k.registry == reg && strings.EqualFold(st.ScopeMap, name)
		}, false)
	}
	return m, err
}

// CreateToken creates through the store and forgets any state of an earlier
// token of the same name.
func (c *Cache) CreateToken(ctx context.Context, t Token, limit int) error {
	err := c.Store.CreateToken(ctx, t, limit)
	c.dropToken(t.Registry, t.Name)
	if err == nil {
		c.tokenChanged(ctx, t.Registry, t.Name, &t)
	}
	return err
}

// UpdateToken updates through the store and forgets the token's state.
func (c *Cache) UpdateToken(ctx context.Context, registry, name string, fn func(*Token) error) (Token, error) {
	t, err := c.Store.UpdateToken(ctx, registry, name, fn)
	c.dropToken(registry, name)
	if err == nil {
		c.tokenChanged(ctx, registry, name, &t)
	}
	return t, err
}

// DeleteToken deletes through the store and forgets the token's state.
func (c *Cache) DeleteToken(ctx context.Context, registry, name string) error {
	err := c.Store.DeleteToken(ctx, registry, name)
	c.dropToken(registry, name)
	if err == nil {
		c.tokenChanged(ctx, registry, name, nil)
	}
	return err
}

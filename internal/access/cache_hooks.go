package access

import (
	"context"
	"slices"
)

// OnTokenChanged registers fn to be called, synchronously, after a token is
// created, updated or deleted through the cache, with the token as stored
// (nil when deleted); and when a Follower learns of such a change from the
// store, with the token as the store holds it then. A deleted registry's
// tokens are reported through OnRegistriesChanged only.
func (c *Cache) OnTokenChanged(fn func(ctx context.Context, registry, name string, t *Token)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokenHooks = append(c.tokenHooks, fn)
}

func (c *Cache) tokenChanged(ctx context.Context, registry, name string, t *Token) {
	c.mu.RLock()
	hooks := slices.Clone(c.tokenHooks)
	c.mu.RUnlock()
	for _, fn := range hooks {
		fn(ctx, registry, name, t)
	}
}

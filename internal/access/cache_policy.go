package access

import (
	"context"
	"errors"
	"fmt"
)

var _ PolicyStore = (*Cache)(nil)

// GetPolicy passes through to the cached store: policies are read only by
// management operations, which can afford the store.
func (c *Cache) GetPolicy(ctx context.Context, registry string) (Policy, error) {
	ps, ok := c.Store.(PolicyStore)
	if !ok {
		return Policy{}, fmt.Errorf("get credential policy: %w", errors.ErrUnsupported)
	}
	return ps.GetPolicy(ctx, registry)
}

// UpdatePolicy passes through to the cached store. A policy changes no
// token's state, so nothing cached goes stale.
func (c *Cache) UpdatePolicy(ctx context.Context, registry string, fn func(*Policy) error) (Policy, error) {
	ps, ok := c.Store.(PolicyStore)
	if !ok {
		return Policy{}, fmt.Errorf("update credential policy: %w", errors.ErrUnsupported)
	}
	return ps.UpdatePolicy(ctx, registry, fn)
}

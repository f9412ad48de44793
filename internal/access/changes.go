package access

import (
	"context"
	"errors"
	"time"
)

// ChangeKind says what a ChangeRecord is about.
type ChangeKind string

// The kinds of ChangeRecord. Creating a scope map is not one: no token uses a new
// map, so nothing in memory can be stale.
const (
	// ChangeToken: a token was created, updated (passwords, status, scope
	// map) or deleted. Name is the token.
	ChangeToken ChangeKind = "token"
	// ChangeScopeMap: a scope map was edited, which bumps the generation
	// of every token using it, or deleted. Name is the scope map.
	ChangeScopeMap ChangeKind = "scope_map"
	// ChangeRegistry: a registry was created or updated. Name is "".
	ChangeRegistry ChangeKind = "registry"
	// ChangeRegistryDeleted: a registry was deleted with its scope maps
	// and tokens. Name is "".
	ChangeRegistryDeleted ChangeKind = "registry_deleted"
)

// ChangeRecord is one entry of a ChangeFeed. Registry and Name are
// lower-cased.
type ChangeRecord struct {
	Seq      int64
	Kind     ChangeKind
	Registry string
	Name     string
	At       time.Time
}

// ChangeFeed is a store's ordered record of the writes the data plane must
// learn of: every write of a token, of a scope map's actions or of a
// registry appends a ChangeRecord in the write's own transaction, so a change is
// in the feed exactly when it is committed. Every node follows the feed
// (Follower) to learn of the writes other nodes make to the same store
// (DESIGN, "Revocation within one second").
//
// It is an optional extra of a Store; a store that several nodes share must
// implement it. Seqs increase in commit order: a reader that has seen Seq n
// never later finds a committed change with a smaller one. Seqs are never
// reused, even after pruning.
type ChangeFeed interface {
	// Changes returns, in order, up to limit changes whose Seq is after
	// after, and the lowest Seq the feed still holds. When that is above
	// after+1, changes after after may have been pruned before the caller
	// saw them. With no change to return, oldest is 0: pruning keeps the
	// latest change, so none after after can have been pruned.
	Changes(ctx context.Context, after int64, limit int) (changes []ChangeRecord, oldest int64, err error)
	// LatestChange returns the highest Seq appended so far, 0 for none.
	LatestChange(ctx context.Context) (int64, error)
	// PruneChanges deletes the changes recorded before before, except the
	// latest, and says how many it deleted.
	PruneChanges(ctx context.Context, before time.Time) (int64, error)
}

// RegistriesChange tells the hooks of OnRegistriesChanged what changed.
type RegistriesChange struct {
	// Deleted is the lower-cased name of a deleted registry, or "" when
	// registries were created or updated.
	Deleted string
	// Remote is set for a change learnt from the ChangeFeed rather than
	// made through this Cache: a change of another node, or this node's own
	// seen again. The node that made it has already done whatever is done
	// once per change, such as deleting a deleted registry's content.
	Remote bool
	// All is set when changes were lost from the feed: anything may have
	// changed, and a hook should read again whatever it keeps.
	All bool
}

// stale is what a batch of changes makes stale in a Cache.
type stale struct {
	tokens   map[tokenKey]bool
	maps     map[tokenKey]bool // scope maps: {registry, map}
	deleted  []string          // registries, in order
	isDelete map[string]bool
	list     bool // the registry list
}

func staleOf(chs []ChangeRecord) stale {
	s := stale{tokens: map[tokenKey]bool{}, maps: map[tokenKey]bool{}, isDelete: map[string]bool{}}
	for _, ch := range chs {
		k := keyOf(ch.Registry, ch.Name)
		switch ch.Kind {
		case ChangeToken:
			s.tokens[k] = true
		case ChangeScopeMap:
			s.maps[k] = true
		case ChangeRegistryDeleted:
			if !s.isDelete[k.registry] {
				s.isDelete[k.registry] = true
				s.deleted = append(s.deleted, k.registry)
			}
			s.list = true
		default: // ChangeRegistry, and kinds of later versions: forget the list
			s.list = true
		}
	}
	return s
}

// apply drops what chs make stale, as the Cache does for changes made
// through it, then tells the hooks: of registries first, then of tokens,
// each token read from the store as it is now (nil once deleted). It
// returns the error of such a read; applying again is harmless.
func (c *Cache) apply(ctx context.Context, chs []ChangeRecord) error {
	s := staleOf(chs)
	c.mu.Lock()
	for k := range s.tokens {
		delete(c.tokens, k)
	}
	if len(s.maps) > 0 || len(s.isDelete) > 0 {
		for k, st := range c.tokens {
			if s.isDelete[k.registry] || s.maps[keyOf(k.registry, st.ScopeMap)] {
				delete(c.tokens, k)
			}
		}
	}
	if s.list {
		c.registries = nil
	}
	c.epoch++
	c.mu.Unlock()
	for _, name := range s.deleted {
		c.tellRegistries(ctx, RegistriesChange{Deleted: name, Remote: true})
	}
	if s.list && len(s.deleted) == 0 {
		c.tellRegistries(ctx, RegistriesChange{Remote: true})
	}
	return c.reread(ctx, s.tokens)
}

// reread tells the token hooks of each token in keys as the store holds it.
func (c *Cache) reread(ctx context.Context, keys map[tokenKey]bool) error {
	c.mu.RLock()
	n := len(c.tokenHooks)
	c.mu.RUnlock()
	if n == 0 {
		return nil
	}
	for k := range keys {
		t, err := c.Store.GetToken(ctx, k.registry, k.token)
		switch {
		case errors.Is(err, ErrNotFound):
			c.tokenChanged(ctx, k.registry, k.token, nil)
		case err != nil:
			return err
		default:
			c.tokenChanged(ctx, k.registry, k.token, &t)
		}
	}
	return nil
}

// reset drops everything the cache holds and tells the registry hooks that
// anything may have changed: for changes lost from the feed.
func (c *Cache) reset(ctx context.Context) {
	c.drop(func(tokenKey, TokenState) bool { return true }, true)
	c.tellRegistries(ctx, RegistriesChange{Remote: true, All: true})
}

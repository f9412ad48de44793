package access

import "context"

// Store keeps registries, scope maps and tokens durably. Implementations
// must make each method atomic: the Update methods run fn on the current
// value and write its result in one transaction, so concurrent updates of
// the same token never lose each other's changes (regenerating password1
// never loses password2).
//
// Names are matched case-insensitively. Missing objects yield an error
// wrapping ErrNotFound; duplicates ErrExists; a create over its limit
// ErrQuotaExceeded. The conformance suite in internal/store/storetest is
// the executable form of this contract.
type Store interface {
	// CreateRegistry adds r with its system scope maps.
	CreateRegistry(ctx context.Context, r Registry, maps []ScopeMap) error
	GetRegistry(ctx context.Context, name string) (Registry, error)
	// ListRegistries lists registries of group, or all when group is "",
	// ordered by creation time then name.
	ListRegistries(ctx context.Context, group string) ([]Registry, error)
	UpdateRegistry(ctx context.Context, name string, fn func(*Registry) error) (Registry, error)
	// DeleteRegistry removes the registry with its scope maps and tokens.
	DeleteRegistry(ctx context.Context, name string) error

	// CreateScopeMap adds m unless the registry already has limit
	// user-defined scope maps (system ones do not count). An existing name
	// is ErrExists even in a full registry, so a PUT of it is an update.
	CreateScopeMap(ctx context.Context, m ScopeMap, limit int) error
	GetScopeMap(ctx context.Context, registry, name string) (ScopeMap, error)
	ListScopeMaps(ctx context.Context, registry string, page Page) ([]ScopeMap, error)
	// UpdateScopeMap also bumps the Generation of every token using the map.
	UpdateScopeMap(ctx context.Context, registry, name string, fn func(*ScopeMap) error) (ScopeMap, error)
	// DeleteScopeMap refuses with *InUseError while tokens use the map.
	DeleteScopeMap(ctx context.Context, registry, name string) error

	// CreateToken adds t unless the registry already has limit tokens or
	// t.ScopeMap does not exist. An existing name is ErrExists even in a
	// full registry.
	CreateToken(ctx context.Context, t Token, limit int) error
	GetToken(ctx context.Context, registry, name string) (Token, error)
	ListTokens(ctx context.Context, registry string, page Page) ([]Token, error)
	// UpdateToken fails with ErrNotFound if fn sets a ScopeMap that does not exist.
	UpdateToken(ctx context.Context, registry, name string, fn func(*Token) error) (Token, error)
	DeleteToken(ctx context.Context, registry, name string) error
}

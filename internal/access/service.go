package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Service applies the rules of SPEC §1–3 and §6 on top of a Store. It is
// safe for concurrent use.
type Service struct {
	store   Store
	hashKey []byte
	log     *slog.Logger

	// Now and Rand are the clock and the randomness; tests replace them.
	Now  func() time.Time
	Rand io.Reader
	// Usage, when set before the Service is used, supplies the last use of
	// each password to GetToken and ListTokens.
	Usage *Usage
}

// New returns a Service over st. hashKey keys the password hashes; it must
// be the same on every node and at least 32 bytes.
func New(st Store, hashKey []byte, log *slog.Logger) (*Service, error) {
	if len(hashKey) < 32 {
		return nil, fmt.Errorf("new access service: hash key is %d bytes, want at least 32", len(hashKey))
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, hashKey: hashKey, log: log, Now: time.Now, Rand: rand.Reader}, nil
}

// now is truncated to the microsecond, the precision stores keep, so that
// what a create or update returns equals what a later read returns.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// SystemScopeMaps are created with every registry (SPEC §1).
var SystemScopeMaps = []struct{ Name, Description string }{
	{"_repositories_admin", "Can perform all read, write and delete operations on the registry"},
	{"_repositories_pull", "Can pull any repository of the registry"},
	{"_repositories_pull_metadata_read", "Can perform all read operations on the registry"},
	{"_repositories_push", "Can push to any repository of the registry"},
	{"_repositories_push_metadata_write", "Can perform all read and write operations on the registry"},
}

var systemActions = map[string][]string{
	"_repositories_admin":               {"content/delete", "content/read", "content/write", "metadata/read", "metadata/write"},
	"_repositories_pull":                {"content/read"},
	"_repositories_pull_metadata_read":  {"content/read", "metadata/read"},
	"_repositories_push":                {"content/read", "content/write"},
	"_repositories_push_metadata_write": {"content/read", "content/write", "metadata/read", "metadata/write"},
}

func systemMaps(registry string, now time.Time) []ScopeMap {
	maps := make([]ScopeMap, 0, len(SystemScopeMaps))
	for _, m := range SystemScopeMaps {
		var actions []string
		for _, a := range systemActions[m.Name] {
			actions = append(actions, "repositories/*/"+a)
		}
		maps = append(maps, ScopeMap{Registry: registry, Name: m.Name, Description: m.Description,
			Actions: actions, System: true, Created: now, Modified: now})
	}
	return maps
}

// registry loads a registry and checks that it belongs to group ("" = any).
func (s *Service) registry(ctx context.Context, group, name string) (Registry, error) {
	if err := ValidateRegistryName(name); err != nil {
		return Registry{}, err
	}
	r, err := s.store.GetRegistry(ctx, strings.ToLower(name))
	if errors.Is(err, ErrNotFound) || (err == nil && group != "" && !strings.EqualFold(r.ResourceGroup, group)) {
		if group == "" {
			return Registry{}, errorf(ErrNotFound, "The registry '%s' could not be found.", strings.ToLower(name))
		}
		return Registry{}, errorf(ErrNotFound, "The Resource 'Microsoft.ContainerRegistry/registries/%s' under resource group '%s' was not found.", strings.ToLower(name), group)
	}
	if err != nil {
		return Registry{}, fmt.Errorf("get registry %q: %w", name, err)
	}
	return r, nil
}

// PutRegistry creates the registry, or updates the SKU of an existing one
// of the same group. created tells which.
func (s *Service) PutRegistry(ctx context.Context, group, name, location string, sku SKU) (r Registry, created bool, err error) {
	if err := ValidateGroupName(group); err != nil {
		return Registry{}, false, err
	}
	if err := ValidateRegistryName(name); err != nil {
		return Registry{}, false, err
	}
	k, ok := ParseSKU(string(sku))
	if !ok {
		return Registry{}, false, errorf(ErrInvalid, "The SKU '%s' is not valid. Allowed values: Basic, Standard, Premium.", sku)
	}
	sku = k
	if location == "" {
		return Registry{}, false, errorf(ErrInvalid, "The registry needs a location.")
	}
	name = strings.ToLower(name)
	now := s.now()
	r = Registry{Name: name, ResourceGroup: group, Location: location, SKU: sku, Created: now, Modified: now}
	err = s.store.CreateRegistry(ctx, r, systemMaps(name, now))
	if err == nil {
		s.log.InfoContext(ctx, "registry created", "registry", name, "group", group, "sku", sku)
		return r, true, nil
	}
	if !errors.Is(err, ErrExists) {
		return Registry{}, false, fmt.Errorf("create registry %q: %w", name, err)
	}
	r, err = s.UpdateRegistry(ctx, group, name, &sku)
	if errors.Is(err, ErrNotFound) {
		return Registry{}, false, errorf(ErrExists, "The registry name '%s' is already in use.", name)
	}
	return r, false, err
}

// GetRegistry returns a registry of group ("" = any group).
func (s *Service) GetRegistry(ctx context.Context, group, name string) (Registry, error) {
	return s.registry(ctx, group, name)
}

// ListRegistries lists the registries of group, or all when group is "".
func (s *Service) ListRegistries(ctx context.Context, group string) ([]Registry, error) {
	rs, err := s.store.ListRegistries(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("list registries of group %q: %w", group, err)
	}
	return rs, nil
}

// UpdateRegistry changes a registry's SKU when sku is not nil.
func (s *Service) UpdateRegistry(ctx context.Context, group, name string, sku *SKU) (Registry, error) {
	if _, err := s.registry(ctx, group, name); err != nil {
		return Registry{}, err
	}
	if sku != nil {
		k, ok := ParseSKU(string(*sku))
		if !ok {
			return Registry{}, errorf(ErrInvalid, "The SKU '%s' is not valid. Allowed values: Basic, Standard, Premium.", *sku)
		}
		sku = &k
	}
	r, err := s.store.UpdateRegistry(ctx, strings.ToLower(name), func(r *Registry) error {
		if sku != nil {
			r.SKU = *sku
		}
		r.Modified = s.now()
		return nil
	})
	if err != nil {
		return Registry{}, fmt.Errorf("update registry %q: %w", name, err)
	}
	return r, nil
}

// DeleteRegistry deletes a registry with its scope maps and tokens.
func (s *Service) DeleteRegistry(ctx context.Context, group, name string) error {
	if _, err := s.registry(ctx, group, name); err != nil {
		return err
	}
	if err := s.store.DeleteRegistry(ctx, strings.ToLower(name)); err != nil {
		return fmt.Errorf("delete registry %q: %w", name, err)
	}
	s.log.InfoContext(ctx, "registry deleted", "registry", name)
	return nil
}

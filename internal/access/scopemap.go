package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/openacr/openacr/internal/scope"
)

// checkActions canonicalises a scope map's actions and applies the limits.
func checkActions(actions []string, limits Limits) ([]string, error) {
	if len(actions) == 0 {
		return nil, errorf(ErrInvalid, "A scope map needs at least one action, such as 'repositories/<repository>/content/read'.")
	}
	canon, err := scope.Canonical(actions)
	var se *scope.Error
	if errors.As(err, &se) {
		return nil, errorf(ErrInvalid, "Invalid action '%s': %s.", se.Action, se.Reason)
	}
	if err != nil {
		return nil, err
	}
	if len(canon) > limits.ActionsPerScopeMap {
		return nil, errorf(ErrQuotaExceeded, "A scope map may hold at most %d actions; got %d.", limits.ActionsPerScopeMap, len(canon))
	}
	return canon, nil
}

func (s *Service) scopeMapNotFound(name string) error {
	return errorf(ErrNotFound, "The resource %s could not be found.", name)
}

// PutScopeMap creates a user-defined scope map or replaces the actions and
// description of an existing one. description nil keeps the current one.
func (s *Service) PutScopeMap(ctx context.Context, group, registry, name string, description *string, actions []string) (m ScopeMap, created bool, err error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return ScopeMap{}, false, err
	}
	if err := ValidateScopeMapName(name); err != nil {
		return ScopeMap{}, false, err
	}
	if description != nil {
		if err := validateDescription(*description); err != nil {
			return ScopeMap{}, false, err
		}
	}
	canon, err := checkActions(actions, r.SKU.Limits())
	if err != nil {
		return ScopeMap{}, false, err
	}
	now := s.now()
	m = ScopeMap{Registry: r.Name, Name: name, Actions: canon, Created: now, Modified: now}
	if description != nil {
		m.Description = *description
	}
	if name[0] != '_' {
		err = s.store.CreateScopeMap(ctx, m, r.SKU.Limits().ScopeMaps)
		if err == nil {
			s.log.InfoContext(ctx, "scope map created", "registry", r.Name, "scope_map", name)
			return m, true, nil
		}
		if errors.Is(err, ErrQuotaExceeded) {
			return ScopeMap{}, false, errorf(ErrQuotaExceeded, "Registry '%s' (SKU %s) already has the maximum of %d scope maps.", r.Name, r.SKU, r.SKU.Limits().ScopeMaps)
		}
		if !errors.Is(err, ErrExists) {
			return ScopeMap{}, false, fmt.Errorf("create scope map %q in registry %q: %w", name, r.Name, err)
		}
	}
	m, err = s.UpdateScopeMap(ctx, group, registry, name, description, &actions)
	if errors.Is(err, ErrNotFound) && name[0] == '_' {
		return ScopeMap{}, false, errorf(ErrInvalidName, "Scope map names starting with '_' are reserved for system scope maps.")
	}
	return m, false, err
}

// GetScopeMap returns one scope map.
func (s *Service) GetScopeMap(ctx context.Context, group, registry, name string) (ScopeMap, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return ScopeMap{}, err
	}
	m, err := s.store.GetScopeMap(ctx, r.Name, name)
	if errors.Is(err, ErrNotFound) {
		return ScopeMap{}, s.scopeMapNotFound(name)
	}
	if err != nil {
		return ScopeMap{}, fmt.Errorf("get scope map %q of registry %q: %w", name, r.Name, err)
	}
	return m, nil
}

// ListScopeMaps returns one page of a registry's scope maps, system ones included.
func (s *Service) ListScopeMaps(ctx context.Context, group, registry string, page Page) ([]ScopeMap, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListScopeMaps(ctx, r.Name, page)
	if err != nil {
		return nil, fmt.Errorf("list scope maps of registry %q: %w", r.Name, err)
	}
	return ms, nil
}

// UpdateScopeMap changes the description and/or the actions (the full new
// list) of a user-defined scope map. Tokens using it see the change at once.
func (s *Service) UpdateScopeMap(ctx context.Context, group, registry, name string, description *string, actions *[]string) (ScopeMap, error) {
	r, err := s.registry(ctx, group, registry)
	if err != nil {
		return ScopeMap{}, err
	}
	if description != nil {
		if err := validateDescription(*description); err != nil {
			return ScopeMap{}, err
		}
	}
	var canon []string
	if actions != nil {
		if canon, err = checkActions(*actions, r.SKU.Limits()); err != nil {
			return ScopeMap{}, err
		}
	}
	m, err := s.store.UpdateScopeMap(ctx, r.Name, name, func(m *ScopeMap) error {
		if m.System {
			return errorf(ErrImmutable, "The scope map '%s' is SystemDefined and cannot be changed.", m.Name)
		}
		if description != nil {
			m.Description = *description
		}
		if actions != nil {
			m.Actions = canon
		}
		m.Modified = s.now()
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return ScopeMap{}, s.scopeMapNotFound(name)
	}
	var e *Error
	if errors.As(err, &e) {
		return ScopeMap{}, e
	}
	if err != nil {
		return ScopeMap{}, fmt.Errorf("update scope map %q of registry %q: %w", name, r.Name, err)
	}
	s.log.InfoContext(ctx, "scope map updated", "registry", r.Name, "scope_map", m.Name)
	return m, nil
}

// DeleteScopeMap deletes a user-defined scope map that no token uses.
func (s *Service) DeleteScopeMap(ctx context.Context, group, registry, name string) error {
	m, err := s.GetScopeMap(ctx, group, registry, name)
	if err != nil {
		return err
	}
	if m.System {
		return errorf(ErrImmutable, "The scope map '%s' is SystemDefined and cannot be deleted.", m.Name)
	}
	err = s.store.DeleteScopeMap(ctx, m.Registry, m.Name)
	var inUse *InUseError
	if errors.As(err, &inUse) {
		return inUse
	}
	if errors.Is(err, ErrNotFound) {
		return s.scopeMapNotFound(name)
	}
	if err != nil {
		return fmt.Errorf("delete scope map %q of registry %q: %w", name, m.Registry, err)
	}
	s.log.InfoContext(ctx, "scope map deleted", "registry", m.Registry, "scope_map", m.Name)
	return nil
}

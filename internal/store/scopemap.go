package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openacr/openacr/internal/access"
)

func (st *Store) insertScopeMap(ctx context.Context, tx *sql.Tx, m access.ScopeMap) error {
	actions, err := encodeActions(m.Actions)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, st.q(`INSERT INTO scope_maps
		(registry_key, name_key, name, description, actions, system, created_us, modified_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		key(m.Registry), key(m.Name), m.Name, m.Description, actions, m.System, micros(m.Created), micros(m.Modified))
	switch {
	case st.dialect.isUnique(err):
		return access.ErrExists
	case st.dialect.isForeignKey(err):
		return fmt.Errorf("registry %q: %w", m.Registry, access.ErrNotFound)
	}
	return err
}

// CreateScopeMap adds m unless the registry already has limit user-defined
// scope maps (system ones do not count: a Basic registry holds 100 maps of
// its owner's). A duplicate name is reported as ErrExists even when the
// registry is full, so that a PUT of an existing map is an update.
func (st *Store) CreateScopeMap(ctx context.Context, m access.ScopeMap, limit int) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		if err := st.registryExists(ctx, tx, m.Registry); err != nil {
			return err
		}
		dup, err := st.exists(ctx, tx, `SELECT 1 FROM scope_maps WHERE registry_key = ? AND name_key = ?`,
			key(m.Registry), key(m.Name))
		if err != nil {
			return err
		}
		if dup {
			return access.ErrExists
		}
		var n int
		err = tx.QueryRowContext(ctx, st.q(`SELECT COUNT(*) FROM scope_maps WHERE registry_key = ? AND system = ?`),
			key(m.Registry), false).Scan(&n)
		if err != nil {
			return err
		}
		if n >= limit {
			return fmt.Errorf("registry %q has %d scope maps, the limit: %w", m.Registry, n, access.ErrQuotaExceeded)
		}
		return st.insertScopeMap(ctx, tx, m)
	})
	if err != nil {
		return fmt.Errorf("create scope map %q in registry %q: %w", m.Name, m.Registry, err)
	}
	return nil
}

// GetScopeMap returns one scope map.
func (st *Store) GetScopeMap(ctx context.Context, registry, name string) (access.ScopeMap, error) {
	m, err := st.getScopeMap(ctx, st.db, registry, name)
	if err != nil {
		return access.ScopeMap{}, fmt.Errorf("get scope map %q of registry %q: %w", name, registry, err)
	}
	return m, nil
}

func (st *Store) getScopeMap(ctx context.Context, db querier, registry, name string) (access.ScopeMap, error) {
	m, err := scanScopeMap(db.QueryRowContext(ctx,
		st.q(`SELECT `+scopeMapColumns+` FROM scope_maps WHERE registry_key = ? AND name_key = ?`),
		key(registry), key(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return access.ScopeMap{}, access.ErrNotFound
	}
	return m, err
}

// ListScopeMaps returns one page of a registry's scope maps by lower-cased
// name, or ErrNotFound if the registry does not exist.
func (st *Store) ListScopeMaps(ctx context.Context, registry string, page access.Page) ([]access.ScopeMap, error) {
	var ms []access.ScopeMap
	err := st.list(ctx, `SELECT `+scopeMapColumns+` FROM scope_maps`, registry, page, func(s scanner) error {
		m, err := scanScopeMap(s)
		if err != nil {
			return err
		}
		ms = append(ms, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list scope maps of registry %q: %w", registry, err)
	}
	return ms, nil
}

// list runs a keyset-paged query of one registry's rows (selectFrom names
// the columns and the table) and scans each row with scan.
func (st *Store) list(ctx context.Context, selectFrom, registry string, page access.Page, scan func(scanner) error) error {
	query := selectFrom + ` WHERE registry_key = ? AND name_key > ? ORDER BY name_key`
	args := []any{key(registry), key(page.After)}
	if page.Limit > 0 {
		query, args = query+` LIMIT ?`, append(args, page.Limit)
	}
	rows, err := st.db.QueryContext(ctx, st.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for ; rows.Next(); n++ {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 {
		// Only an empty page needs to tell an empty registry from a missing one.
		return st.registryExists(ctx, st.db, registry)
	}
	return nil
}

// UpdateScopeMap runs fn on the scope map and stores the result, bumping
// the generation of every token that uses the map, in one transaction.
// fn's error is returned unchanged; fn may not rename.
func (st *Store) UpdateScopeMap(ctx context.Context, registry, name string, fn func(*access.ScopeMap) error) (access.ScopeMap, error) {
	var m access.ScopeMap
	var fnErr error
	err := st.write(ctx, func(tx *sql.Tx) error {
		old, err := st.getScopeMap(ctx, tx, registry, name)
		if err != nil {
			return err
		}
		m = old
		if fnErr = fn(&m); fnErr != nil {
			return fnErr
		}
		if m.Name != old.Name || m.Registry != old.Registry {
			return fmt.Errorf("rename to %q of registry %q: %w", m.Name, m.Registry, access.ErrInvalid)
		}
		actions, err := encodeActions(m.Actions)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, st.q(`UPDATE scope_maps
			SET description = ?, actions = ?, system = ?, created_us = ?, modified_us = ?
			WHERE registry_key = ? AND name_key = ?`),
			m.Description, actions, m.System, micros(m.Created), micros(m.Modified), key(registry), key(name))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, st.q(`UPDATE tokens SET generation = generation + 1
			WHERE registry_key = ? AND scope_map_key = ?`), key(registry), key(name))
		if err != nil {
			return err
		}
		if err := st.appendChange(ctx, tx, access.ChangeScopeMap, registry, name); err != nil {
			return err
		}
		m, err = st.getScopeMap(ctx, tx, registry, name)
		return err
	})
	if fnErr != nil {
		return access.ScopeMap{}, fnErr
	}
	if err != nil {
		return access.ScopeMap{}, fmt.Errorf("update scope map %q of registry %q: %w", name, registry, err)
	}
	return m, nil
}

// DeleteScopeMap deletes a scope map, or refuses with *access.InUseError
// naming (in name order) the tokens that use it.
func (st *Store) DeleteScopeMap(ctx context.Context, registry, name string) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		m, err := st.getScopeMap(ctx, tx, registry, name)
		if err != nil {
			return err
		}
		users, err := st.tokensUsing(ctx, tx, registry, name)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return &access.InUseError{ScopeMap: m.Name, Tokens: users}
		}
		res, err := tx.ExecContext(ctx, st.q(`DELETE FROM scope_maps WHERE registry_key = ? AND name_key = ?`),
			key(registry), key(name))
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return st.appendChange(ctx, tx, access.ChangeScopeMap, registry, name)
	})
	if err != nil {
		return fmt.Errorf("delete scope map %q of registry %q: %w", name, registry, err)
	}
	return nil
}

func (st *Store) tokensUsing(ctx context.Context, tx *sql.Tx, registry, scopeMap string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, st.q(`SELECT name FROM tokens
		WHERE registry_key = ? AND scope_map_key = ? ORDER BY name_key`), key(registry), key(scopeMap))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openacr/openacr/internal/access"
)

// CreateRegistry adds r with its system scope maps in one transaction.
func (st *Store) CreateRegistry(ctx context.Context, r access.Registry, maps []access.ScopeMap) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, st.q(`INSERT INTO registries
			(name_key, name, group_key, resource_group, location, sku, created_us, modified_us)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			key(r.Name), r.Name, key(r.ResourceGroup), r.ResourceGroup, r.Location, string(r.SKU),
			micros(r.Created), micros(r.Modified))
		if st.dialect.isUnique(err) {
			return access.ErrExists
		}
		if err != nil {
			return err
		}
		for _, m := range maps {
			m.Registry = r.Name
			if err := st.insertScopeMap(ctx, tx, m); err != nil {
				return fmt.Errorf("scope map %q: %w", m.Name, err)
			}
		}
		return st.appendChange(ctx, tx, access.ChangeRegistry, r.Name, "")
	})
	if err != nil {
		return fmt.Errorf("create registry %q: %w", r.Name, err)
	}
	return nil
}

// GetRegistry returns one registry.
func (st *Store) GetRegistry(ctx context.Context, name string) (access.Registry, error) {
	r, err := st.getRegistry(ctx, st.db, name)
	if err != nil {
		return access.Registry{}, fmt.Errorf("get registry %q: %w", name, err)
	}
	return r, nil
}

func (st *Store) getRegistry(ctx context.Context, db querier, name string) (access.Registry, error) {
	r, err := scanRegistry(db.QueryRowContext(ctx,
		st.q(`SELECT `+registryColumns+` FROM registries WHERE name_key = ?`), key(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return access.Registry{}, access.ErrNotFound
	}
	return r, err
}

// registryExists reports ErrNotFound for a missing registry.
func (st *Store) registryExists(ctx context.Context, db querier, name string) error {
	ok, err := st.exists(ctx, db, `SELECT 1 FROM registries WHERE name_key = ?`, key(name))
	if err == nil && !ok {
		return fmt.Errorf("registry %q: %w", name, access.ErrNotFound)
	}
	return err
}

// ListRegistries lists the registries of group (matched case-insensitively),
// or all when group is "", by creation time then name.
func (st *Store) ListRegistries(ctx context.Context, group string) ([]access.Registry, error) {
	query, args := `SELECT `+registryColumns+` FROM registries`, []any{}
	if group != "" {
		query, args = query+` WHERE group_key = ?`, append(args, key(group))
	}
	rows, err := st.db.QueryContext(ctx, st.q(query+` ORDER BY created_us, name_key`), args...)
	if err != nil {
		return nil, fmt.Errorf("list registries of group %q: %w", group, err)
	}
	defer rows.Close()
	var rs []access.Registry
	for rows.Next() {
		r, err := scanRegistry(rows)
		if err != nil {
			return nil, fmt.Errorf("list registries of group %q: %w", group, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list registries of group %q: %w", group, err)
	}
	return rs, nil
}

// UpdateRegistry runs fn on the registry and stores the result in one
// transaction. fn's error is returned unchanged; fn may not rename.
func (st *Store) UpdateRegistry(ctx context.Context, name string, fn func(*access.Registry) error) (access.Registry, error) {
	var r access.Registry
	var fnErr error
	err := st.write(ctx, func(tx *sql.Tx) error {
		old, err := st.getRegistry(ctx, tx, name)
		if err != nil {
			return err
		}
		r = old
		if fnErr = fn(&r); fnErr != nil {
			return fnErr
		}
		if r.Name != old.Name {
			return fmt.Errorf("rename to %q: %w", r.Name, access.ErrInvalid)
		}
		_, err = tx.ExecContext(ctx, st.q(`UPDATE registries
			SET group_key = ?, resource_group = ?, location = ?, sku = ?, created_us = ?, modified_us = ?
			WHERE name_key = ?`),
			key(r.ResourceGroup), r.ResourceGroup, r.Location, string(r.SKU), micros(r.Created), micros(r.Modified),
			key(name))
		if err != nil {
			return err
		}
		if err := st.appendChange(ctx, tx, access.ChangeRegistry, name, ""); err != nil {
			return err
		}
		r, err = st.getRegistry(ctx, tx, name)
		return err
	})
	if fnErr != nil {
		return access.Registry{}, fnErr
	}
	if err != nil {
		return access.Registry{}, fmt.Errorf("update registry %q: %w", name, err)
	}
	return r, nil
}

// DeleteRegistry removes the registry with its scope maps and tokens.
func (st *Store) DeleteRegistry(ctx context.Context, name string) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		// Children first, explicitly: the ON DELETE CASCADE in the schema
		// is a backstop, and this order satisfies the foreign keys on any
		// database whatever it checks when.
		for _, query := range []string{
			`DELETE FROM tokens WHERE registry_key = ?`,
			`DELETE FROM scope_maps WHERE registry_key = ?`,
		} {
			if _, err := tx.ExecContext(ctx, st.q(query), key(name)); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, st.q(`DELETE FROM registries WHERE name_key = ?`), key(name))
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return st.appendChange(ctx, tx, access.ChangeRegistryDeleted, name, "")
	})
	if err != nil {
		return fmt.Errorf("delete registry %q: %w", name, err)
	}
	return nil
}

// mustAffect turns a statement that changed no row into ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return access.ErrNotFound
	}
	return err
}

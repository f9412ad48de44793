package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openacr/openacr/internal/access"
)

// selectToken is the authentication hot path: one primary-key lookup.
const selectToken = `SELECT ` + tokenColumns + ` FROM tokens WHERE registry_key = ? AND name_key = ?`

// scopeMapName resolves a token's scope map in registry to the map's own
// spelling, or ErrNotFound.
func (st *Store) scopeMapName(ctx context.Context, tx *sql.Tx, registry, scopeMap string) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, st.q(`SELECT name FROM scope_maps WHERE registry_key = ? AND name_key = ?`),
		key(registry), key(scopeMap)).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("scope map %q of registry %q: %w", scopeMap, registry, access.ErrNotFound)
	}
	return name, err
}

// CreateToken adds t unless the registry already has limit tokens or
// t.ScopeMap does not exist in it. A duplicate name is reported as
// ErrExists even when the registry is full.
func (st *Store) CreateToken(ctx context.Context, t access.Token, limit int) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		if err := st.registryExists(ctx, tx, t.Registry); err != nil {
			return err
		}
		dup, err := st.exists(ctx, tx, `SELECT 1 FROM tokens WHERE registry_key = ? AND name_key = ?`,
			key(t.Registry), key(t.Name))
		if err != nil {
			return err
		}
		if dup {
			return access.ErrExists
		}
		var n int
		err = tx.QueryRowContext(ctx, st.q(`SELECT COUNT(*) FROM tokens WHERE registry_key = ?`), key(t.Registry)).Scan(&n)
		if err != nil {
			return err
		}
		if n >= limit {
			return fmt.Errorf("registry %q has %d tokens, the limit: %w", t.Registry, n, access.ErrQuotaExceeded)
		}
		if t.ScopeMap, err = st.scopeMapName(ctx, tx, t.Registry, t.ScopeMap); err != nil {
			return err
		}
		pw, err := passwordArgs(t.Passwords)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, st.q(`INSERT INTO tokens (`+tokenColumns+`, name_key, scope_map_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			append(append([]any{key(t.Registry), t.Name, t.ScopeMap, string(t.Status), t.Generation,
				micros(t.Created), micros(t.Modified)}, pw...), key(t.Name), key(t.ScopeMap))...)
		if st.dialect.isUnique(err) {
			return access.ErrExists
		}
		if err != nil {
			return err
		}
		return st.appendChange(ctx, tx, access.ChangeToken, t.Registry, t.Name)
	})
	if err != nil {
		return fmt.Errorf("create token %q in registry %q: %w", t.Name, t.Registry, err)
	}
	return nil
}

// GetToken returns one token with its passwords' hashes.
func (st *Store) GetToken(ctx context.Context, registry, name string) (access.Token, error) {
	t, err := scanToken(st.getToken.QueryRowContext(ctx, key(registry), key(name)))
	if errors.Is(err, sql.ErrNoRows) {
		err = access.ErrNotFound
	}
	if err != nil {
		return access.Token{}, fmt.Errorf("get token %q of registry %q: %w", name, registry, err)
	}
	return t, nil
}

func (st *Store) getTokenTx(ctx context.Context, tx *sql.Tx, registry, name string) (access.Token, error) {
	t, err := scanToken(tx.QueryRowContext(ctx, st.q(selectToken), key(registry), key(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return access.Token{}, access.ErrNotFound
	}
	return t, err
}

// ListTokens returns one page of a registry's tokens by lower-cased name,
// or ErrNotFound if the registry does not exist.
func (st *Store) ListTokens(ctx context.Context, registry string, page access.Page) ([]access.Token, error) {
	var ts []access.Token
	err := st.list(ctx, `SELECT `+tokenColumns+` FROM tokens`, registry, page, func(s scanner) error {
		t, err := scanToken(s)
		if err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens of registry %q: %w", registry, err)
	}
	return ts, nil
}

// UpdateToken runs fn on the token and stores the result in one
// transaction, so concurrent updates never lose each other's changes. fn's
// error is returned unchanged; fn may not rename, and a ScopeMap it sets
// must exist (ErrNotFound otherwise).
func (st *Store) UpdateToken(ctx context.Context, registry, name string, fn func(*access.Token) error) (access.Token, error) {
	var t access.Token
	var fnErr error
	err := st.write(ctx, func(tx *sql.Tx) error {
		old, err := st.getTokenTx(ctx, tx, registry, name)
		if err != nil {
			return err
		}
		t = old
		t.Passwords = append([]access.Password(nil), old.Passwords...)
		if fnErr = fn(&t); fnErr != nil {
			return fnErr
		}
		if t.Name != old.Name || t.Registry != old.Registry {
			return fmt.Errorf("rename to %q of registry %q: %w", t.Name, t.Registry, access.ErrInvalid)
		}
		if t.ScopeMap, err = st.scopeMapName(ctx, tx, registry, t.ScopeMap); err != nil {
			return err
		}
		pw, err := passwordArgs(t.Passwords)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, st.q(`UPDATE tokens
			SET scope_map_key = ?, scope_map = ?, status = ?, generation = ?, created_us = ?, modified_us = ?,
			    password1_hash = ?, password1_created_us = ?, password1_expiry_us = ?,
			    password2_hash = ?, password2_created_us = ?, password2_expiry_us = ?
			WHERE registry_key = ? AND name_key = ?`),
			append(append([]any{key(t.ScopeMap), t.ScopeMap, string(t.Status), t.Generation,
				micros(t.Created), micros(t.Modified)}, pw...), key(registry), key(name))...)
		if err != nil {
			return err
		}
		if err := st.appendChange(ctx, tx, access.ChangeToken, registry, name); err != nil {
			return err
		}
		t, err = st.getTokenTx(ctx, tx, registry, name)
		return err
	})
	if fnErr != nil {
		return access.Token{}, fnErr
	}
	if err != nil {
		return access.Token{}, fmt.Errorf("update token %q of registry %q: %w", name, registry, err)
	}
	return t, nil
}

// DeleteToken deletes a token with its passwords.
func (st *Store) DeleteToken(ctx context.Context, registry, name string) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, st.q(`DELETE FROM tokens WHERE registry_key = ? AND name_key = ?`),
			key(registry), key(name))
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return st.appendChange(ctx, tx, access.ChangeToken, registry, name)
	})
	if err != nil {
		return fmt.Errorf("delete token %q of registry %q: %w", name, registry, err)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/openacr/openacr/internal/access"
)

var _ access.UsageStore = (*Store)(nil)

// recordUse upserts one use: only for a password that exists with that
// creation time (the SELECT from tokens), and only over an older use of the
// same password or any use of an earlier one (the DO UPDATE's WHERE).
const recordUse = `INSERT INTO password_uses (registry_key, token_key, slot, password_created_us, used_us, address)
	SELECT registry_key, name_key, ?, ?, ?, ? FROM tokens
	WHERE registry_key = ? AND name_key = ?
	  AND (CASE ? WHEN 'password1' THEN password1_created_us ELSE password2_created_us END) = ?
	ON CONFLICT (registry_key, token_key, slot) DO UPDATE
	SET password_created_us = excluded.password_created_us, used_us = excluded.used_us, address = excluded.address
	WHERE excluded.password_created_us <> password_uses.password_created_us OR excluded.used_us > password_uses.used_us`

// RecordUses stores the last use of each password in uses, in one
// transaction.
func (st *Store) RecordUses(ctx context.Context, uses []access.PasswordUse) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, st.q(recordUse))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range uses {
			if u.Password != access.Password1 && u.Password != access.Password2 {
				return fmt.Errorf("password slot %q: %w", u.Password, access.ErrInvalid)
			}
			created := micros(u.PasswordCreated)
			_, err := stmt.ExecContext(ctx, u.Password, created, micros(u.Time), u.Address,
				key(u.Registry), key(u.Token), u.Password, created)
			if err != nil {
				return fmt.Errorf("%s of token %q: %w", u.Password, u.Token, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record password uses: %w", err)
	}
	return nil
}

// LastUses returns the recorded last uses of the passwords of tokens of
// registry; Token is the lower-cased name.
func (st *Store) LastUses(ctx context.Context, registry string, tokens []string) ([]access.PasswordUse, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(tokens)+1)
	args = append(args, key(registry))
	for _, t := range tokens {
		args = append(args, key(t))
	}
	rows, err := st.db.QueryContext(ctx, st.q(`SELECT token_key, slot, password_created_us, used_us, address
		FROM password_uses WHERE registry_key = ? AND token_key IN (?`+strings.Repeat(", ?", len(tokens)-1)+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("read password uses of registry %q: %w", registry, err)
	}
	defer rows.Close()
	var uses []access.PasswordUse
	for rows.Next() {
		u := access.PasswordUse{Registry: key(registry)}
		var created, used int64
		if err := rows.Scan(&u.Token, &u.Password, &created, &used, &u.Address); err != nil {
			return nil, fmt.Errorf("read password uses of registry %q: %w", registry, err)
		}
		u.PasswordCreated, u.Time = fromMicros(created), fromMicros(used)
		uses = append(uses, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read password uses of registry %q: %w", registry, err)
	}
	return uses, nil
}

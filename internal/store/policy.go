package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openacr/openacr/internal/access"
)

var _ access.PolicyStore = (*Store)(nil)

const policyColumns = `registry_key, max_password_lifetime_days, require_expiry, require_change_reference, require_policy_token, modified_us`

func scanPolicy(s scanner) (access.Policy, error) {
	var p access.Policy
	var modified int64
	if err := s.Scan(&p.Registry, &p.MaxPasswordLifetimeDays, &p.RequireExpiry, &p.RequireChangeReference,
		&p.RequirePolicyToken, &modified); err != nil {
		return access.Policy{}, err
	}
	p.Modified = fromMicros(modified)
	return p, nil
}

// GetPolicy returns the credential policy of a registry, ErrNotFound when
// it has none.
func (st *Store) GetPolicy(ctx context.Context, registry string) (access.Policy, error) {
	p, err := st.getPolicy(ctx, st.db, registry)
	if err != nil {
		return access.Policy{}, fmt.Errorf("get credential policy of registry %q: %w", registry, err)
	}
	return p, nil
}

func (st *Store) getPolicy(ctx context.Context, db querier, registry string) (access.Policy, error) {
	p, err := scanPolicy(db.QueryRowContext(ctx,
		st.q(`SELECT `+policyColumns+` FROM credential_policies WHERE registry_key = ?`), key(registry)))
	if errors.Is(err, sql.ErrNoRows) {
		return access.Policy{}, access.ErrNotFound
	}
	return p, err
}

// UpdatePolicy runs fn on the registry's policy (the zero one when it has
// none) and writes the result, in one transaction.
func (st *Store) UpdatePolicy(ctx context.Context, registry string, fn func(*access.Policy) error) (access.Policy, error) {
	var p access.Policy
	err := st.write(ctx, func(tx *sql.Tx) error {
		if err := st.registryExists(ctx, tx, registry); err != nil {
			return err
		}
		var err error
		p, err = st.getPolicy(ctx, tx, registry)
		if errors.Is(err, access.ErrNotFound) {
			p, err = access.Policy{Registry: key(registry)}, nil
		}
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, st.q(`INSERT INTO credential_policies (`+policyColumns+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (registry_key) DO UPDATE SET
				max_password_lifetime_days = excluded.max_password_lifetime_days,
				require_expiry = excluded.require_expiry,
				require_change_reference = excluded.require_change_reference,
				require_policy_token = excluded.require_policy_token,
				modified_us = excluded.modified_us`),
			key(registry), p.MaxPasswordLifetimeDays, p.RequireExpiry, p.RequireChangeReference, p.RequirePolicyToken,
			micros(p.Modified))
		return err
	})
	if err != nil {
		return access.Policy{}, fmt.Errorf("update credential policy of registry %q: %w", registry, err)
	}
	return p, nil
}

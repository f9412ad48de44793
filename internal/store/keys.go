package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openacr/openacr/internal/signing"
)

var _ signing.KeyStore = (*Store)(nil)

// SigningKeys returns every stored signing key, oldest first.
func (st *Store) SigningKeys(ctx context.Context) ([]signing.StoredKey, error) {
	rows, err := st.db.QueryContext(ctx, st.q(`SELECT kid, sealed, created_us FROM signing_keys ORDER BY created_us, kid`))
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	var keys []signing.StoredKey
	for rows.Next() {
		var k signing.StoredKey
		var created int64
		if err := rows.Scan(&k.ID, &k.Sealed, &created); err != nil {
			return nil, fmt.Errorf("list signing keys: %w", err)
		}
		k.Created = fromMicros(created)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return keys, nil
}

// AddSigningKey stores a new signing key.
func (st *Store) AddSigningKey(ctx context.Context, k signing.StoredKey) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, st.q(`INSERT INTO signing_keys (kid, sealed, created_us) VALUES (?, ?, ?)`),
			k.ID, k.Sealed, micros(k.Created))
		return err
	})
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", k.ID, err)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/openacr/openacr/internal/access"
)

// bulkRows is how many tokens one INSERT statement of CreateTokens carries:
// 15 parameters each stays well under SQLite's limit of 32,766, and one
// statement per few hundred rows, not one per row, is most of the speed.
const bulkRows = 500

// CreateTokens adds many tokens of one registry in one transaction: the
// bulk path for loading tokens that were not made through the Service (the
// benchmark's million-token registry, an import). Unlike CreateToken it
// applies no SKU limit: the caller decides how many tokens a registry holds.
// The registry and every scope map named must exist (ErrNotFound), and a
// name that already exists fails the whole call with ErrExists. Nothing is
// appended to the change feed: a running server's cache does not see the new
// tokens until it looks them up, and since it holds no negative entries,
// that is the next lookup.
func (st *Store) CreateTokens(ctx context.Context, registry string, ts []access.Token) error {
	err := st.write(ctx, func(tx *sql.Tx) error {
		if err := st.registryExists(ctx, tx, registry); err != nil {
			return err
		}
		maps := map[string]string{} // lower-cased name → the map's own spelling
		args := make([]any, 0, bulkRows*15)
		for i := 0; i < len(ts); i += bulkRows {
			args = args[:0]
			batch := ts[i:min(i+bulkRows, len(ts))]
			for _, t := range batch {
				row, err := st.bulkRow(ctx, tx, registry, t, maps)
				if err != nil {
					return err
				}
				args = append(args, row...)
			}
			query := `INSERT INTO tokens (` + tokenColumns + `, name_key, scope_map_key) VALUES ` +
				strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), `, len(batch)-1) +
				`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			_, err := tx.ExecContext(ctx, st.q(query), args...)
			if st.dialect.isUnique(err) {
				return access.ErrExists
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create %d tokens in registry %q: %w", len(ts), registry, err)
	}
	return nil
}

// bulkRow is the column values of one token for CreateTokens, in the order
// of its INSERT; maps caches the scope maps already resolved.
func (st *Store) bulkRow(ctx context.Context, tx *sql.Tx, registry string, t access.Token, maps map[string]string) ([]any, error) {
	if !strings.EqualFold(t.Registry, registry) {
		return nil, fmt.Errorf("token %q is of registry %q: %w", t.Name, t.Registry, access.ErrInvalid)
	}
	name, ok := maps[key(t.ScopeMap)]
	if !ok {
		var err error
		if name, err = st.scopeMapName(ctx, tx, registry, t.ScopeMap); err != nil {
			return nil, err
		}
		maps[key(t.ScopeMap)] = name
	}
	pw, err := passwordArgs(t.Passwords)
	if err != nil {
		return nil, fmt.Errorf("token %q: %w", t.Name, err)
	}
	row := []any{key(registry), t.Name, name, string(t.Status), t.Generation, micros(t.Created), micros(t.Modified)}
	return append(append(row, pw...), key(t.Name), key(name)), nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/openacr/openacr/internal/access"
)

var _ access.ChangeFeed = (*Store)(nil)

// appendChange records a change in the feed, inside the transaction of the
// write it is about, so that it is in the feed exactly when the write is
// committed. name is the token or scope map ("" for a registry).
func (st *Store) appendChange(ctx context.Context, tx *sql.Tx, kind access.ChangeKind, registry, name string) error {
	_, err := tx.ExecContext(ctx, st.q(`INSERT INTO changes (kind, registry_key, name_key, at_us) VALUES (?, ?, ?, ?)`),
		string(kind), key(registry), key(name), micros(time.Now()))
	if err != nil {
		return fmt.Errorf("record %s change: %w", kind, err)
	}
	return nil
}

// Changes returns up to limit changes after the Seq after, in order, and
// the lowest Seq the feed holds, in one statement (one snapshot): an idle
// poll is one range read of the primary key.
func (st *Store) Changes(ctx context.Context, after int64, limit int) ([]access.ChangeRecord, int64, error) {
	rows, err := st.db.QueryContext(ctx, st.q(`SELECT seq, kind, registry_key, name_key, at_us,
		(SELECT MIN(seq) FROM changes) FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read changes after %d: %w", after, err)
	}
	defer rows.Close()
	var out []access.ChangeRecord
	var oldest int64
	for rows.Next() {
		var c access.ChangeRecord
		var at int64
		if err := rows.Scan(&c.Seq, &c.Kind, &c.Registry, &c.Name, &at, &oldest); err != nil {
			return nil, 0, fmt.Errorf("read changes after %d: %w", after, err)
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read changes after %d: %w", after, err)
	}
	return out, oldest, nil
}

// LatestChange returns the highest Seq in the feed; pruning keeps it.
func (st *Store) LatestChange(ctx context.Context) (int64, error) {
	var seq int64
	if err := st.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read the latest change: %w", err)
	}
	return seq, nil
}

// PruneChanges deletes the changes recorded before before, except the
// latest, a batch per transaction.
func (st *Store) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := st.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, st.q(`DELETE FROM changes WHERE seq IN
				(SELECT seq FROM changes WHERE at_us < ? AND seq < (SELECT MAX(seq) FROM changes) ORDER BY seq LIMIT ?)`),
				micros(before), pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune changes before %s: %w", before.Format(time.RFC3339), err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/openacr/openacr/internal/access"
)

var _ access.AuditStore = (*Store)(nil)

const auditColumns = `id, time_us, registry_key, actor, operation, target, token, password, repository, action,
	change_reference, result, reason, client_address, count`

// AppendAudit adds entries in one transaction, in order, and sets their
// IDs, which follow every earlier entry's. A Count below 1 is stored as 1.
// In the same transaction it adds repeats[id] to the count of the entry
// with that ID; one that was pruned meanwhile is skipped.
func (st *Store) AppendAudit(ctx context.Context, entries []access.AuditEntry, repeats map[int64]int) error {
	if len(entries) == 0 && len(repeats) == 0 {
		return nil
	}
	err := st.write(ctx, func(tx *sql.Tx) error {
		if err := st.insertAudit(ctx, tx, entries); err != nil {
			return err
		}
		return st.addAuditCounts(ctx, tx, repeats)
	})
	if err != nil {
		return fmt.Errorf("append %d audit entries and %d repeats: %w", len(entries), len(repeats), err)
	}
	return nil
}

func (st *Store) insertAudit(ctx context.Context, tx *sql.Tx, entries []access.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, st.q(`INSERT INTO audit_log (time_us, registry_key, actor, operation, target,
		token, token_key, password, repository, action, change_reference, result, reason, client_address, count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range entries {
		e := &entries[i]
		res, err := stmt.ExecContext(ctx, micros(e.Time), key(e.Registry), e.Actor, e.Operation, e.Target,
			e.Token, key(e.Token), e.Password, e.Repository, e.Action, e.ChangeReference, e.Result, e.Reason,
			e.ClientAddress, max(e.Count, 1))
		if err != nil {
			return err
		}
		// The rowid SQLite gave the row: cheaper than RETURNING id, which
		// a PostgreSQL dialect would need.
		if e.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

func (st *Store) addAuditCounts(ctx context.Context, tx *sql.Tx, repeats map[int64]int) error {
	if len(repeats) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, st.q(`UPDATE audit_log SET count = count + ? WHERE id = ?`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for id, more := range repeats {
		if _, err := stmt.ExecContext(ctx, more, id); err != nil {
			return err
		}
	}
	return nil
}

// ListAudit returns the entries of one registry that q selects, newest
// first.
func (st *Store) ListAudit(ctx context.Context, q access.AuditQuery) ([]access.AuditEntry, error) {
	where, args := []string{"registry_key = ?"}, []any{key(q.Registry)}
	if q.Token != "" {
		where, args = append(where, "token_key = ?"), append(args, key(q.Token))
	}
	if !q.Since.IsZero() {
		where, args = append(where, "time_us >= ?"), append(args, micros(q.Since))
	}
	if q.Result != "" {
		where, args = append(where, "result = ?"), append(args, q.Result)
	}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id DESC`
	if q.Limit > 0 {
		query, args = query+` LIMIT ?`, append(args, q.Limit)
	}
	rows, err := st.db.QueryContext(ctx, st.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list audit log of registry %q: %w", q.Registry, err)
	}
	defer rows.Close()
	var out []access.AuditEntry
	for rows.Next() {
		var e access.AuditEntry
		var us int64
		if err := rows.Scan(&e.ID, &us, &e.Registry, &e.Actor, &e.Operation, &e.Target, &e.Token, &e.Password,
			&e.Repository, &e.Action, &e.ChangeReference, &e.Result, &e.Reason, &e.ClientAddress, &e.Count); err != nil {
			return nil, fmt.Errorf("list audit log of registry %q: %w", q.Registry, err)
		}
		e.Time = fromMicros(us)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit log of registry %q: %w", q.Registry, err)
	}
	return out, nil
}

// pruneBatch is how many entries one pruning transaction deletes, so that
// a large backlog does not hold the write lock for long.
const pruneBatch = 10000

// PruneAudit deletes the entries older than before, a batch per
// transaction.
func (st *Store) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := st.write(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, st.q(`DELETE FROM audit_log WHERE id IN
				(SELECT id FROM audit_log WHERE time_us < ? ORDER BY time_us LIMIT ?)`), micros(before), pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune audit log before %s: %w", before.Format(time.RFC3339), err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/openacr/openacr/internal/access"
)

var _ access.Store = (*Store)(nil)

// maxIdleConns is how many idle database connections the store keeps.
const maxIdleConns = 32

// Store is an access.Store over a SQL database. It is safe for concurrent
// use.
type Store struct {
	db      *sql.DB
	dialect dialect
	// writers admits one write transaction at a time. SQLite has a single
	// writer anyway; queueing here hands the lock over at once instead of
	// leaving contenders to poll in SQLite's busy handler, which is kept
	// only for other processes that open the same file.
	writers  chan struct{}
	getToken *sql.Stmt // the authentication hot path, prepared once
}

// dialect is what differs between the SQL databases the store runs on.
type dialect struct {
	// rebind turns the ? placeholders every query is written with into the
	// database's own.
	rebind func(query string) string
	// isUnique and isForeignKey classify constraint violations.
	isUnique, isForeignKey func(error) bool
}

var sqliteDialect = dialect{
	rebind: func(q string) string { return q },
	isUnique: func(err error) bool {
		return sqliteCode(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isForeignKey: func(err error) bool { return sqliteCode(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY) },
}

func sqliteCode(err error, codes ...int) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.Code() == c {
			return true
		}
	}
	return false
}

// Open opens (creating if needed) the SQLite database at path and brings
// its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	// A file: URI so that any character in the path survives; the
	// underscore parameters are the driver's and apply to every pooled
	// connection. _txlock=immediate makes every read-write transaction
	// take the write lock at BEGIN, so a read-modify-write never fails
	// half-way trying to upgrade a read lock. synchronous=FULL, not the
	// usual WAL choice of NORMAL: a revoked password must not come back
	// after a power cut.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"}
	if u.Path[0] != '/' {
		u.Path = "/" + u.Path // Windows drive letters
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	// Keep the connections that bursts of concurrent reads open (token
	// cache misses): database/sql keeps two idle by default and closes
	// the rest, and opening a SQLite connection (pragmas, schema) costs
	// more than the read it was opened for.
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	st := &Store{db: db, dialect: sqliteDialect, writers: make(chan struct{}, 1)}
	if err := st.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	return st, nil
}

func (st *Store) init(ctx context.Context) error {
	if err := st.migrate(ctx); err != nil {
		return err
	}
	var err error
	st.getToken, err = st.db.PrepareContext(ctx, st.q(selectToken))
	if err != nil {
		return fmt.Errorf("prepare token lookup: %w", err)
	}
	return nil
}

// Close releases the database. The Store must not be used afterwards.
func (st *Store) Close() error {
	if st.getToken != nil {
		st.getToken.Close()
	}
	if err := st.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// q rewrites a query for the dialect.
func (st *Store) q(query string) string { return st.dialect.rebind(query) }

// write runs fn in a read-write transaction, committing if it returns nil.
// fn's error is returned unchanged.
func (st *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case st.writers <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-st.writers }()
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // fn's error says more than a failed rollback
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// exists reports whether query returns a row.
func (st *Store) exists(ctx context.Context, db querier, query string, args ...any) (bool, error) {
	var one int
	err := db.QueryRowContext(ctx, st.q(query), args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

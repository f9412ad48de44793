// Package store keeps openacr's registries, scope maps and tokens durably:
// it implements access.Store over database/sql. The embedded default is
// SQLite (modernc.org/sqlite, pure Go) in WAL mode; the SQL is standard and
// its placeholders are rewritten in one place (dialect.rebind) so that a
// PostgreSQL dialect can reuse it.
//
// The schema is created by the embedded migrations in migrations/, applied in
// order at Open and recorded in schema_migrations. Driver errors are turned
// into the access sentinels here, at the boundary; nothing above this package
// sees a driver error type.
//
// Only internal/server imports this package. It imports access and nothing
// else of openacr. The conformance suite every implementation must pass is
// internal/store/storetest.
package store

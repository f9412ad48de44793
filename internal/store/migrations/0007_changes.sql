-- The change feed (access.ChangeFeed, issue #3): every write the data plane
-- must learn of appends a row in the write's own transaction (a token
-- created, updated or deleted; a scope map edited or deleted; a registry
-- created, updated or deleted). Every node reads the rows after the last it
-- applied, every 250 ms, and drops what they make stale. seq orders rows in
-- commit order (SQLite has one writer at a time); AUTOINCREMENT never reuses
-- one, and pruning keeps the latest row, so a node's position stays valid.
-- name_key is the token or the scope map, '' for a registry.

CREATE TABLE changes (
    seq          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    registry_key TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,
    at_us        BIGINT  NOT NULL
);

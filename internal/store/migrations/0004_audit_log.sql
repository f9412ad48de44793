-- The audit log (access.AuditEntry): management changes and data-plane
-- authentication decisions, never a secret. Entries outlive their registry
-- and token (no foreign keys): a security record must survive the deletion
-- of what it is about; they go when the retention prunes them. id orders
-- entries as they were recorded and is the position of a page.

CREATE TABLE audit_log (
    id               INTEGER NOT NULL PRIMARY KEY,
    time_us          BIGINT  NOT NULL,
    registry_key     TEXT    NOT NULL,
    actor            TEXT    NOT NULL,
    operation        TEXT    NOT NULL,
    target           TEXT    NOT NULL,
    token            TEXT    NOT NULL,
    token_key        TEXT    NOT NULL,
    password         TEXT    NOT NULL,
    repository       TEXT    NOT NULL,
    action           TEXT    NOT NULL,
    change_reference TEXT    NOT NULL,
    result           TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    client_address   TEXT    NOT NULL
);

-- Listing one registry's entries, newest first; pruning by age.
CREATE INDEX audit_log_by_registry ON audit_log (registry_key, id);
CREATE INDEX audit_log_by_time ON audit_log (time_us);

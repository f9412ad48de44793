-- Registries, scope maps and tokens.
--
-- Names are matched case-insensitively through *_key columns that hold the
-- lower-cased name (portable: PostgreSQL has no NOCASE collation); the name
-- column keeps the case the user gave. Times are unix microseconds (UTC), the
-- precision PostgreSQL timestamps have, so both stores round-trip the same.

CREATE TABLE registries (
    name_key       TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    group_key      TEXT    NOT NULL,
    resource_group TEXT    NOT NULL,
    location       TEXT    NOT NULL,
    sku            TEXT    NOT NULL,
    created_us     BIGINT  NOT NULL,
    modified_us    BIGINT  NOT NULL
);

CREATE INDEX registries_by_created ON registries (created_us, name_key);
CREATE INDEX registries_by_group ON registries (group_key, created_us, name_key);

CREATE TABLE scope_maps (
    registry_key TEXT    NOT NULL REFERENCES registries (name_key) ON DELETE CASCADE,
    name_key     TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    actions      TEXT    NOT NULL, -- JSON array of canonical action strings
    system       BOOLEAN NOT NULL,
    created_us   BIGINT  NOT NULL,
    modified_us  BIGINT  NOT NULL,
    PRIMARY KEY (registry_key, name_key)
);

-- Tokens carry their two password slots as columns so that authentication,
-- the hot path, is one primary-key lookup of one row (WITHOUT ROWID: the row
-- lives in the primary-key b-tree itself). A slot is empty when its three
-- columns are NULL.
CREATE TABLE tokens (
    registry_key          TEXT    NOT NULL REFERENCES registries (name_key) ON DELETE CASCADE,
    name_key              TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    scope_map_key         TEXT    NOT NULL,
    scope_map             TEXT    NOT NULL, -- the scope map's own spelling
    status                TEXT    NOT NULL,
    generation            BIGINT  NOT NULL,
    created_us            BIGINT  NOT NULL,
    modified_us           BIGINT  NOT NULL,
    password1_hash        BLOB,
    password1_created_us  BIGINT,
    password1_expiry_us   BIGINT,
    password2_hash        BLOB,
    password2_created_us  BIGINT,
    password2_expiry_us   BIGINT,
    PRIMARY KEY (registry_key, name_key),
    FOREIGN KEY (registry_key, scope_map_key) REFERENCES scope_maps (registry_key, name_key),
    CHECK ((password1_hash IS NULL) = (password1_created_us IS NULL)
       AND (password1_hash IS NULL) = (password1_expiry_us IS NULL)),
    CHECK ((password2_hash IS NULL) = (password2_created_us IS NULL)
       AND (password2_hash IS NULL) = (password2_expiry_us IS NULL))
) WITHOUT ROWID;

-- Finds the tokens of a scope map: the in-use check on delete and the
-- generation bump on edit.
CREATE INDEX tokens_by_scope_map ON tokens (registry_key, scope_map_key, name_key);

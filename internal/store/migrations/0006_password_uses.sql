-- The last successful authentication of each password (issue #5): written
-- in batches by access.Usage, never on the request path. A row belongs to
-- the password created at password_created_us; once its slot is regenerated
-- the row is stale until the new password is used, and readers compare the
-- creation time. Rows go with their token.

CREATE TABLE password_uses (
    registry_key        TEXT   NOT NULL,
    token_key           TEXT   NOT NULL,
    slot                TEXT   NOT NULL,
    password_created_us BIGINT NOT NULL,
    used_us             BIGINT NOT NULL,
    address             TEXT   NOT NULL,
    PRIMARY KEY (registry_key, token_key, slot),
    FOREIGN KEY (registry_key, token_key) REFERENCES tokens (registry_key, name_key) ON DELETE CASCADE
) WITHOUT ROWID;

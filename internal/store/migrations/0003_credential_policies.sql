-- Credential policies (internal/access Policy), one row per registry that has
-- set one; a registry without a row has every policy off. The row goes with
-- its registry.

CREATE TABLE credential_policies (
    registry_key               TEXT    NOT NULL PRIMARY KEY REFERENCES registries (name_key) ON DELETE CASCADE,
    max_password_lifetime_days INTEGER NOT NULL,
    require_expiry             BOOLEAN NOT NULL,
    require_change_reference   BOOLEAN NOT NULL,
    require_policy_token       BOOLEAN NOT NULL,
    modified_us                BIGINT  NOT NULL
);

-- Signing keys of the access tokens (internal/signing), shared by every node.
-- The private key is sealed (AES-GCM) before it reaches the database.

CREATE TABLE signing_keys (
    kid        TEXT   NOT NULL PRIMARY KEY,
    sealed     BLOB   NOT NULL,
    created_us BIGINT NOT NULL
);

-- What a SCIM client (Entra ID, Okta) says about an account beyond what accounts holds
-- (docs/scim.md): its own id for the person (externalId) and the name parts, as JSON text.
CREATE TABLE scim_users (
    account_id  VARCHAR(36)  NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    external_id VARCHAR(255),
    attributes  TEXT         NOT NULL DEFAULT '{}',
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    version     BIGINT       NOT NULL DEFAULT 1
);
CREATE INDEX scim_users_external_id ON scim_users (external_id);

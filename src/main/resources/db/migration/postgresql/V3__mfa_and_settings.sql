-- Multi-factor authentication and instance settings.
-- The TOTP secret is sealed with AES-256-GCM under a key derived from the master key.
CREATE TABLE mfa_totp (
    account_id     VARCHAR(36)  NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret_sealed  VARCHAR(200) NOT NULL,
    confirmed      BOOLEAN      NOT NULL DEFAULT FALSE,
    last_used_step BIGINT       NOT NULL DEFAULT 0,
    created_at     BIGINT       NOT NULL
);

-- Single-use recovery codes, stored as keyed hashes.
CREATE TABLE mfa_recovery_codes (
    account_id VARCHAR(36) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  CHAR(64)    NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Passkeys: the tables of Spring Security's JDBC WebAuthn repositories.
CREATE TABLE user_entities (
    id           VARCHAR(1000) NOT NULL PRIMARY KEY,
    name         VARCHAR(100)  NOT NULL,
    display_name VARCHAR(200)
);
CREATE INDEX user_entities_name ON user_entities (name);

CREATE TABLE user_credentials (
    credential_id                VARCHAR(1000) NOT NULL PRIMARY KEY,
    user_entity_user_id          VARCHAR(1000) NOT NULL,
    public_key                   BYTEA         NOT NULL,
    signature_count              BIGINT,
    uv_initialized               BOOLEAN,
    backup_eligible              BOOLEAN       NOT NULL,
    authenticator_transports     VARCHAR(1000),
    public_key_credential_type   VARCHAR(100),
    backup_state                 BOOLEAN       NOT NULL,
    attestation_object           BYTEA,
    attestation_client_data_json BYTEA,
    created                      TIMESTAMP,
    last_used                    TIMESTAMP,
    label                        VARCHAR(1000) NOT NULL
);
CREATE INDEX user_credentials_user ON user_credentials (user_entity_user_id);

-- Instance-wide settings changed at run time (e.g. the MFA policy), shared by every node.
CREATE TABLE settings (
    name       VARCHAR(100)  NOT NULL PRIMARY KEY,
    value      VARCHAR(1000) NOT NULL,
    updated_at BIGINT        NOT NULL
);

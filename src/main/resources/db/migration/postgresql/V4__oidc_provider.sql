-- OpenID Connect provider: the tables of Spring Security's JDBC authorization-server services
-- (registered clients, authorizations, consents), with the large values as text on both
-- engines, instants with a time zone where the engine has one, and an index on every token
-- column the services look tokens up by.
CREATE TABLE oauth2_registered_client (
    id                            VARCHAR(100)  NOT NULL PRIMARY KEY,
    client_id                     VARCHAR(100)  NOT NULL UNIQUE,
    client_id_issued_at           TIMESTAMPTZ   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- {hmac-sha256} keyed hash of a generated 256-bit secret; never the secret itself
    client_secret                 VARCHAR(200),
    client_secret_expires_at      TIMESTAMPTZ,
    client_name                   VARCHAR(200)  NOT NULL,
    client_authentication_methods VARCHAR(1000) NOT NULL,
    authorization_grant_types     VARCHAR(1000) NOT NULL,
    redirect_uris                 VARCHAR(4000),
    post_logout_redirect_uris     VARCHAR(4000),
    scopes                        VARCHAR(1000) NOT NULL,
    client_settings               VARCHAR(2000) NOT NULL,
    token_settings                VARCHAR(2000) NOT NULL
);

CREATE TABLE oauth2_authorization (
    id                            VARCHAR(100)  NOT NULL PRIMARY KEY,
    registered_client_id          VARCHAR(100)  NOT NULL REFERENCES oauth2_registered_client (id) ON DELETE CASCADE,
    principal_name                VARCHAR(200)  NOT NULL,
    authorization_grant_type      VARCHAR(100)  NOT NULL,
    authorized_scopes             VARCHAR(1000),
    attributes                    TEXT,
    state                         VARCHAR(500),
    authorization_code_value      TEXT,
    authorization_code_issued_at  TIMESTAMPTZ,
    authorization_code_expires_at TIMESTAMPTZ,
    authorization_code_metadata   TEXT,
    access_token_value            TEXT,
    access_token_issued_at        TIMESTAMPTZ,
    access_token_expires_at       TIMESTAMPTZ,
    access_token_metadata         TEXT,
    access_token_type             VARCHAR(100),
    access_token_scopes           VARCHAR(1000),
    oidc_id_token_value           TEXT,
    oidc_id_token_issued_at       TIMESTAMPTZ,
    oidc_id_token_expires_at      TIMESTAMPTZ,
    oidc_id_token_metadata        TEXT,
    refresh_token_value           TEXT,
    refresh_token_issued_at       TIMESTAMPTZ,
    refresh_token_expires_at      TIMESTAMPTZ,
    refresh_token_metadata        TEXT,
    user_code_value               TEXT,
    user_code_issued_at           TIMESTAMPTZ,
    user_code_expires_at          TIMESTAMPTZ,
    user_code_metadata            TEXT,
    device_code_value             TEXT,
    device_code_issued_at         TIMESTAMPTZ,
    device_code_expires_at        TIMESTAMPTZ,
    device_code_metadata          TEXT
);
CREATE INDEX oauth2_authorization_principal ON oauth2_authorization (principal_name, registered_client_id);
CREATE INDEX oauth2_authorization_client ON oauth2_authorization (registered_client_id);
CREATE INDEX oauth2_authorization_state ON oauth2_authorization (state);
CREATE INDEX oauth2_authorization_code ON oauth2_authorization (authorization_code_value);
CREATE INDEX oauth2_authorization_access_token ON oauth2_authorization (access_token_value);
CREATE INDEX oauth2_authorization_id_token ON oauth2_authorization (oidc_id_token_value);
CREATE INDEX oauth2_authorization_refresh_token ON oauth2_authorization (refresh_token_value);
CREATE INDEX oauth2_authorization_user_code ON oauth2_authorization (user_code_value);
CREATE INDEX oauth2_authorization_device_code ON oauth2_authorization (device_code_value);

CREATE TABLE oauth2_authorization_consent (
    registered_client_id VARCHAR(100)  NOT NULL REFERENCES oauth2_registered_client (id) ON DELETE CASCADE,
    principal_name       VARCHAR(200)  NOT NULL,
    authorities          VARCHAR(1000) NOT NULL,
    PRIMARY KEY (registered_client_id, principal_name)
);

-- Refresh tokens already exchanged (rotation): presenting one again is reuse, and revokes the
-- authorization it came from. Keyed hashes, never the token itself.
CREATE TABLE oidc_used_refresh_tokens (
    token_hash       CHAR(64)     NOT NULL PRIMARY KEY,
    authorization_id VARCHAR(100) NOT NULL,
    expires_at       BIGINT       NOT NULL
);
CREATE INDEX oidc_used_refresh_tokens_expiry ON oidc_used_refresh_tokens (expires_at);

-- Token signing keys, the private JWK sealed with AES-256-GCM under a key derived from the
-- master key. A key is published from created_at, signs from active_from, and is removed
-- after retire_after.
CREATE TABLE oidc_signing_keys (
    kid          VARCHAR(64)   NOT NULL PRIMARY KEY,
    algorithm    VARCHAR(16)   NOT NULL,
    jwk_sealed   VARCHAR(8000) NOT NULL,
    created_at   BIGINT        NOT NULL,
    active_from  BIGINT        NOT NULL,
    retire_after BIGINT
);

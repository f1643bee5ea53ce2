-- Client assertions (private_key_jwt, RFC 7523) already used, by SHA-256 of the client id and
-- the assertion's jti, kept until the assertion expires: an assertion is accepted once, on any
-- node (OpenID Connect Core 9). Spring's authorization server does not check jti itself.
CREATE TABLE oidc_used_client_assertions (
    assertion_hash CHAR(64) NOT NULL PRIMARY KEY,
    expires_at     BIGINT   NOT NULL
);
CREATE INDEX oidc_used_client_assertions_expiry ON oidc_used_client_assertions (expires_at);

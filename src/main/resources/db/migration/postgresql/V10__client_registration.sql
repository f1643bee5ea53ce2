-- Dynamic client registration (RFC 7591, RFC 7592).
--
-- oidc_initial_access_tokens: what an administrator hands to whoever may register a client. The
-- token itself is never stored, only its keyed hash (SecretHasher, as client secrets); uses_left
-- counts down at each registration, and a token is refused once it is 0 or expires_at has passed.
CREATE TABLE oidc_initial_access_tokens (
    id         CHAR(36)    NOT NULL PRIMARY KEY,
    token_hash CHAR(64)    NOT NULL UNIQUE,
    uses       INT         NOT NULL,
    uses_left  INT         NOT NULL,
    created_at BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL
);

-- oidc_registration_access_tokens: the token (RFC 7592) a dynamically registered client manages
-- its own registration with, bound to that client, by its keyed hash. Deleted with the client.
CREATE TABLE oidc_registration_access_tokens (
    client_id  VARCHAR(100) NOT NULL PRIMARY KEY,
    token_hash CHAR(64)     NOT NULL UNIQUE,
    created_at BIGINT       NOT NULL
);

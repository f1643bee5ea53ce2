-- Sign-in through other identity providers (docs/federation.md).
--
-- identity_providers: the upstream providers an administrator registered, shared by all nodes.
-- settings is JSON (the issuer and the endpoints discovery found, the client id, scopes, the
-- user-info mapping of an OAuth 2 provider, a directory's URL and search): what is not secret.
-- The client secret (or a directory's bind password) is only ever stored sealed with the master
-- key (SecretBox, bound to the provider's id), and never returned by the API.
CREATE TABLE identity_providers (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    type          VARCHAR(10)  NOT NULL,
    name          VARCHAR(200) NOT NULL,
    preset        VARCHAR(20),
    enabled       BOOLEAN      NOT NULL DEFAULT TRUE,
    link_only     BOOLEAN      NOT NULL DEFAULT FALSE,
    settings      TEXT         NOT NULL,
    sealed_secret TEXT,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL
);

-- federated_identities: which upstream account signs in as which Portero account. Keyed by the
-- provider and the upstream subject, never by an e-mail address; gone with the account or the
-- provider.
CREATE TABLE federated_identities (
    provider_id  VARCHAR(36)  NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    subject      VARCHAR(255) NOT NULL,
    account_id   VARCHAR(36)  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   BIGINT       NOT NULL,
    last_used_at BIGINT       NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE INDEX federated_identities_account ON federated_identities (account_id);

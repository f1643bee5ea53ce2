-- Consent records: which version of the terms of service and of the privacy notice an account
-- accepted, when, and from which address. One row per acceptance, kept while the account exists
-- (a record of consent); an account's rows go with it on erasure.
CREATE TABLE legal_consents (
    account_id     VARCHAR(36)  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    document       VARCHAR(16)  NOT NULL,
    version        VARCHAR(64)  NOT NULL,
    accepted_at    BIGINT       NOT NULL,
    client_address VARCHAR(45),
    PRIMARY KEY (account_id, document, version)
);

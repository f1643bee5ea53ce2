-- The audit trail: one row per security event, chained. Each entry's hash is a keyed
-- HMAC-SHA-256 (key derived from the master key) over its fields and the previous entry's hash,
-- so changing, inserting or removing a row breaks the chain from there on. The personal fields
-- (actor, subject, client address, details) enter the hash only through personal_digest, so that
-- erasing a person's data (replacing those fields) leaves the chain verifiable.
CREATE TABLE audit_events (
    seq             BIGINT        NOT NULL PRIMARY KEY,
    occurred_at     BIGINT        NOT NULL,
    actor           VARCHAR(200)  NOT NULL,
    subject         VARCHAR(320),
    action          VARCHAR(64)   NOT NULL,
    outcome         VARCHAR(16)   NOT NULL,
    client_address  VARCHAR(64),
    request_id      VARCHAR(64),
    details         VARCHAR(4000),
    erased          BOOLEAN       NOT NULL DEFAULT FALSE,
    personal_digest CHAR(64)      NOT NULL,
    prev_hash       CHAR(64)      NOT NULL,
    hash            CHAR(64)      NOT NULL
);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);

-- The chain's two ends, with a keyed MAC over them: the last entry (so removing the newest rows
-- shows) and the anchor, the oldest kept entry after retention purges and the hash it chains to.
CREATE TABLE audit_chain (
    id               INT      NOT NULL PRIMARY KEY,
    last_seq         BIGINT   NOT NULL,
    last_hash        CHAR(64) NOT NULL,
    anchor_seq       BIGINT   NOT NULL,
    anchor_prev_hash CHAR(64) NOT NULL,
    mac              CHAR(64) NOT NULL
);

-- OpenID Connect Back-Channel Logout 1.0.
--
-- oidc_session_participants: the clients (with a back-channel logout URI) that got an ID token
-- naming a browser session. sid is the token's sid claim (a hash of the session id at the time);
-- session_primary_id is Spring Session's PRIMARY_ID, which stays when the session id changes, so
-- the session is recognised as ended by that alone. ends_by is the absolute session timeout.
-- A row lives while its session does: when the session ends it moves to the outbox.
CREATE TABLE oidc_session_participants (
    sid                VARCHAR(64)  NOT NULL,
    client_id          VARCHAR(100) NOT NULL,
    session_primary_id CHAR(36)     NOT NULL,
    principal_name     VARCHAR(200) NOT NULL,
    ends_by            BIGINT       NOT NULL,
    created_at         BIGINT       NOT NULL,
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX oidc_session_participants_session ON oidc_session_participants (session_primary_id);
CREATE INDEX oidc_session_participants_principal ON oidc_session_participants (principal_name);

-- oidc_logout_outbox: logout tokens to deliver, one per (sid, client), so enqueueing twice is
-- harmless. A node owns a row while lease_until is in the future (lease_owner says which); a
-- node that dies mid-delivery leaves a lease that expires, and another node delivers. The token
-- is signed at each attempt, so none is stored.
CREATE TABLE oidc_logout_outbox (
    sid             VARCHAR(64)  NOT NULL,
    client_id       VARCHAR(100) NOT NULL,
    subject         VARCHAR(200) NOT NULL,
    created_at      BIGINT       NOT NULL,
    attempts        INT          NOT NULL,
    next_attempt_at BIGINT       NOT NULL,
    lease_owner     VARCHAR(200),
    lease_until     BIGINT       NOT NULL,
    last_error      VARCHAR(500),
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX oidc_logout_outbox_due ON oidc_logout_outbox (next_attempt_at);

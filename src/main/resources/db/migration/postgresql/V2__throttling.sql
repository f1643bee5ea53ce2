-- Throttling state, shared by every node because it lives in the database.
-- Fixed-window hit counters per bucket (an action and a client address or network).
CREATE TABLE rate_limit_windows (
    bucket       VARCHAR(200) NOT NULL PRIMARY KEY,
    window_start BIGINT       NOT NULL,
    hits         INT          NOT NULL
);
CREATE INDEX rate_limit_windows_start ON rate_limit_windows (window_start);

-- Per-account sign-in failures and the progressive delay they cause. The subject is a keyed hash
-- of the e-mail address typed in, whether or not an account has it.
CREATE TABLE login_throttle (
    subject       CHAR(64) NOT NULL PRIMARY KEY,
    failures      INT      NOT NULL,
    blocked_until BIGINT   NOT NULL,
    updated_at    BIGINT   NOT NULL
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

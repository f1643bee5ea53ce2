-- Several nodes on one database. cache_versions: a counter per local cache, bumped by the node
-- that changes the cached rows; every node polls it and drops a cache whose counter moved.
-- job_locks: a scheduled job runs on the one node that takes its row's lease.
CREATE TABLE cache_versions (
    name    VARCHAR(64) NOT NULL PRIMARY KEY,
    version BIGINT      NOT NULL
);

CREATE TABLE job_locks (
    name         VARCHAR(64)  NOT NULL PRIMARY KEY,
    locked_until BIGINT       NOT NULL,
    locked_at    BIGINT       NOT NULL,
    locked_by    VARCHAR(200) NOT NULL
);

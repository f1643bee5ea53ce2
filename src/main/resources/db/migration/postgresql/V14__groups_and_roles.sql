-- Groups, their members and application roles (docs/authorization.md).
--
-- groups: optionally nested (one parent). name_key is the lower-cased name, for case-insensitive
-- uniqueness and search. source: manual (admin API), directory (copied from an LDAP provider at
-- each sign-in, keyed by provider and the group's cn) or scim.
CREATE TABLE groups (
    id          VARCHAR(36)   NOT NULL PRIMARY KEY,
    name        VARCHAR(200)  NOT NULL,
    name_key    VARCHAR(200)  NOT NULL,
    description VARCHAR(1000),
    parent_id   VARCHAR(36)   REFERENCES groups (id) ON DELETE RESTRICT,
    source      VARCHAR(10)   NOT NULL DEFAULT 'manual',
    provider_id VARCHAR(36)   REFERENCES identity_providers (id) ON DELETE CASCADE,
    external_id VARCHAR(255),
    created_at  BIGINT        NOT NULL,
    updated_at  BIGINT        NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups (name_key) WHERE provider_id IS NULL;
CREATE UNIQUE INDEX groups_directory ON groups (provider_id, external_id) WHERE provider_id IS NOT NULL;
CREATE INDEX groups_parent ON groups (parent_id);

-- group_members: a membership may end by itself (expires_at); lapsed_at is set once its end was
-- audited. An expired membership counts for nothing from expires_at on, audited or not.
CREATE TABLE group_members (
    group_id   VARCHAR(36) NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id VARCHAR(36) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    source     VARCHAR(10) NOT NULL DEFAULT 'manual',
    expires_at BIGINT,
    lapsed_at  BIGINT,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_account ON group_members (account_id, group_id);
CREATE INDEX group_members_expiring ON group_members (expires_at) WHERE expires_at IS NOT NULL AND lapsed_at IS NULL;

-- app_roles: what an application lets a person do (billing:admin), defined per client
-- (registered_id, the client's internal id) or instance-wide (NULL). Kept apart from account_roles,
-- which is Portero's own administrator right and never granted through groups.
CREATE TABLE app_roles (
    id            VARCHAR(36)   NOT NULL PRIMARY KEY,
    registered_id VARCHAR(100)  REFERENCES oauth2_registered_client (id) ON DELETE CASCADE,
    name          VARCHAR(100)  NOT NULL,
    description   VARCHAR(1000),
    created_at    BIGINT        NOT NULL
);
-- NULLs are distinct in a unique index: one index per kind, so two instance-wide roles cannot share a name
CREATE UNIQUE INDEX app_roles_client ON app_roles (registered_id, name) WHERE registered_id IS NOT NULL;
CREATE UNIQUE INDEX app_roles_instance ON app_roles (name) WHERE registered_id IS NULL;

CREATE TABLE account_app_roles (
    account_id VARCHAR(36) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role_id    VARCHAR(36) NOT NULL REFERENCES app_roles (id) ON DELETE CASCADE,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (account_id, role_id)
);
CREATE INDEX account_app_roles_role ON account_app_roles (role_id);

CREATE TABLE group_app_roles (
    group_id   VARCHAR(36) NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    role_id    VARCHAR(36) NOT NULL REFERENCES app_roles (id) ON DELETE CASCADE,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (group_id, role_id)
);
CREATE INDEX group_app_roles_role ON group_app_roles (role_id);

-- claim_mappings: per client, further claims from a fixed set of account attributes (no scripting),
-- released only when the client was granted the mapping's scope (docs/authorization.md).
CREATE TABLE claim_mappings (
    registered_id VARCHAR(100) NOT NULL REFERENCES oauth2_registered_client (id) ON DELETE CASCADE,
    claim         VARCHAR(100) NOT NULL,
    source        VARCHAR(40)  NOT NULL,
    scope         VARCHAR(200) NOT NULL,
    PRIMARY KEY (registered_id, claim)
);

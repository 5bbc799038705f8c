-- 0001_init.sql -- the foundation: organisations and API tokens.
--
-- Applied by `jixiao-server migrate` inside one transaction and recorded in
-- schema_migrations (created by the migrator itself, not here).  A landed
-- migration is never edited: later changes go into new numbered files.

-- Money is exact: yuan with two decimals, never floating point.
CREATE DOMAIN money_yuan AS numeric(18, 2);

-- Organisations form a tree: admin (the operator) > finance bureaus >
-- departments > units.  region_code is the 6-digit 行政区划代码; a finance
-- bureau reaches its region and the regions below it by code prefix.
-- Organisations are small and read everywhere: with Citus they become a
-- reference table, so they carry no distribution column.
CREATE TABLE orgs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('admin', 'finance', 'department', 'unit')),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    region_code text NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    parent_id   bigint REFERENCES orgs (id),
    posts       integer CHECK (posts >= 0),   -- 编制数
    staff       integer CHECK (staff >= 0),   -- 在职人数
    version     integer NOT NULL DEFAULT 1,   -- optimistic concurrency (ETag)
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id <> id),
    CHECK (kind <> 'admin' OR parent_id IS NULL)
);

-- Exactly one operator organisation, created here so a token can belong to it.
CREATE UNIQUE INDEX orgs_one_admin ON orgs (kind) WHERE kind = 'admin';
CREATE UNIQUE INDEX orgs_name_in_parent ON orgs (coalesce(parent_id, 0), name);
CREATE INDEX orgs_parent ON orgs (parent_id);
CREATE INDEX orgs_region ON orgs (region_code text_pattern_ops);

INSERT INTO orgs (kind, name, region_code)
VALUES ('admin', '系统管理员 (operator)', '000000');

-- API tokens: random (256 bits), shown once, stored only as the SHA-256 of
-- the token text.  The prefix (the first characters) lets people recognise
-- a token in lists without revealing it.
CREATE TABLE api_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id),
    hash        bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    prefix      text NOT NULL CHECK (length(prefix) BETWEEN 1 AND 16),
    label       text NOT NULL DEFAULT '',
    bootstrap   boolean NOT NULL DEFAULT false,  -- the operator's first token
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);

-- At most one live bootstrap token (JIXIAO_BOOTSTRAP_TOKEN or first start).
CREATE UNIQUE INDEX api_tokens_one_bootstrap ON api_tokens (bootstrap)
    WHERE bootstrap AND revoked_at IS NULL;
CREATE INDEX api_tokens_org ON api_tokens (org_id);

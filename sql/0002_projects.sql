-- 0002_projects.sql -- projects, indicators, the audit trail and
-- idempotency keys: the write side (issue 4).
--
-- Layout for scale-out (operations.md): every large table carries
-- `province`, the region code of its organisation's province ('340000' for
-- an organisation in 341302), as the Citus distribution column, and every
-- primary and unique key starts with it, so that all rows of one province
-- (a project, its indicators, its history, its idempotency keys) live in
-- one shard group and every per-project statement can be routed to one
-- node.  `orgs` and `api_tokens` stay reference tables.  docs/server.md
-- lists the create_distributed_table / create_reference_table calls.
--
-- Ids come from plain sequences (not identity columns) because Citus
-- distributes sequence-backed bigint columns without ceremony; they are
-- unique across provinces, so an id alone names a project in the API.

-- The province of a region code: '341302' -> '340000'.
CREATE FUNCTION jx_province(region text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN left(region, 2) || '0000';

-- The prefix that a finance bureau's reach covers: a province '340000'
-- reaches '34%', a city '341300' reaches '3413%', a county '341302' only
-- itself.
CREATE FUNCTION jx_region_prefix(region text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN region ~ '^[0-9]{2}0000$' THEN left(region, 2)
                WHEN region ~ '^[0-9]{4}00$' THEN left(region, 4)
                ELSE region END;

-- Times in the API: RFC 3339, UTC, milliseconds.
CREATE FUNCTION jx_time(t timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

-- Text for LIKE, matched literally ('%' and '_' in a search are letters).
CREATE FUNCTION jx_like_escape(s text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_');

-- Organisations: the province, computed, for joins and for the log.
ALTER TABLE orgs ADD COLUMN province text GENERATED ALWAYS AS (left(region_code, 2) || '0000') STORED;

-- Tokens remember who issued them (留痕), and lists by organisation.
ALTER TABLE api_tokens ADD COLUMN created_by_token bigint;

-- ---- projects ----------------------------------------------------------
--
-- A project holds everything a scoring document holds (scoring.md §7) and
-- the project fields of api.md.  The whole representation lives in `doc`
-- (jsonb, the shape the API returns, money normalised to yuan with two
-- decimals, indicators with their stable ids); what filters, rollups and
-- scoping need is also kept in columns.  Indicators are rows of their own
-- too (below): `doc` answers a GET in one primary-key read, the rows serve
-- results by id and later rollups.
CREATE SEQUENCE projects_id_seq;

CREATE TABLE projects (
    province        text    NOT NULL CHECK (province ~ '^[0-9]{2}0000$'),
    id              bigint  NOT NULL DEFAULT nextval('projects_id_seq'),
    org_id          bigint  NOT NULL REFERENCES orgs (id),
    parent_org_id   bigint,          -- the organisation's parent (a department's reach)
    region_code     text    NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    name            text    NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    code            text,
    status          text    NOT NULL DEFAULT 'draft'
                            CHECK (status IN ('draft', 'submitted', 'accepted')),
    version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    framework_id    text    NOT NULL,
    fund_nature     text,            -- 本级项目 / 对下转移支付
    category        text,            -- 常年 / 一次性
    budget_initial  numeric(18, 2),  -- 年初预算数
    budget_adjusted numeric(18, 2),  -- 全年预算数 (the initial one when none is given)
    budget_executed numeric(18, 2),  -- 全年执行数
    reported_total  numeric(9, 2),
    reported_grade  text,
    indicator_count integer NOT NULL DEFAULT 0,
    doc             jsonb   NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
    return_reason   text,            -- the last 退回 reason, cleared on submit
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    created_by_token bigint,
    updated_by_token bigint,
    PRIMARY KEY (province, id),
    CHECK (budget_initial >= 0 AND budget_adjusted >= 0 AND budget_executed >= 0)
);

-- One project per organisation, year and name (and code, when given):
-- the natural key that bulk imports match on.
CREATE UNIQUE INDEX projects_natural_name ON projects (province, org_id, year, name);
CREATE UNIQUE INDEX projects_natural_code ON projects (province, org_id, year, code)
    WHERE code IS NOT NULL;
-- An id alone (the URL) for callers whose province is not implied (admin).
CREATE INDEX projects_id ON projects (id);
-- Filters: region prefix and year, organisation, department, status, grade.
CREATE INDEX projects_region_year ON projects (province, region_code text_pattern_ops, year, id);
CREATE INDEX projects_org_year ON projects (province, org_id, year, id);
CREATE INDEX projects_parent ON projects (province, parent_org_id, id);
CREATE INDEX projects_status ON projects (province, status, year, id);
CREATE INDEX projects_year ON projects (province, year, id);

-- ---- indicators --------------------------------------------------------
CREATE SEQUENCE indicators_id_seq;

CREATE TABLE indicators (
    province         text    NOT NULL,
    id               bigint  NOT NULL DEFAULT nextval('indicators_id_seq'),
    project_id       bigint  NOT NULL,
    position         integer NOT NULL CHECK (position >= 0),
    level1           text    NOT NULL,
    level2           text,
    name             text    NOT NULL,
    weight           numeric(9, 2) NOT NULL CHECK (weight > 0),
    target           jsonb,          -- text as written, or {op, value, unit}
    actual           jsonb,
    rule             jsonb,
    deviation_reason text,
    reported_score   numeric(9, 2),
    PRIMARY KEY (province, id),
    UNIQUE (province, project_id, position),
    FOREIGN KEY (province, project_id) REFERENCES projects (province, id) ON DELETE CASCADE
);

-- ---- the audit trail (留痕) ---------------------------------------------
--
-- Append-only: every change of a project, organisation or token, with who
-- (organisation and token), when, and the representation before and
-- after.  Rows carry the changed resource's organisation, parent and
-- region, so reading history is scoped exactly like reading the resource,
-- and survives the resource's deletion.
CREATE SEQUENCE audit_log_id_seq;

CREATE TABLE audit_log (
    province       text    NOT NULL,
    id             bigint  NOT NULL DEFAULT nextval('audit_log_id_seq'),
    resource       text    NOT NULL CHECK (resource IN ('project', 'org', 'token')),
    resource_id    bigint  NOT NULL,
    org_id         bigint  NOT NULL,
    parent_org_id  bigint,
    region_code    text    NOT NULL,
    action         text    NOT NULL,
    version        integer,
    actor_org_id   bigint  NOT NULL,
    actor_token_id bigint,
    at             timestamptz NOT NULL DEFAULT now(),
    reason         text,
    before         jsonb,
    after          jsonb,
    PRIMARY KEY (province, id)
);
CREATE INDEX audit_log_resource ON audit_log (province, resource, resource_id, id);
CREATE INDEX audit_log_resource_id ON audit_log (resource, resource_id, id);

CREATE FUNCTION jx_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION jx_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION jx_append_only();

-- ---- idempotency keys --------------------------------------------------
--
-- A POST with Idempotency-Key claims (province, org, key) inside its own
-- transaction; a concurrent retry blocks on the unique key until the first
-- commits, then replays the stored response.  request_hash covers method,
-- path, query and body: the same key with another request answers 422.
CREATE TABLE idempotency_keys (
    province     text    NOT NULL,
    org_id       bigint  NOT NULL,
    key          text    NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea   NOT NULL,
    status       integer NOT NULL DEFAULT 0,  -- 0 while its transaction runs
    content_type text,
    location     text,
    etag         text,
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (province, org_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- ---- representations ---------------------------------------------------
--
-- Built by the database so that a read is one statement whose text goes
-- to the client as it is, and a create can store its response for
-- Idempotency-Key replays in the same statement.

CREATE FUNCTION jx_org_json(o orgs) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', o.id, 'kind', o.kind, 'name', o.name, 'region_code', o.region_code,
        'parent_id', o.parent_id, 'posts', o.posts, 'staff', o.staff, 'version', o.version,
        'created_at', jx_time(o.created_at), 'updated_at', jx_time(o.updated_at));

CREATE FUNCTION jx_project_json(id bigint, org_id bigint, region_code text, status text,
                                version integer, return_reason text, created_at timestamptz,
                                updated_at timestamptz, doc jsonb) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', id, 'org_id', org_id, 'region_code', region_code, 'status', status,
        'version', version, 'return_reason', return_reason,
        'created_at', jx_time(created_at), 'updated_at', jx_time(updated_at)) || doc;

CREATE FUNCTION jx_project_summary(p projects) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', p.id, 'org_id', p.org_id, 'region_code', p.region_code, 'year', p.year,
        'name', p.name, 'code', p.code, 'status', p.status, 'version', p.version,
        'framework', p.framework_id, 'fund_nature', p.fund_nature, 'category', p.category,
        'budget', jsonb_build_object('initial', p.budget_initial::text,
                                     'adjusted', p.budget_adjusted::text,
                                     'executed', p.budget_executed::text),
        'reported', jsonb_build_object('total', p.reported_total, 'grade', p.reported_grade),
        'indicator_count', p.indicator_count, 'updated_at', jx_time(p.updated_at));

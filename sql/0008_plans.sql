-- 0008_plans.sql -- evaluation plans (评价计划, the first table of seed
-- 000; issue 5): per department and year, the projects chosen for
-- department evaluation (amount, fund nature, method) and the unit-wide
-- evaluations chosen.  The plan rules (PLAN_AMOUNT_MISMATCH,
-- PLAN_UNIT_WIDE_REQUIRED) are worked out on every read, against the
-- projects and organisations as they are then (db_plans.c).
CREATE SEQUENCE plans_id_seq;

CREATE TABLE plans (
    province         text    NOT NULL CHECK (province ~ '^[0-9]{2}0000$'),
    id               bigint  NOT NULL DEFAULT nextval('plans_id_seq'),
    org_id           bigint  NOT NULL REFERENCES orgs (id),
    parent_org_id    bigint,
    region_code      text    NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    year             integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    doc              jsonb   NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_by_token bigint,
    updated_by_token bigint,
    PRIMARY KEY (province, id),
    UNIQUE (province, org_id, year)
);
CREATE INDEX plans_id ON plans (id);
CREATE INDEX plans_region_year ON plans (province, region_code text_pattern_ops, year, id);

CREATE FUNCTION jx_plan_json(p plans) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', p.id, 'org_id', p.org_id, 'region_code', p.region_code, 'year', p.year,
        'version', p.version, 'created_at', jx_time(p.created_at),
        'updated_at', jx_time(p.updated_at)) || p.doc;

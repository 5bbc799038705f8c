-- 0006_assessments.sql -- department-wide and unit-wide self-assessments
-- (部门整体 / 单位整体支出绩效自评, scoring.md §4; issue 5).
--
-- Laid out like projects (0002): `province` is the Citus distribution
-- column and leads every primary and unique key; `doc` holds the whole
-- representation (the scoring document of scoring.md §4: scope,
-- framework, year, figures, indicators, reported); the columns serve
-- scoping, filters and the natural key (one assessment per organisation,
-- year and scope).  Same workflow as projects: draft -> submitted ->
-- accepted, or returned to draft with a reason.
CREATE SEQUENCE assessments_id_seq;

CREATE TABLE assessments (
    province         text    NOT NULL CHECK (province ~ '^[0-9]{2}0000$'),
    id               bigint  NOT NULL DEFAULT nextval('assessments_id_seq'),
    org_id           bigint  NOT NULL REFERENCES orgs (id),
    parent_org_id    bigint,
    region_code      text    NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    year             integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    scope            text    NOT NULL CHECK (scope IN ('department_wide', 'unit_wide')),
    name             text    NOT NULL,
    framework_id     text    NOT NULL,
    status           text    NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'submitted', 'accepted')),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    doc              jsonb   COMPRESSION lz4 NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
    return_reason    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_by_token bigint,
    updated_by_token bigint,
    PRIMARY KEY (province, id),
    UNIQUE (province, org_id, year, scope)
);
CREATE INDEX assessments_id ON assessments (id);
CREATE INDEX assessments_region_year ON assessments (province, region_code text_pattern_ops, year, id);
CREATE INDEX assessments_parent ON assessments (province, parent_org_id, id);
CREATE INDEX assessments_org_year ON assessments (province, org_id, year, id);

CREATE FUNCTION jx_assessment_json(a assessments) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', a.id, 'org_id', a.org_id, 'region_code', a.region_code, 'status', a.status,
        'version', a.version, 'return_reason', a.return_reason,
        'created_at', jx_time(a.created_at), 'updated_at', jx_time(a.updated_at)) || a.doc;

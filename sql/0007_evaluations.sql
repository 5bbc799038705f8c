-- 0007_evaluations.sql -- evaluations (one scoring run of a project or a
-- wide assessment) and the per-subject rollups (issue 5).
--
-- An evaluation is immutable (a trigger refuses UPDATE and DELETE): it
-- keeps the framework (id, version) it used, the figures in columns, and
-- `body`, the whole representation that GET /v1/evaluations/{id} sends as
-- it is (text, byte for byte what the library and the server wrote: no
-- conversion on the read path, scores as written, 98.50): the library's
-- result, the cross-document findings, the counts by
-- severity and the scoring document it read (body::jsonb->'input', reproducible
-- with POST /v1/score).  `subject_doc` keeps what reports need of the
-- subject beyond the scoring document (code, 主管处室, fund nature, goals,
-- problems) as it was at that version.  The subject's organisation,
-- parent and region are copied in, so reading is scoped like the subject
-- and survives its deletion.
--
-- evaluation_rollups holds one row per subject: its latest evaluation's
-- total, grade, completeness and finding counts by severity, written in
-- the transaction that stores the evaluation.  Totals over millions of
-- indicators read these rows instead of re-reading results.
--
-- Large values are compressed with lz4 (as 0003 does for projects).
--
-- Both tables carry `province` (Citus distribution column) first in every
-- primary and unique key.
CREATE SEQUENCE evaluations_id_seq;

CREATE TABLE evaluations (
    province          text    NOT NULL CHECK (province ~ '^[0-9]{2}0000$'),
    id                bigint  NOT NULL DEFAULT nextval('evaluations_id_seq'),
    subject           text    NOT NULL CHECK (subject IN ('project', 'assessment')),
    subject_id        bigint  NOT NULL,
    subject_version   integer NOT NULL,
    org_id            bigint  NOT NULL,
    parent_org_id     bigint,
    region_code       text    NOT NULL,
    year              integer NOT NULL,
    scope             text    NOT NULL,
    framework_id      text    NOT NULL,
    framework_version integer NOT NULL,
    total             numeric(9, 2) NOT NULL,
    max_score         numeric(9, 2) NOT NULL,
    normalised        numeric(9, 2) NOT NULL,
    grade             text    NOT NULL,
    complete          boolean NOT NULL,
    errors            integer NOT NULL DEFAULT 0,
    warnings          integer NOT NULL DEFAULT 0,
    infos             integer NOT NULL DEFAULT 0,
    subject_doc       jsonb   COMPRESSION lz4 NOT NULL,
    body              text    COMPRESSION lz4 NOT NULL CHECK (body LIKE '{%}'),
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by_org    bigint  NOT NULL,
    created_by_token  bigint,
    PRIMARY KEY (province, id),
    FOREIGN KEY (framework_id, framework_version) REFERENCES frameworks (id, version)
);
CREATE INDEX evaluations_id ON evaluations (id);
CREATE INDEX evaluations_subject ON evaluations (province, subject, subject_id, id);

CREATE FUNCTION jx_evaluation_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evaluations are immutable (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER evaluations_frozen BEFORE UPDATE OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION jx_evaluation_frozen();
CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION jx_evaluation_frozen();

CREATE TABLE evaluation_rollups (
    province          text    NOT NULL,
    subject           text    NOT NULL CHECK (subject IN ('project', 'assessment')),
    subject_id        bigint  NOT NULL,
    org_id            bigint  NOT NULL,
    parent_org_id     bigint,
    region_code       text    NOT NULL,
    year              integer NOT NULL,
    scope             text    NOT NULL,
    evaluation_id     bigint  NOT NULL,
    evaluation_count  integer NOT NULL DEFAULT 1,
    evaluated_at      timestamptz NOT NULL,
    framework_id      text    NOT NULL,
    framework_version integer NOT NULL,
    total             numeric(9, 2) NOT NULL,
    max_score         numeric(9, 2) NOT NULL,
    normalised        numeric(9, 2) NOT NULL,
    grade             text    NOT NULL,
    complete          boolean NOT NULL,
    errors            integer NOT NULL,
    warnings          integer NOT NULL,
    infos             integer NOT NULL,
    PRIMARY KEY (province, subject, subject_id)
);
CREATE INDEX evaluation_rollups_year ON evaluation_rollups (province, year, region_code text_pattern_ops);
CREATE INDEX evaluation_rollups_parent ON evaluation_rollups (province, parent_org_id, year);

-- The rollup as the lists show it (null when never evaluated).
CREATE FUNCTION jx_rollup_json(r evaluation_rollups) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN r.subject_id IS NULL THEN NULL ELSE jsonb_build_object(
        'id', r.evaluation_id, 'total', r.total, 'max', r.max_score,
        'normalised', r.normalised, 'grade', r.grade, 'complete', r.complete,
        'finding_count', r.errors + r.warnings + r.infos,
        'findings', jsonb_build_object('error', r.errors, 'warning', r.warnings, 'info', r.infos),
        'count', r.evaluation_count, 'created_at', jx_time(r.evaluated_at)) END;

-- A project's list entry shows its latest evaluation (0002's summary plus
-- "evaluation"); one primary-key probe per row.
CREATE OR REPLACE FUNCTION jx_project_summary(p projects) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', p.id, 'org_id', p.org_id, 'region_code', p.region_code, 'year', p.year,
        'name', p.name, 'code', p.code, 'status', p.status, 'version', p.version,
        'framework', p.framework_id, 'fund_nature', p.fund_nature, 'category', p.category,
        'budget', jsonb_build_object('initial', p.budget_initial::text,
                                     'adjusted', p.budget_adjusted::text,
                                     'executed', p.budget_executed::text),
        'reported', jsonb_build_object('total', p.reported_total, 'grade', p.reported_grade),
        'indicator_count', p.indicator_count, 'updated_at', jx_time(p.updated_at),
        'evaluation', (SELECT jx_rollup_json(r) FROM evaluation_rollups r
                        WHERE r.province = p.province AND r.subject = 'project'
                          AND r.subject_id = p.id));

-- 0021_rectifications.sql -- 整改 (issue 20): each problem of a project's
-- 问题清单 becomes a rectification item when the project is submitted.
--
-- Items carry the project's organisation, parent and region like every
-- scoped row (auth.h REACH_ROW).  One item per project and problem text:
-- a project returned and submitted again keeps its items and gains items
-- for problems added meanwhile (the unique index makes the insert
-- idempotent).  status: open -> in_progress -> done -> verified, or done
-- -> reopened -> in_progress (db/rectifications.c names the rules).
CREATE SEQUENCE rectifications_id_seq;

CREATE TABLE rectifications (
    province           text    NOT NULL CHECK (province ~ '^[0-9]{2}0000$'),
    id                 bigint  NOT NULL DEFAULT nextval('rectifications_id_seq'),
    project_id         bigint  NOT NULL,
    org_id             bigint  NOT NULL,
    parent_org_id      bigint,
    region_code        text    NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    year               integer NOT NULL,
    position           integer NOT NULL CHECK (position >= 0),
    category           text,
    responsible_office text,
    description        text    NOT NULL,
    advice             text,
    status             text    NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'in_progress', 'done', 'verified', 'reopened')),
    deadline           date    NOT NULL,
    note               text,
    evidence           text,
    version            integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (province, id)
);
CREATE UNIQUE INDEX rectifications_problem ON rectifications
    (province, project_id, md5(description));
CREATE INDEX rectifications_id ON rectifications (id);
CREATE INDEX rectifications_region ON rectifications (province, region_code text_pattern_ops, id);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_resource_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_resource_check
    CHECK (resource IN ('project', 'org', 'token', 'assessment', 'plan', 'framework',
                        'rectification'));

CREATE FUNCTION jx_rect_overdue(r rectifications) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN r.deadline < current_date AND r.status IN ('open', 'in_progress', 'reopened');

CREATE FUNCTION jx_rect_json(r rectifications) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', r.id, 'project_id', r.project_id, 'org_id', r.org_id,
        'region_code', r.region_code, 'year', r.year, 'position', r.position,
        'category', r.category, 'responsible_office', r.responsible_office,
        'description', r.description, 'rectification_advice', r.advice,
        'status', r.status, 'deadline', to_char(r.deadline, 'YYYY-MM-DD'),
        'overdue', jx_rect_overdue(r), 'note', r.note, 'evidence', r.evidence,
        'version', r.version, 'created_at', jx_time(r.created_at),
        'updated_at', jx_time(r.updated_at));

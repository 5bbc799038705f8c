-- 0005_frameworks.sql -- indicator frameworks (评价指标体系) as data (issue 5).
--
-- Frameworks are small and read by every evaluation: with Citus this is a
-- reference table (create_reference_table('frameworks')), so it carries no
-- distribution column.  A framework is named by (id, version).  The
-- built-ins (project-2020, department-wide-2013, unit-wide-2013) are written
-- by `jixiao-server migrate` (and at start on a current schema) from the
-- library's embedded JSON: a new version whenever the library's canonical
-- text changes.  Finance bureaus post their own; they reach the regions
-- under their own (owner's region prefix).
--
-- A version used by a stored evaluation is immutable: `used` is set in the
-- transaction that stores the evaluation, and a trigger refuses to change
-- the definition of a used version or to delete it.  A change then makes
-- version n + 1 (routes_frameworks.c).
CREATE TABLE frameworks (
    id               text    NOT NULL CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    version          integer NOT NULL CHECK (version >= 1),
    scope            text    NOT NULL
                             CHECK (scope IN ('project', 'department_wide', 'unit_wide')),
    name             text    NOT NULL,
    builtin          boolean NOT NULL DEFAULT false,
    owner_org_id     bigint  REFERENCES orgs (id),   -- NULL for the built-ins
    region_code      text    CHECK (region_code ~ '^[0-9]{6}$'),
    definition       jsonb   NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    notes            jsonb   NOT NULL DEFAULT '[]',   -- validation findings (FRAMEWORK_RULE_MAX)
    max_score        numeric(9, 2) NOT NULL,
    used             boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_by_token bigint,
    PRIMARY KEY (id, version),
    CHECK (builtin = (owner_org_id IS NULL)),
    CHECK (builtin OR region_code IS NOT NULL)
);
CREATE INDEX frameworks_owner ON frameworks (owner_org_id, id);

CREATE FUNCTION jx_framework_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.used THEN
        RAISE EXCEPTION 'framework %/% is used by an evaluation and cannot be deleted',
            OLD.id, OLD.version USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.used AND (NEW.definition IS DISTINCT FROM OLD.definition
        OR NEW.scope IS DISTINCT FROM OLD.scope OR NEW.id IS DISTINCT FROM OLD.id
        OR NEW.version IS DISTINCT FROM OLD.version OR NOT NEW.used) THEN
        RAISE EXCEPTION 'framework %/% is used by an evaluation and cannot change',
            OLD.id, OLD.version USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER frameworks_frozen BEFORE UPDATE OR DELETE ON frameworks
    FOR EACH ROW EXECUTE FUNCTION jx_framework_frozen();

CREATE FUNCTION jx_framework_json(f frameworks, with_definition boolean) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', f.id, 'version', f.version, 'scope', f.scope, 'name', f.name,
        'builtin', f.builtin, 'owner_org_id', f.owner_org_id, 'region_code', f.region_code,
        'max', f.max_score, 'used', f.used, 'findings', f.notes,
        'created_at', jx_time(f.created_at), 'updated_at', jx_time(f.updated_at))
        || CASE WHEN with_definition THEN jsonb_build_object('definition', f.definition)
                ELSE '{}'::jsonb END;

-- The audit trail records assessments, plans and frameworks too.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_resource_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_resource_check
    CHECK (resource IN ('project', 'org', 'token', 'assessment', 'plan', 'framework'));

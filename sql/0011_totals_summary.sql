-- 0011_totals_summary.sql -- a second-level summary under the finance
-- bureau's totals (issue 6: <= 100 ms from rollups for the whole country).
--
-- totals_summary holds additive sums of jx_totals_rows (0010) at the grain
-- (province, year, scope, status, fund nature, stripe): counts, evaluated,
-- incomplete, the three budget sums, score sums and budget-weighted score
-- sums (exact numerics), per grade the count and the executed amount, and
-- how many subjects have findings by severity.  A whole country's year is
-- then about a thousand rows instead of hundreds of thousands of projects
-- joined with their rollups.  GET /v1/totals reads it when the request can
-- be answered at that grain (no department or unit, region at most at the
-- province level, group_by within region@province, year, fund_nature,
-- scope; an operator or a province's finance bureau) and the per-project
-- rows (jx_totals_rows) otherwise -- db_totals.c decides.
--
-- Kept in the same transaction as the rows it sums, by statement-level
-- AFTER triggers with transition tables on projects, assessments and
-- evaluation_rollups: each computes the affected subjects' contributions
-- before (sign -1) and after (+1) the statement and adds the difference
-- with one upsert (jx_tsum_apply).  A statement-level trigger makes a
-- bulk import one upsert per statement, not one per row; a statement that
-- changes nothing the totals read (a project's name) writes nothing.
-- The bulk loader (tests/bench/gen/load.sh) loads with triggers off and
-- calls jx_totals_summary_rebuild() afterwards, as this migration does.
--
-- Contention: a summary row is shared by the subjects of one province,
-- year, scope, status and fund nature whose organisation falls in the
-- same of 8 stripes (org_id % 8) -- never by a whole province, so writers
-- of different units rarely wait for each other; one statement locks its
-- rows in key order (ORDER BY before ON CONFLICT), so two statements do
-- not deadlock on them.  The stripes cost reads 8 rows where 1 would do;
-- still ~1,500 rows for a country's year.
--
-- The triggers compute a subject's contribution from its own row and the
-- other table's current row (a project's rollup, a rollup's project).
-- That is right as long as one statement does not change both a subject
-- and its rollup; no statement of the server does (evaluations write
-- evaluations and rollups; project writes do not touch rollups).
--
-- Citus: distributed on province, colocated with projects; province leads
-- the primary key.  docs/scale.md says what changes there.

CREATE TABLE totals_summary (
    province      text     NOT NULL,
    year          integer  NOT NULL,
    scope         text     NOT NULL,
    status        text     NOT NULL,
    fund_nature   text     NOT NULL,  -- '' when not given
    stripe        smallint NOT NULL,  -- org_id % 8: spreads a province's writers
    n             bigint   NOT NULL,
    n_eval        bigint   NOT NULL,
    n_incomplete  bigint   NOT NULL,
    s_initial     numeric  NOT NULL,
    s_adjusted    numeric  NOT NULL,
    s_executed    numeric  NOT NULL,
    s_score       numeric  NOT NULL,  -- sum of normalised totals (evaluated ones)
    s_wscore      numeric  NOT NULL,  -- sum of normalised x adjusted budget
    s_wbase       numeric  NOT NULL,  -- sum of adjusted budget of evaluated ones
    n_a bigint NOT NULL, n_b bigint NOT NULL, n_c bigint NOT NULL, n_d bigint NOT NULL,
    n_none bigint NOT NULL,           -- counts by grade: 优 良 中 差, not evaluated
    e_a numeric NOT NULL, e_b numeric NOT NULL, e_c numeric NOT NULL, e_d numeric NOT NULL,
    e_none numeric NOT NULL,          -- executed amounts by grade
    f_any bigint NOT NULL, f_error bigint NOT NULL, f_warning bigint NOT NULL,
    f_info bigint NOT NULL,           -- subjects with any finding, by severity
    PRIMARY KEY (province, year, scope, status, fund_nature, stripe)
);
-- the country's year (the primary key serves a province's)
CREATE INDEX totals_summary_year ON totals_summary (year);

-- GET /v1/findings for one province (db_totals.c, st_findings_province):
-- the rollups in reach in evaluation id order, so a page parses the bodies
-- of its few evaluations only.
CREATE INDEX evaluation_rollups_findings ON evaluation_rollups (province, year, evaluation_id);

-- The operator's findings (without a region) still read this view (0010);
-- OFFSET 0 keeps the body's parse in its subquery: flattened, the cast
-- was repeated for the name and for every finding.
CREATE OR REPLACE VIEW jx_latest_findings AS
SELECT e.province, e.id AS evaluation_id, (f.n - 1)::integer AS position,
       e.subject, e.subject_id,
       coalesce(b.body->>'name', e.subject_doc->>'name') AS subject_name,
       e.scope, e.org_id, e.parent_org_id, e.region_code, e.year,
       f.x->>'code' AS code, f.x->>'severity' AS severity,
       f.x->>'pointer' AS pointer, f.x->>'message' AS message
  FROM evaluation_rollups r
  JOIN evaluations e ON e.province = r.province AND e.id = r.evaluation_id
  CROSS JOIN LATERAL (SELECT e.body::jsonb AS body OFFSET 0) b
  CROSS JOIN LATERAL jsonb_array_elements(b.body->'findings') WITH ORDINALITY AS f(x, n)
 WHERE e.errors + e.warnings + e.infos > 0;

-- One subject's contribution, with its sign.
CREATE TYPE jx_tsum_row AS (
    sign integer, province text, year integer, scope text, status text, fund_nature text,
    org_id bigint, initial numeric, adjusted numeric, executed numeric, score numeric,
    grade text, complete boolean, errors integer, warnings integer, infos integer);

-- Adds contributions to the summary: grouped to its grain, rows whose sums
-- are all zero dropped, the rest upserted in key order.  PL/pgSQL, not
-- SQL: a SQL function's statement is planned again on every call, this
-- one once per session.
CREATE FUNCTION jx_tsum_apply(rs jx_tsum_row[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO totals_summary AS t
SELECT * FROM (
    SELECT c.province, c.year, c.scope, c.status, c.fund_nature, (c.org_id % 8)::smallint,
           sum(c.sign),
           coalesce(sum(c.sign) FILTER (WHERE c.score IS NOT NULL), 0),
           coalesce(sum(c.sign) FILTER (WHERE NOT c.complete), 0),
           coalesce(sum(c.sign * c.initial), 0), coalesce(sum(c.sign * c.adjusted), 0),
           coalesce(sum(c.sign * c.executed), 0), coalesce(sum(c.sign * c.score), 0),
           coalesce(sum(c.sign * c.score * c.adjusted), 0),
           coalesce(sum(c.sign * c.adjusted) FILTER (WHERE c.score IS NOT NULL), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.grade = '优'), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.grade = '良'), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.grade = '中'), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.grade = '差'), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.grade IS NULL), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE c.grade = '优'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE c.grade = '良'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE c.grade = '中'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE c.grade = '差'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE c.grade IS NULL), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.errors + c.warnings + c.infos > 0), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.errors > 0), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.warnings > 0), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.infos > 0), 0)
      FROM unnest(rs) c
     GROUP BY 1, 2, 3, 4, 5, 6) d (province, year, scope, status, fund_nature, stripe, n,
       n_eval, n_incomplete, s_initial, s_adjusted, s_executed, s_score, s_wscore, s_wbase,
       n_a, n_b, n_c, n_d, n_none, e_a, e_b, e_c, e_d, e_none, f_any, f_error, f_warning,
       f_info)
 WHERE (n, n_eval, n_incomplete, s_initial, s_adjusted, s_executed, s_score, s_wscore,
        s_wbase, n_a, n_b, n_c, n_d, n_none, e_a, e_b, e_c, e_d, e_none, f_any, f_error,
        f_warning, f_info)
       IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
 ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (province, year, scope, status, fund_nature, stripe) DO UPDATE SET
    n = t.n + excluded.n, n_eval = t.n_eval + excluded.n_eval,
    n_incomplete = t.n_incomplete + excluded.n_incomplete,
    s_initial = t.s_initial + excluded.s_initial, s_adjusted = t.s_adjusted + excluded.s_adjusted,
    s_executed = t.s_executed + excluded.s_executed, s_score = t.s_score + excluded.s_score,
    s_wscore = t.s_wscore + excluded.s_wscore, s_wbase = t.s_wbase + excluded.s_wbase,
    n_a = t.n_a + excluded.n_a, n_b = t.n_b + excluded.n_b, n_c = t.n_c + excluded.n_c,
    n_d = t.n_d + excluded.n_d, n_none = t.n_none + excluded.n_none,
    e_a = t.e_a + excluded.e_a, e_b = t.e_b + excluded.e_b, e_c = t.e_c + excluded.e_c,
    e_d = t.e_d + excluded.e_d, e_none = t.e_none + excluded.e_none,
    f_any = t.f_any + excluded.f_any, f_error = t.f_error + excluded.f_error,
    f_warning = t.f_warning + excluded.f_warning, f_info = t.f_info + excluded.f_info;
END $$;

-- A wide assessment's budget figures from its document (yuan), as
-- jx_totals_rows reads them; the view below and the trigger share it.
CREATE FUNCTION jx_wide_budget(doc jsonb, OUT initial numeric(18, 2),
                               OUT adjusted numeric(18, 2), OUT executed numeric(18, 2))
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ROW(jx_amount_yuan(doc->'budget'->>'initial'),
               coalesce(jx_amount_yuan(doc->'budget'->>'adjusted'),
                        jx_amount_yuan(doc->'budget'->>'initial'),
                        jx_amount_yuan(doc->'figures'->>'budget')),
               coalesce(jx_amount_yuan(doc->'budget'->>'executed'),
                        jx_amount_yuan(doc->'figures'->>'budget_done')));

CREATE OR REPLACE VIEW jx_totals_rows AS
SELECT p.province, 'project'::text AS scope, p.id AS subject_id, p.org_id, p.parent_org_id,
       p.region_code, p.year, p.status, p.fund_nature,
       p.budget_initial,
       coalesce(p.budget_adjusted, p.budget_initial) AS budget_adjusted,
       p.budget_executed,
       r.normalised AS score, r.grade, r.complete,
       coalesce(r.errors, 0) AS errors, coalesce(r.warnings, 0) AS warnings,
       coalesce(r.infos, 0) AS infos
  FROM projects p
  LEFT JOIN evaluation_rollups r
         ON r.year = p.year AND r.province = p.province AND r.subject = 'project'
        AND r.subject_id = p.id
UNION ALL
SELECT a.province, a.scope, a.id, a.org_id, a.parent_org_id,
       a.region_code, a.year, a.status, NULL::text,
       w.initial, w.adjusted, w.executed,
       r.normalised, r.grade, r.complete,
       coalesce(r.errors, 0), coalesce(r.warnings, 0), coalesce(r.infos, 0)
  FROM assessments a
  CROSS JOIN LATERAL jx_wide_budget(a.doc) w
  LEFT JOIN evaluation_rollups r
         ON r.year = a.year AND r.province = a.province AND r.subject = 'assessment'
        AND r.subject_id = a.id;

-- ---- the triggers ------------------------------------------------------------
-- ot / nt: the statement's old and new rows (transition tables); each
-- function reads only those its event has.

CREATE FUNCTION jx_tsum_projects() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rs jx_tsum_row[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        rs := rs || ARRAY(
            SELECT ROW(-1, p.province, p.year, 'project', p.status, coalesce(p.fund_nature, ''),
                       p.org_id, p.budget_initial, coalesce(p.budget_adjusted, p.budget_initial),
                       p.budget_executed, r.normalised, r.grade, r.complete,
                       coalesce(r.errors, 0), coalesce(r.warnings, 0),
                       coalesce(r.infos, 0))::jx_tsum_row
              FROM ot p LEFT JOIN evaluation_rollups r
                ON r.year = p.year AND r.province = p.province AND r.subject = 'project'
               AND r.subject_id = p.id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        rs := rs || ARRAY(
            SELECT ROW(1, p.province, p.year, 'project', p.status, coalesce(p.fund_nature, ''),
                       p.org_id, p.budget_initial, coalesce(p.budget_adjusted, p.budget_initial),
                       p.budget_executed, r.normalised, r.grade, r.complete,
                       coalesce(r.errors, 0), coalesce(r.warnings, 0),
                       coalesce(r.infos, 0))::jx_tsum_row
              FROM nt p LEFT JOIN evaluation_rollups r
                ON r.year = p.year AND r.province = p.province AND r.subject = 'project'
               AND r.subject_id = p.id);
    END IF;
    PERFORM jx_tsum_apply(rs);
    RETURN NULL;
END $$;

CREATE FUNCTION jx_tsum_assessments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rs jx_tsum_row[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        rs := rs || ARRAY(
            SELECT ROW(-1, a.province, a.year, a.scope, a.status, '', a.org_id,
                       w.initial, w.adjusted, w.executed, r.normalised, r.grade,
                       r.complete, coalesce(r.errors, 0), coalesce(r.warnings, 0),
                       coalesce(r.infos, 0))::jx_tsum_row
              FROM ot a CROSS JOIN LATERAL jx_wide_budget(a.doc) w
              LEFT JOIN evaluation_rollups r
                ON r.year = a.year AND r.province = a.province AND r.subject = 'assessment'
               AND r.subject_id = a.id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        rs := rs || ARRAY(
            SELECT ROW(1, a.province, a.year, a.scope, a.status, '', a.org_id,
                       w.initial, w.adjusted, w.executed, r.normalised, r.grade,
                       r.complete, coalesce(r.errors, 0), coalesce(r.warnings, 0),
                       coalesce(r.infos, 0))::jx_tsum_row
              FROM nt a CROSS JOIN LATERAL jx_wide_budget(a.doc) w
              LEFT JOIN evaluation_rollups r
                ON r.year = a.year AND r.province = a.province AND r.subject = 'assessment'
               AND r.subject_id = a.id);
    END IF;
    PERFORM jx_tsum_apply(rs);
    RETURN NULL;
END $$;

-- A rollup changed: each of its subjects (that still exists) counts now
-- with the new rollup instead of the old one -- each when its year is the
-- subject's, as jx_totals_rows joins them: an old rollup's contribution
-- goes (-1) and the subject's without any comes (+1); for a new one the
-- other way round.  The subjects are read by their keys (jx_totals_rows'
-- UNION ALL would not take the join's keys down into its branches).
CREATE FUNCTION jx_tsum_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    olds evaluation_rollups[] := '{}';
    news evaluation_rollups[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        olds := ARRAY(SELECT r FROM ot r);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        news := ARRAY(SELECT r FROM nt r);
    END IF;
    PERFORM jx_tsum_apply(ARRAY(
        WITH ch AS (SELECT -1 AS sign, o.* FROM unnest(olds) o
                    UNION ALL SELECT 1, n.* FROM unnest(news) n),
        subj AS (
            SELECT p.province, p.id, 'project'::text AS subject, p.year, 'project'::text AS scope,
                   p.status, coalesce(p.fund_nature, '') AS fund_nature, p.org_id,
                   p.budget_initial AS initial,
                   coalesce(p.budget_adjusted, p.budget_initial) AS adjusted,
                   p.budget_executed AS executed
              FROM projects p
             WHERE (p.province, p.id) IN (SELECT province, subject_id FROM ch
                                           WHERE subject = 'project')
            UNION ALL
            SELECT a.province, a.id, 'assessment', a.year, a.scope, a.status, '', a.org_id,
                   w.initial, w.adjusted, w.executed
              FROM assessments a CROSS JOIN LATERAL jx_wide_budget(a.doc) w
             WHERE (a.province, a.id) IN (SELECT province, subject_id FROM ch
                                           WHERE subject = 'assessment'))
        SELECT ROW(ch.sign, s.province, s.year, s.scope, s.status, s.fund_nature, s.org_id,
                   s.initial, s.adjusted, s.executed, ch.normalised, ch.grade, ch.complete,
                   ch.errors, ch.warnings, ch.infos)::jx_tsum_row
          FROM ch JOIN subj s ON s.province = ch.province AND s.id = ch.subject_id
           AND s.subject = ch.subject AND s.year = ch.year
        UNION ALL
        SELECT ROW(-ch.sign, s.province, s.year, s.scope, s.status, s.fund_nature, s.org_id,
                   s.initial, s.adjusted, s.executed, NULL, NULL, NULL, 0, 0, 0)::jx_tsum_row
          FROM ch JOIN subj s ON s.province = ch.province AND s.id = ch.subject_id
           AND s.subject = ch.subject AND s.year = ch.year));
    RETURN NULL;
END $$;

CREATE TRIGGER totals_summary_ins AFTER INSERT ON projects REFERENCING NEW TABLE AS nt
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_projects();
CREATE TRIGGER totals_summary_upd AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS ot NEW TABLE AS nt
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_projects();
CREATE TRIGGER totals_summary_del AFTER DELETE ON projects REFERENCING OLD TABLE AS ot
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_projects();
CREATE TRIGGER totals_summary_ins AFTER INSERT ON assessments REFERENCING NEW TABLE AS nt
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_assessments();
CREATE TRIGGER totals_summary_upd AFTER UPDATE ON assessments
    REFERENCING OLD TABLE AS ot NEW TABLE AS nt
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_assessments();
CREATE TRIGGER totals_summary_del AFTER DELETE ON assessments REFERENCING OLD TABLE AS ot
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_assessments();
CREATE TRIGGER totals_summary_ins AFTER INSERT ON evaluation_rollups REFERENCING NEW TABLE AS nt
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_rollups();
CREATE TRIGGER totals_summary_upd AFTER UPDATE ON evaluation_rollups
    REFERENCING OLD TABLE AS ot NEW TABLE AS nt
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_rollups();
CREATE TRIGGER totals_summary_del AFTER DELETE ON evaluation_rollups REFERENCING OLD TABLE AS ot
    FOR EACH STATEMENT EXECUTE FUNCTION jx_tsum_rollups();

-- The summary recomputed from the rows (after a load with triggers off,
-- and below for what is already stored), one province at a time.
CREATE FUNCTION jx_totals_summary_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    p text;
BEGIN
    DELETE FROM totals_summary;
    FOR p IN SELECT DISTINCT province FROM projects UNION SELECT DISTINCT province FROM assessments
    LOOP
        PERFORM jx_tsum_apply(ARRAY(
            SELECT ROW(1, s.province, s.year, s.scope, s.status, coalesce(s.fund_nature, ''),
                       s.org_id, s.budget_initial, s.budget_adjusted, s.budget_executed,
                       s.score, s.grade, s.complete, s.errors, s.warnings, s.infos)::jx_tsum_row
              FROM jx_totals_rows s WHERE s.province = p));
    END LOOP;
    RETURN (SELECT count(*) FROM totals_summary);
END $$;

SELECT jx_totals_summary_rebuild();

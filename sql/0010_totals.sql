-- 0010_totals.sql -- what the finance bureau's totals read (issue 6).
--
-- GET /v1/totals aggregates one row per subject (a project, or a
-- department-wide / unit-wide assessment) with its budget figures, its
-- workflow status and its latest evaluation's total, grade, completeness
-- and finding counts.  jx_totals_rows is that row: a plain view, so the
-- planner inlines it into the aggregate and the filters reach the tables'
-- indexes (and parallel scans) directly.  Nothing here stores evaluation
-- results: the scores come from issue 5's per-subject rollups when they
-- exist (evaluation_rollups, written in the transaction that stores an
-- evaluation); until then a project counts as not evaluated.
--
-- Citus: the view reads only distributed tables joined on their
-- distribution column (province) and the orgs reference table, so every
-- statement over it is pushed down shard by shard.

-- The region code of `region` at a level: province 340000, city 341300,
-- county 341302 (itself).
CREATE FUNCTION jx_region_at(region text, level text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE level WHEN 'province' THEN left(region, 2) || '0000'
                      WHEN 'city' THEN left(region, 4) || '00'
                      ELSE region END;

-- An amount as a document may hold it -- a JSON number or a string in 元
-- or 万元 ("736151.84", "73.62万元", "1200元") -- in yuan, or NULL.  Wide
-- assessments keep their budget figures in their document this way.
CREATE FUNCTION jx_amount_yuan(s text) RETURNS numeric(18, 2)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN s ~ '^\s*[0-9]{1,16}(\.[0-9]+)?\s*(元)?\s*$'
            THEN round(substring(s FROM '[0-9]+(?:\.[0-9]+)?')::numeric, 2)
        WHEN s ~ '^\s*[0-9]{1,12}(\.[0-9]+)?\s*万元\s*$'
            THEN round(substring(s FROM '[0-9]+(?:\.[0-9]+)?')::numeric * 10000, 2)
    END;

-- One row per subject.  The rollup counts for a subject of the same year
-- (it is copied from the subject when the evaluation is stored); the year
-- in the join lets the rollups' totals index below be read for one year.
CREATE VIEW jx_totals_rows AS
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
       jx_amount_yuan(a.doc->'budget'->>'initial'),
       coalesce(jx_amount_yuan(a.doc->'budget'->>'adjusted'),
                jx_amount_yuan(a.doc->'budget'->>'initial'),
                jx_amount_yuan(a.doc->'figures'->>'budget')),
       coalesce(jx_amount_yuan(a.doc->'budget'->>'executed'),
                jx_amount_yuan(a.doc->'figures'->>'budget_done')),
       r.normalised, r.grade, r.complete,
       coalesce(r.errors, 0), coalesce(r.warnings, 0), coalesce(r.infos, 0)
  FROM assessments a
  LEFT JOIN evaluation_rollups r
         ON r.year = a.year AND r.province = a.province AND r.subject = 'assessment'
        AND r.subject_id = a.id;

-- The totals' scans.  Projects' rows are wide (the whole document); this
-- covering index holds the hundred-odd bytes totals read, so a
-- province-year (year, province, region prefix) and the whole country's
-- year (year alone) are both index-only scans.  The rollups' one serves
-- the join for one year the same way.
CREATE INDEX projects_totals ON projects (year, province, region_code text_pattern_ops)
    INCLUDE (id, status, org_id, parent_org_id, fund_nature, budget_initial,
             budget_adjusted, budget_executed);
CREATE INDEX evaluation_rollups_totals ON evaluation_rollups (year, province, subject, subject_id)
    INCLUDE (normalised, grade, complete, errors, warnings, infos);

-- The findings of each subject's latest evaluation (the rollup names it),
-- one row per finding, for GET /v1/findings: read from the evaluation's
-- stored body (text, parsed here), so nothing is copied; evaluations
-- without findings are skipped by their counts before any parsing.  The keyset is (evaluation id,
-- position in its findings).
CREATE VIEW jx_latest_findings AS
SELECT e.province, e.id AS evaluation_id, (f.n - 1)::integer AS position,
       e.subject, e.subject_id,
       coalesce(b.body->>'name', e.subject_doc->>'name') AS subject_name,
       e.scope, e.org_id, e.parent_org_id, e.region_code, e.year,
       f.x->>'code' AS code, f.x->>'severity' AS severity,
       f.x->>'pointer' AS pointer, f.x->>'message' AS message
  FROM evaluation_rollups r
  JOIN evaluations e ON e.province = r.province AND e.id = r.evaluation_id
  CROSS JOIN LATERAL (SELECT e.body::jsonb AS body) b
  CROSS JOIN LATERAL jsonb_array_elements(b.body->'findings') WITH ORDINALITY AS f(x, n)
 WHERE e.errors + e.warnings + e.infos > 0;

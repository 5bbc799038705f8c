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

CREATE VIEW jx_totals_rows AS
SELECT p.province, 'project'::text AS scope, p.id AS subject_id, p.org_id, p.parent_org_id,
       p.region_code, p.year, p.status, p.fund_nature,
       p.budget_initial,
       coalesce(p.budget_adjusted, p.budget_initial) AS budget_adjusted,
       p.budget_executed,
       NULL::numeric(9, 2) AS score, NULL::text AS grade, NULL::boolean AS complete,
       0 AS errors, 0 AS warnings, 0 AS infos
  FROM projects p;

-- The totals' scan: one covering index answers both a province-year
-- (year, province and a region-code range) and the whole country's year
-- (year alone) with an index-only scan -- the projects' rows themselves
-- are wide (the document), this holds the 100-odd bytes totals read.
CREATE INDEX projects_totals ON projects (year, province, region_code)
    INCLUDE (status, org_id, parent_org_id, fund_nature, budget_initial, budget_adjusted,
             budget_executed, id);

-- The findings of each subject's latest evaluation, one row per finding,
-- for GET /v1/findings.  Evaluations arrive with issue 5; until then there
-- are none.
CREATE VIEW jx_latest_findings AS
SELECT NULL::text AS province, NULL::bigint AS evaluation_id, NULL::integer AS position,
       NULL::text AS subject, NULL::bigint AS subject_id, NULL::text AS subject_name,
       NULL::text AS scope, NULL::bigint AS org_id, NULL::bigint AS parent_org_id,
       NULL::text AS region_code, NULL::integer AS year, NULL::text AS code,
       NULL::text AS severity, NULL::text AS pointer, NULL::text AS message
 WHERE false;

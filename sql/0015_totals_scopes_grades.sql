-- 0015_totals_scopes_grades.sql -- totals a finance bureau can file (issue 16).
--
-- Grade words of the frameworks involved.  Frameworks name their grades
-- in their own words: the built-ins 优/良/中/差, many provinces
-- 优秀/良好/合格/不合格 on the same cut points (90/80/60).  Totals count
-- grades by rank (jx_grade_rank: a b c d, top to bottom), so a 优秀 is
-- counted where a 优 is and the shares of a group still add up to 1;
-- before, every grade outside 优良中差 fell out of the buckets.  A word
-- outside both ladders has no rank (counted, evaluated, in no bucket).
--
-- Incomplete scores.  A score computed with figures missing is a lower
-- bound (complete = false); the means must not mix it silently with
-- complete ones, so the score sums (s_score, s_wscore, s_wbase) now take
-- complete scores only and the totals say how many were left out
-- (n_incomplete, already kept).
--
-- Regions named as regions: the 31 provinces by code (GB/T 2260) in
-- `regions`, and a finance bureau's region_name (宁德市) given at its
-- creation; totals never name a region by a bureau's name.

CREATE FUNCTION jx_grade_rank(grade text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN grade IN ('优', '优秀') THEN 'a'
                WHEN grade IN ('良', '良好') THEN 'b'
                WHEN grade IN ('中', '合格') THEN 'c'
                WHEN grade IN ('差', '不合格') THEN 'd' END;

CREATE OR REPLACE FUNCTION jx_tsum_apply(rs jx_tsum_row[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    st smallint;
BEGIN
IF cardinality(rs) = 0 THEN
    RETURN;                         -- no claim for a statement that moved nothing
END IF;
st := jx_tsum_stripe();
INSERT INTO totals_summary AS t
SELECT * FROM (
    SELECT c.province, c.year, c.scope, c.status, c.fund_nature, st,
           sum(c.sign),
           coalesce(sum(c.sign) FILTER (WHERE c.score IS NOT NULL), 0),
           coalesce(sum(c.sign) FILTER (WHERE NOT c.complete), 0),
           coalesce(sum(c.sign * c.initial), 0), coalesce(sum(c.sign * c.adjusted), 0),
           coalesce(sum(c.sign * c.executed), 0), coalesce(sum(c.sign * c.score) FILTER (WHERE c.complete), 0),
           coalesce(sum(c.sign * c.score * c.adjusted) FILTER (WHERE c.complete), 0),
           coalesce(sum(c.sign * c.adjusted) FILTER (WHERE c.score IS NOT NULL AND c.complete), 0),
           coalesce(sum(c.sign) FILTER (WHERE jx_grade_rank(c.grade) = 'a'), 0),
           coalesce(sum(c.sign) FILTER (WHERE jx_grade_rank(c.grade) = 'b'), 0),
           coalesce(sum(c.sign) FILTER (WHERE jx_grade_rank(c.grade) = 'c'), 0),
           coalesce(sum(c.sign) FILTER (WHERE jx_grade_rank(c.grade) = 'd'), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.grade IS NULL), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE jx_grade_rank(c.grade) = 'a'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE jx_grade_rank(c.grade) = 'b'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE jx_grade_rank(c.grade) = 'c'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE jx_grade_rank(c.grade) = 'd'), 0),
           coalesce(sum(c.sign * c.executed) FILTER (WHERE c.grade IS NULL), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.errors + c.warnings + c.infos > 0), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.errors > 0), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.warnings > 0), 0),
           coalesce(sum(c.sign) FILTER (WHERE c.infos > 0), 0)
      FROM unnest(rs) c
     GROUP BY 1, 2, 3, 4, 5) d (province, year, scope, status, fund_nature, stripe, n,
       n_eval, n_incomplete, s_initial, s_adjusted, s_executed, s_score, s_wscore, s_wbase,
       n_a, n_b, n_c, n_d, n_none, e_a, e_b, e_c, e_d, e_none, f_any, f_error, f_warning,
       f_info)
 WHERE (n, n_eval, n_incomplete, s_initial, s_adjusted, s_executed, s_score, s_wscore,
        s_wbase, n_a, n_b, n_c, n_d, n_none, e_a, e_b, e_c, e_d, e_none, f_any, f_error,
        f_warning, f_info)
       IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
 ORDER BY 1, 2, 3, 4, 5
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

-- CREATE OR REPLACE drops the function's settings: 0014's again.
ALTER FUNCTION jx_tsum_apply(jx_tsum_row[]) SET plan_cache_mode = force_generic_plan;

COMMENT ON COLUMN totals_summary.s_score IS 'sum of normalised totals of complete evaluations (0015)';
COMMENT ON COLUMN totals_summary.s_wscore IS 'sum of normalised x adjusted budget, complete evaluations (0015)';
COMMENT ON COLUMN totals_summary.s_wbase IS 'sum of adjusted budget of complete evaluations (0015)';
COMMENT ON COLUMN totals_summary.n_a IS 'counts by grade rank a b c d (jx_grade_rank, 0015)';

SELECT jx_totals_summary_rebuild();

CREATE TABLE regions (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100)
);
INSERT INTO regions (code, name) VALUES
    ('110000', '北京市'), ('120000', '天津市'), ('130000', '河北省'), ('140000', '山西省'),
    ('150000', '内蒙古自治区'), ('210000', '辽宁省'), ('220000', '吉林省'),
    ('230000', '黑龙江省'), ('310000', '上海市'), ('320000', '江苏省'), ('330000', '浙江省'),
    ('340000', '安徽省'), ('350000', '福建省'), ('360000', '江西省'), ('370000', '山东省'),
    ('410000', '河南省'), ('420000', '湖北省'), ('430000', '湖南省'), ('440000', '广东省'),
    ('450000', '广西壮族自治区'), ('460000', '海南省'), ('500000', '重庆市'),
    ('510000', '四川省'), ('520000', '贵州省'), ('530000', '云南省'), ('540000', '西藏自治区'),
    ('610000', '陕西省'), ('620000', '甘肃省'), ('630000', '青海省'),
    ('640000', '宁夏回族自治区'), ('650000', '新疆维吾尔自治区');

ALTER TABLE orgs ADD COLUMN region_name text
    CHECK (region_name IS NULL OR length(btrim(region_name)) BETWEEN 1 AND 100);
ALTER TABLE orgs ADD CONSTRAINT orgs_region_name_finance
    CHECK (region_name IS NULL OR kind = 'finance');

-- The name of a region code: a province's from `regions`, else the
-- region_name a finance bureau of exactly that region was created with;
-- NULL when none is known (never a bureau's own name).
CREATE FUNCTION jx_region_name(code text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT r.name FROM regions r WHERE r.code = jx_region_name.code),
                    (SELECT min(o.region_name) FROM orgs o
                      WHERE o.kind = 'finance' AND o.region_code = jx_region_name.code
                        AND o.region_name IS NOT NULL));

CREATE OR REPLACE FUNCTION jx_org_json(o orgs) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN jsonb_build_object(
        'id', o.id, 'kind', o.kind, 'name', o.name, 'region_code', o.region_code,
        'region_name', o.region_name,
        'parent_id', o.parent_id, 'posts', o.posts, 'staff', o.staff, 'version', o.version,
        'created_at', jx_time(o.created_at), 'updated_at', jx_time(o.updated_at));

-- 0012_totals_stripes.sql -- totals_summary's writers never wait for each
-- other: the stripe belongs to the writing transaction, not to the subject.
--
-- Under 0011 a summary row was shared by the subjects of one province,
-- year, scope, status and fund nature whose organisation fell into the
-- same stripe (org_id % 8).  One unit's creates all hit the same row and
-- held its lock through their commit's WAL flush, so they serialised
-- (Lock:transactionid was the largest wait of the POST /v1/projects bench;
-- without the trigger creates ran 1.6-1.7x faster); evaluations (the
-- rollups' trigger) hit the same rows.
--
-- Now each transaction that writes the summary first claims a stripe of
-- its own, 0..31: the lowest one no other open transaction holds
-- (pg_try_advisory_xact_lock, never waits), kept until its commit or
-- rollback and remembered for its later statements in a transaction-local
-- setting (jx.tsum_stripe).  Its upserts go to rows of that stripe only,
-- so two open transactions never touch the same summary row and the
-- sums are still current when the writing transaction commits (no lag,
-- no background job).  The lowest free stripe, not one per connection
-- (pg_backend_pid() % N): two connections' pids can fall on the same
-- stripe, and a grain then has as many rows as stripes that ever wrote
-- it; lowest-free gives a grain at most as many rows as there were
-- writers at once (one, for a serial workload).  Past 32 transactions at
-- once a writer takes pg_backend_pid() % 32 unclaimed and may wait on
-- that stripe's row locks, as every writer could before.
--
-- What that changes for readers: a stripe is no longer a set of subjects.
-- A project added through one transaction's stripe and deleted through
-- another's leaves +1 in one row and -1 in the other, so a single row can
-- be negative; only the sum over a grain's stripes means anything.
-- Nothing reads a stripe alone: GET /v1/totals sums the grain's rows
-- (db_totals.c, HAVING sum(n) > 0), jx_totals_summary_rebuild() writes
-- everything into one stripe, and tests/totals compares sums over stripes.
--
-- Deadlocks: one statement still upserts in key order; rows of a claimed
-- stripe are locked by one transaction only, so the summary no longer
-- adds lock waits between writers (short of the 33rd).
--
-- The rows 0..7 that 0011 wrote per organisation stay valid (sums are
-- sums), but they are folded here into stripe 0 per grain so that reads
-- do not carry 8 rows where one will do.

-- The writing transaction's stripe, claimed on first use.  The advisory
-- key is (0x6a78 'jx', stripe) in the two-integer space, apart from the
-- migrator's single bigint key (migrate.c).
CREATE FUNCTION jx_tsum_stripe() RETURNS smallint LANGUAGE plpgsql AS $$
DECLARE
    s text := current_setting('jx.tsum_stripe', true);  -- '' after a transaction reset it
    k smallint;
BEGIN
    IF s <> '' THEN
        RETURN s::smallint;
    END IF;
    SELECT g INTO k FROM generate_series(0, 31) g
     WHERE pg_try_advisory_xact_lock(27256, g) LIMIT 1;   -- in order, stops at the first
    IF k IS NULL THEN
        k := pg_backend_pid() % 32;
    END IF;
    PERFORM set_config('jx.tsum_stripe', k::text, true);
    RETURN k;
END $$;

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

COMMENT ON COLUMN totals_summary.stripe IS
    'the writing transaction''s claimed stripe (0012): a row alone means nothing, '
    'only the sum over a grain''s stripes does';

-- Fold 0011's per-organisation stripes: one row per grain (stripe 0),
-- grains whose sums are all zero dropped.
CREATE TEMP TABLE jx_tsum_fold ON COMMIT DROP AS
SELECT province, year, scope, status, fund_nature, 0::smallint AS stripe,
       sum(n) AS n, sum(n_eval) AS n_eval, sum(n_incomplete) AS n_incomplete,
       sum(s_initial) AS s_initial, sum(s_adjusted) AS s_adjusted,
       sum(s_executed) AS s_executed, sum(s_score) AS s_score, sum(s_wscore) AS s_wscore,
       sum(s_wbase) AS s_wbase, sum(n_a) AS n_a, sum(n_b) AS n_b, sum(n_c) AS n_c,
       sum(n_d) AS n_d, sum(n_none) AS n_none, sum(e_a) AS e_a, sum(e_b) AS e_b,
       sum(e_c) AS e_c, sum(e_d) AS e_d, sum(e_none) AS e_none, sum(f_any) AS f_any,
       sum(f_error) AS f_error, sum(f_warning) AS f_warning, sum(f_info) AS f_info
  FROM totals_summary
 GROUP BY 1, 2, 3, 4, 5;
DELETE FROM totals_summary;
INSERT INTO totals_summary
SELECT * FROM jx_tsum_fold f
 WHERE (n, n_eval, n_incomplete, s_initial, s_adjusted, s_executed, s_score, s_wscore,
        s_wbase, n_a, n_b, n_c, n_d, n_none, e_a, e_b, e_c, e_d, e_none, f_any, f_error,
        f_warning, f_info)
       IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
 ORDER BY 1, 2, 3, 4, 5;

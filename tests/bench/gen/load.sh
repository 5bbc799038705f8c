#!/usr/bin/env bash
# load.sh DATABASE_URL OUTDIR [gen.py options...] -- generate a country with
# gen.py (two processes, one per core) and load it with COPY.
#
# The database must be migrated (jixiao-server migrate) and hold no
# projects yet.  Rows are consistent by construction (every indicator's
# project exists, every project's organisation exists), so the load runs
# with session_replication_role = replica: foreign-key triggers are not
# fired row by row (the private cluster's user is a superuser).  Indexes
# stay in place.  Evaluations and rollups are generated and loaded when
# the database has issue 5's tables.  Afterwards VACUUM ANALYZE (fresh
# statistics and a visibility map, so the planner's choices are the ones
# production would get), the ids' sequences moved past the data and the
# totals' summary (sql/0011) computed from the rows.
# With gen.py's --monitoring (issue 20) the monitoring reports are loaded too.
# Prints one line per phase with its seconds.  OUTDIR is removed at the end
# unless KEEP=1.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DATABASE_URL OUTDIR [gen.py options]" >&2; exit 2; }
URL=$1; OUT=$2; shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
PSQL=${PSQL:-/usr/lib/postgresql/15/bin/psql}
q() { "$PSQL" "$URL" -XqAt -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
lap() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

EVAL=()
if [ "$(q -c "SELECT to_regclass('evaluation_rollups') IS NOT NULL")" = t ]; then
    EVAL=(--evaluations)
fi
mkdir -p "$OUT"
t0=$(now)
python3 "$HERE/gen.py" "$OUT" --part 0/2 "${EVAL[@]}" "$@" &
g0=$!
python3 "$HERE/gen.py" "$OUT" --part 1/2 "${EVAL[@]}" "$@" &
g1=$!
wait $g0
wait $g1
echo "load: generated in $(lap "$t0") s ($(du -sh "$OUT" | cut -f1))"

copy() { # copy TABLE COLUMNS FILE...
    local table=$1 cols=$2; shift 2
    for f in "$@"; do
        [ -f "$f" ] || continue
        q -c "SET session_replication_role = replica" \
          -c "\\copy $table ($cols) FROM '$f'"
    done
}
t0=$(now)
copy orgs "id, kind, name, region_code, parent_id, region_name" "$OUT/orgs.copy"
q -c "SELECT setval(pg_get_serial_sequence('orgs', 'id'), (SELECT max(id) FROM orgs))" >/dev/null
P_COLS="province, id, org_id, parent_org_id, region_code, year, name, code, status, framework_id,
        fund_nature, category, budget_initial, budget_adjusted, budget_executed, reported_total,
        reported_grade, indicator_count, doc"
I_COLS="province, id, project_id, position, level1, level2, name, weight, target, actual, rule,
        deviation_reason, reported_score"
E_COLS="province, id, subject, subject_id, subject_version, org_id, parent_org_id, region_code,
        year, scope, framework_id, framework_version, total, max_score, normalised, grade,
        complete, errors, warnings, infos, subject_doc, body, created_at, created_by_org,
        created_by_token"
R_COLS="province, subject, subject_id, org_id, parent_org_id, region_code, year, scope,
        evaluation_id, evaluation_count, evaluated_at, framework_id, framework_version, total,
        max_score, normalised, grade, complete, errors, warnings, infos"
A_COLS="province, id, org_id, parent_org_id, region_code, year, scope, name, framework_id,
        status, doc"
(copy projects "$P_COLS" "$OUT"/projects.*.copy
 copy assessments "$A_COLS" "$OUT"/assessments.*.copy
 if [ ${#EVAL[@]} -gt 0 ]; then
     copy evaluations "$E_COLS" "$OUT"/evaluations.*.copy
     copy evaluation_rollups "$R_COLS" "$OUT"/evaluation_rollups.*.copy
 fi) &
l0=$!
M_COLS="province, id, project_id, org_id, parent_org_id, region_code, year, period, months,
        executed, executed_as_written, progress"
(copy indicators "$I_COLS" "$OUT"/indicators.*.copy
 copy monitoring_reports "$M_COLS" "$OUT"/monitoring.*.copy) &
l1=$!
wait $l0
wait $l1
echo "load: COPY in $(lap "$t0") s"
t0=$(now)
q -c "SELECT setval('projects_id_seq', (SELECT max(id) FROM projects))" \
  -c "SELECT setval('assessments_id_seq', greatest(1, (SELECT max(id) FROM assessments)))" \
  -c "SELECT setval('indicators_id_seq', (SELECT max(id) FROM indicators))" >/dev/null
if [ ${#EVAL[@]} -gt 0 ]; then
    q -c "SELECT setval('evaluations_id_seq', (SELECT max(id) FROM evaluations))" >/dev/null
fi
# the COPY ran with triggers off: the totals' summary (0011) is computed once
if [ "$(q -c "SELECT to_regproc('jx_totals_summary_rebuild') IS NOT NULL")" = t ]; then
    q -c "SELECT jx_totals_summary_rebuild()" >/dev/null
    q -c "VACUUM (ANALYZE) totals_summary"
fi
q -c "VACUUM (ANALYZE) orgs" -c "VACUUM (ANALYZE) projects" -c "VACUUM (ANALYZE) indicators" \
  -c "VACUUM (ANALYZE) assessments"
if ls "$OUT"/monitoring.*.copy >/dev/null 2>&1; then   # gen.py --monitoring (issue 20)
    q -c "SELECT setval('monitoring_reports_id_seq', (SELECT max(id) FROM monitoring_reports))" \
      -c "VACUUM (ANALYZE) monitoring_reports" >/dev/null
fi
if [ ${#EVAL[@]} -gt 0 ]; then
    q -c "VACUUM (ANALYZE) evaluations" -c "VACUUM (ANALYZE) evaluation_rollups"
fi
echo "load: VACUUM ANALYZE in $(lap "$t0") s"
echo "load: $(q -c "SELECT format('%s organisations, %s projects, %s indicators',
    (SELECT count(*) FROM orgs), (SELECT count(*) FROM projects),
    (SELECT count(*) FROM indicators))")$(q -c "SELECT ', ' || count(*) || ' wide assessments'
    FROM assessments WHERE (SELECT count(*) FROM assessments) > 0")"
[ "${KEEP:-0}" = 1 ] || rm -rf "$OUT"

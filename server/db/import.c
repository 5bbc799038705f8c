/*
 * db/import.c -- the SQL of bulk imports: organisations and existing
 * projects of a whole batch in one statement each, ids in blocks, and new
 * rows streamed with COPY.
 *
 * An import of 10,000 projects is a handful of round trips, not 10,000:
 * that is how it stays within a small factor of a bare COPY of the same
 * rows (tests/bench/projects).  Values travel as parameters (arrays in
 * PostgreSQL's text form) or as COPY data, escaped here; nothing from the
 * input is ever spliced into SQL text.
 *
 * Deadlines: every round trip has the pool's (the configured db timeout,
 * pool.c), which suits single rows, not a batch of 100,000 projects.  So
 * the statements here raise the connection's deadline to BULK_TIMEOUT_MS
 * (or 30x the db timeout, whichever is longer) for the rest of the borrow,
 * which covers the COMMIT of the import too: a frozen database still ends
 * in a 503, only later.
 */
#include "db/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/reach.h"
#include "server.h"

#define BULK_TIMEOUT_MS 60000

static void bulk_deadline(pool_conn *pc)
{
    int t = app.pool ? pool_timeout_ms(app.pool) : 0;

    pool_set_timeout(pc, t > BULK_TIMEOUT_MS / 30 ? 30 * t : BULK_TIMEOUT_MS);
}

static const pool_stmt st_orgs = {
    "jx_import_orgs",
    "SELECT o.id, o.parent_id, o.region_code, jx_province(o.region_code) FROM orgs o"
    " WHERE o.id = ANY($3::bigint[]) AND o.kind <> 'admin'"
    "   AND ($1 = 'admin' OR o.id = $2::bigint"
    "        OR ($1 = 'department' AND o.parent_id = $2::bigint))",
    3};

/* Matching existing projects is done in two steps whose cost does not
 * depend on the planner's estimates.  A per-key join (one probe of the
 * natural-key index per record) is what we meant, but the planner chooses
 * among projects' indexes by statistics, and they are wrong exactly when
 * an import matters: a new database (none, or a sample of two rows), a new
 * year (no row of it yet), a table that grows by thousands of rows inside
 * the import's own transaction.  There every index on (province, year) is
 * estimated at one row per key, as cheap as the natural key's, and was
 * chosen: a merge join on (province, year) filtering org and name compared
 * 5,000 keys with 15,000 projects in 134 s; a LATERAL probe through the
 * totals index read 5,000 rows per key (11.7 s for 500 keys).
 *
 * So: the names and ids of each (province, org, year) the import names,
 * once per import (at worst a scan of that province's year, linear and
 * once), matched in C; then only the projects that exist, locked and read
 * by id (the only index that leads with id). */
static const pool_stmt st_names = {
    "jx_import_names",
    "SELECT k.i, q.name, q.id"
    "  FROM unnest($1::text[], $2::bigint[], $3::integer[]) WITH ORDINALITY AS k(pr, o, y, i)"
    " CROSS JOIN LATERAL (SELECT p.name, p.id FROM projects p"
    "                      WHERE p.province = k.pr AND p.org_id = k.o AND p.year = k.y) q",
    3};

static const pool_stmt st_lock = {
    "jx_import_lock",
    "SELECT p.id, p.status, p.version, p.doc::text, p.org_id, p.year, p.name FROM projects p"
    " WHERE p.id = ANY($1::bigint[]) FOR UPDATE",
    1};

static const pool_stmt st_project_ids = {
    "jx_import_project_ids",
    "SELECT array_agg(nextval('projects_id_seq')) FROM generate_series(1, $1::integer)", 1};

static const pool_stmt st_indicator_ids = {
    "jx_import_indicator_ids",
    "SELECT array_agg(nextval('indicators_id_seq')) FROM generate_series(1, $1::integer)", 1};

void sb_pg_array_item(strbuf *sb, const char *s)
{
    if (sb->len && sb->buf[sb->len - 1] != '{')
        sb_puts(sb, ",");
    if (!s) {
        sb_puts(sb, "NULL");
        return;
    }
    sb_puts(sb, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_append(sb, "\\", 1);
        sb_append(sb, s, 1);
    }
    sb_puts(sb, "\"");
}

void sb_copy_field(strbuf *sb, const char *s, int last)
{
    const char *run;

    if (!s) {
        sb_puts(sb, "\\N");
    } else {
        for (run = s; *s; s++) {
            const char *esc = NULL;

            switch (*s) {
            case '\\': esc = "\\\\"; break;
            case '\t': esc = "\\t"; break;
            case '\n': esc = "\\n"; break;
            case '\r': esc = "\\r"; break;
            default: continue;
            }
            sb_append(sb, run, (size_t)(s - run));
            sb_puts(sb, esc);
            run = s + 1;
        }
        sb_append(sb, run, (size_t)(s - run));
    }
    sb_puts(sb, last ? "\n" : "\t");
}

int dbi_orgs(pool_conn *pc, const auth_info *who, const char *ids_array, PGresult **res,
             db_err *e)
{
    const char *v[3] = {who->org_kind, who->org_id_s, ids_array};

    bulk_deadline(pc);
    return db_exec(pc, &st_orgs, v, res, e);
}

int dbi_names(pool_conn *pc, const char *provinces, const char *orgs, const char *years,
              PGresult **res, db_err *e)
{
    const char *v[3] = {provinces, orgs, years};

    bulk_deadline(pc);
    return db_exec(pc, &st_names, v, res, e);
}

int dbi_lock(pool_conn *pc, const char *ids, PGresult **res, db_err *e)
{
    const char *v[1] = {ids};

    bulk_deadline(pc);
    return db_exec(pc, &st_lock, v, res, e);
}

int dbi_ids(pool_conn *pc, int indicators, size_t n, int64_t *out, db_err *e)
{
    char ns[24];
    const char *v[1] = {ns};
    PGresult *res = NULL;
    const char *p;
    size_t i = 0;

    if (!n)
        return 0;
    snprintf(ns, sizeof ns, "%zu", n);
    bulk_deadline(pc);
    if (db_exec(pc, indicators ? &st_indicator_ids : &st_project_ids, v, &res, e) < 0)
        return -1;
    p = PQgetvalue(res, 0, 0);
    if (*p == '{')
        p++;
    while (*p && *p != '}' && i < n) {
        char *end;

        out[i++] = strtoll(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
    }
    PQclear(res);
    if (i != n) {
        return db_fail(e, "ids not allocated");
    }
    return 0;
}

int dbi_copy(pool_conn *pc, const char *sql, const char *data, size_t len, db_err *e)
{
    char msg[256];
    pool_status ps;

    bulk_deadline(pc);
    ps = pool_copy_in(pc, sql, data, len, msg, sizeof msg);
    if (ps == POOL_OK)
        return 0;
    e->ps = ps;
    snprintf(e->state, sizeof e->state, "%s", pool_sqlstate(pc));
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    return -1;
}

int dbi_plan_for_batch(pool_conn *pc, db_err *e)
{
    static const char *const sql[] = {"SET LOCAL enable_seqscan = off", "DISCARD PLANS"};
    char msg[256];
    PGresult *r = NULL;
    pool_status ps = POOL_OK;
    size_t i;

    bulk_deadline(pc);
    for (i = 0; i < sizeof sql / sizeof sql[0] && ps == POOL_OK; i++) {
        ps = pool_exec_sql(pc, sql[i], &r, msg, sizeof msg);
        PQclear(r);
        r = NULL;
    }
    if (ps == POOL_OK)
        return 0;
    e->ps = ps;
    snprintf(e->state, sizeof e->state, "%s", pool_sqlstate(pc));
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    return -1;
}


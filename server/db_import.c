/*
 * db_import.c -- the SQL of bulk imports: organisations and existing
 * projects of a whole batch in one statement each, ids in blocks, and new
 * rows streamed with COPY.
 *
 * An import of 10,000 projects is a handful of round trips, not 10,000:
 * that is how it stays within a small factor of a bare COPY of the same
 * rows (tests/bench/projects).  Values travel as parameters (arrays in
 * PostgreSQL's text form) or as COPY data, escaped here; nothing from the
 * input is ever spliced into SQL text.
 */
#include "db_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

static const pool_stmt st_orgs = {
    "jx_import_orgs",
    "SELECT o.id, o.parent_id, o.region_code, jx_province(o.region_code) FROM orgs o"
    " WHERE o.id = ANY($3::bigint[]) AND o.kind <> 'admin'"
    "   AND ($1 = 'admin' OR o.id = $2::bigint"
    "        OR ($1 = 'department' AND o.parent_id = $2::bigint))",
    3};

static const pool_stmt st_matches = {
    "jx_import_matches",
    "SELECT k.i, p.id, p.status, p.version, p.doc::text"
    "  FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::text[])"
    "       WITH ORDINALITY AS k(pr, o, y, n, i)"
    "  JOIN projects p ON p.province = k.pr AND p.org_id = k.o AND p.year = k.y"
    "   AND p.name = k.n"
    " FOR UPDATE OF p",
    4};

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

    return db_exec(pc, &st_orgs, v, res, e);
}

int dbi_matches(pool_conn *pc, const char *provinces, const char *orgs, const char *years,
                const char *names, PGresult **res, db_err *e)
{
    const char *v[4] = {provinces, orgs, years, names};

    return db_exec(pc, &st_matches, v, res, e);
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
        e->ps = POOL_EQUERY;
        e->state[0] = '\0';
        snprintf(e->msg, sizeof e->msg, "ids not allocated");
        return -1;
    }
    return 0;
}

int dbi_copy(pool_conn *pc, const char *sql, const char *data, size_t len, db_err *e)
{
    PGconn *pg = pool_pg(pc);
    PGresult *r = PQexec(pg, sql);
    size_t off = 0;
    int ok;

    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

        e->ps = PQstatus(pg) != CONNECTION_OK ? POOL_EDOWN : POOL_EQUERY;
        snprintf(e->state, sizeof e->state, "%s", state ? state : "");
        snprintf(e->msg, sizeof e->msg, "%s", PQerrorMessage(pg));
        PQclear(r);
        return -1;
    }
    PQclear(r);
    ok = 1;
    while (ok && off < len) {
        size_t n = len - off > (1u << 20) ? (1u << 20) : len - off;

        ok = PQputCopyData(pg, data + off, (int)n) == 1;
        off += n;
    }
    ok = PQputCopyEnd(pg, ok ? NULL : "client failed") == 1 && ok;
    r = PQgetResult(pg);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        ok = 0;
    if (!ok) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

        e->ps = PQstatus(pg) != CONNECTION_OK ? POOL_EDOWN : POOL_EQUERY;
        snprintf(e->state, sizeof e->state, "%s", state ? state : "");
        snprintf(e->msg, sizeof e->msg, "%s", PQerrorMessage(pg));
    }
    PQclear(r);
    while ((r = PQgetResult(pg)))
        PQclear(r);
    return ok ? 0 : -1;
}

int dbi_plan_for_batch(pool_conn *pc, db_err *e)
{
    PGresult *r = PQexec(pool_pg(pc), "SET LOCAL enable_seqscan = off");
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;

    if (!ok) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

        e->ps = PQstatus(pool_pg(pc)) != CONNECTION_OK ? POOL_EDOWN : POOL_EQUERY;
        snprintf(e->state, sizeof e->state, "%s", state ? state : "");
        snprintf(e->msg, sizeof e->msg, "%s", PQerrorMessage(pool_pg(pc)));
    }
    PQclear(r);
    return ok ? 0 : -1;
}

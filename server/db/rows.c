/*
 * db/rows.c -- the statements' halves that projects, assessments and plans
 * share (db/rows.h): each resource passes its own prepared statement.
 */
#include "db/rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void db_row_free(db_row *r)
{
    free(r->doc);
    memset(r, 0, sizeof *r);
}

int db_lock_row(pool_conn *pc, const pool_stmt *st, const auth_info *who, int64_t id,
                db_row *row, db_err *e)
{
    const char *v[5];
    char ids[24];
    PGresult *res = NULL;

    memset(row, 0, sizeof *row);
    fmt_i64(id, ids);
    auth_reach_vals(who, v);
    v[4] = ids;
    if (db_exec(pc, st, v, &res, e) < 0)
        return -1;
    return db_lock_parse(res, id, row, e);
}

int db_lock_parse(PGresult *res, int64_t id, db_row *row, db_err *e)
{
    memset(row, 0, sizeof *row);
    if (PQntuples(res) == 1) {
        size_t n = (size_t)PQgetlength(res, 0, 6);

        row->found = 1;
        row->id = id;
        snprintf(row->province, sizeof row->province, "%s", PQgetvalue(res, 0, 0));
        row->org_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        row->parent_org_id =
            PQgetisnull(res, 0, 2) ? 0 : strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        snprintf(row->region_code, sizeof row->region_code, "%s", PQgetvalue(res, 0, 3));
        snprintf(row->status, sizeof row->status, "%s", PQgetvalue(res, 0, 4));
        row->version = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
        row->doc = malloc(n + 1);
        if (row->doc) {
            memcpy(row->doc, PQgetvalue(res, 0, 6), n);
            row->doc[n] = '\0';
            row->doc_len = n;
        }
        row->can_edit = PQgetvalue(res, 0, 7)[0] == 't';
        row->can_review = PQgetvalue(res, 0, 8)[0] == 't';
        snprintf(row->org_name, sizeof row->org_name, "%s", PQgetvalue(res, 0, 9));
    }
    PQclear(res);
    if (row->found && !row->doc) {
        return db_fail(e, "out of memory");
    }
    return 0;
}

int db_transition_row(pool_conn *pc, const pool_stmt *st, const auth_info *who,
                      const db_row *row, const char *action, const char *to,
                      const char *reason, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[8];

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    v[2] = to;
    v[3] = action;
    v[4] = who->token_id_s;
    v[5] = reason;
    v[6] = who->org_id_s;
    v[7] = row->status;
    return db_exec(pc, st, v, res, e);
}

void db_list_vals(const auth_info *who, int64_t after, int year, int64_t org, int limit,
                  db_list_text *t, const char **v)
{
    auth_reach_vals(who, v);
    fmt_i64(after, t->after);
    snprintf(t->year, sizeof t->year, "%d", year);
    fmt_i64(org, t->org);
    snprintf(t->limit, sizeof t->limit, "%d", limit);
    v[4] = t->after;
    v[5] = year ? t->year : NULL;
    v[6] = org ? t->org : NULL;
}

int db_history_page(const pool_stmt *st, const auth_info *who, int64_t id, int64_t after,
                    int limit, PGresult **res, db_err *e)
{
    const char *v[7];
    char ids[24], afters[24], limits[16];

    auth_reach_vals(who, v);
    fmt_i64(id, ids);
    fmt_i64(after, afters);
    snprintf(limits, sizeof limits, "%d", limit);
    v[4] = ids;
    v[5] = afters;
    v[6] = limits;
    return db_query(st, v, res, e);
}

int db_row_exec(pool_conn *pc, const pool_stmt *st, const auth_info *who, const db_row *row,
                db_err *e)
{
    char ids[24];
    const char *v[4];
    PGresult *res = NULL;
    int rc;

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    v[2] = who->org_id_s;
    v[3] = who->token_id_s;
    rc = db_exec(pc, st, v, &res, e);
    PQclear(res);
    return rc;
}

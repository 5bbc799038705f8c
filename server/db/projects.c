/*
 * db/projects.c -- the SQL of projects, and nothing else.
 *
 * Every statement carries the caller's reach (auth.h: REACH_ROW), so a
 * project out of reach is simply not found -- 404, never a filter in C.
 *
 * Round trips are the budget of the hot paths (the caller comes from
 * auth.c's token cache, without a round trip, while it is fresh):
 *   GET /v1/projects/{id}: one primary-key read in the caller's reach; the
 *     representation is put together in C around the stored document.
 *   POST /v1/projects: one statement, committed on its own and shared by
 *     the creates that arrive together (group commit, batch.c), checks the
 *     organisation is in reach, draws the project's id (its indicators'
 *     come in the document, from dbp_alloc_ids), claims the
 *     Idempotency-Key (naming the project; the replay is rebuilt from the
 *     audit entry), inserts the project, its indicator rows and its audit
 *     entry, and returns the response.  A concurrent retry with the same
 *     key blocks on the key's unique index and then finds it taken:
 *     nothing is inserted twice.
 * Indicator rows have no foreign key to their project (sql/0013): they are
 * written only with it, and st_delete deletes them with it.
 * Edits lock the row (SELECT ... FOR UPDATE) in a transaction, compare the
 * version (If-Match) and write document, rows and audit entry together.
 */
#include "db/projects.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/reach.h"
#include "batch.h"
#include "util.h"

/* Indicator rows from the stored document of the CTE p. */
#define IND_INSERT                                                                        \
    "INSERT INTO indicators (province, id, project_id, position, level1, level2, name,"   \
    " weight, target, actual, rule, deviation_reason, reported_score)"                    \
    " SELECT p.province, (x.e->>'id')::bigint, p.id, (x.n - 1)::integer, x.e->>'level1',"  \
    " x.e->>'level2', x.e->>'name', (x.e->>'weight')::numeric, x.e->'target',"            \
    " x.e->'actual', x.e->'rule', x.e->>'deviation_reason',"                              \
    " (x.e->>'reported_score')::numeric"                                                  \
    " FROM p, jsonb_array_elements(p.doc->'indicators') WITH ORDINALITY AS x(e, n)"

#define PROJECT_JSON(t)                                                                   \
    "jx_project_json(" t ".id, " t ".org_id, " t ".region_code, " t ".status, " t          \
    ".version, " t ".return_reason, " t ".created_at, " t ".updated_at, " t ".doc)::text"

/* The create, of one project or of several at once (group commit: batch.c
 * gathers the creates that arrive while others run).  $1 is a JSON array
 * with one element per create, itself an array whose members k = 0..18
 * are what a single create's $k+1 would be: the caller's role, org id and
 * province, the Idempotency-Key, the document with its indicators' ids
 * (member 4, JSON, ids from dbp_alloc_ids; the rest are strings or null),
 * the target org, the eleven columns of put_cols, the request's hash, the
 * token id.  Per element: the organisation in reach, the project's id
 * drawn, the key claimed (naming the project: idempotency.c
 * rebuilds a replay from the audit entry), then project, indicators and
 * audit entry.  Keys are claimed in key order, so two runs that share
 * keys wait for each other in one order and never deadlock; two elements
 * of one run with the same key: the second finds it taken (DO NOTHING)
 * and replays the first.  One row per element, in order: organisation
 * found (0/1), created (0/1), the response body when created, the id. */
static const pool_stmt st_create = {
    "jx_project_create4",
    "WITH x AS (SELECT t.n, t.e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n)),"
    " o AS (SELECT x.n, x.e, g.id, g.parent_id, g.region_code,"
    "   jx_province(g.region_code) AS province FROM x JOIN orgs g"
    "   ON g.id = coalesce((x.e->>5)::bigint, (x.e->>1)::bigint) AND g.kind <> 'admin'"
    "    AND (x.e->>0 = 'admin' OR g.id = (x.e->>1)::bigint"
    "         OR (x.e->>0 = 'department' AND g.parent_id = (x.e->>1)::bigint))),"
    " b AS (SELECT o.*, nextval('projects_id_seq') AS pid, o.e->4 AS doc FROM o),"
    " k AS (INSERT INTO idempotency_keys (province, org_id, key, request_hash, status,"
    "   content_type, location, etag, project_id)"
    "   SELECT b.e->>2, (b.e->>1)::bigint, b.e->>3, decode(b.e->>17, 'hex'), 201,"
    "   'application/json', '/v1/projects/' || b.pid, '\"1\"', b.pid FROM b"
    "   WHERE b.e->>3 IS NOT NULL ORDER BY 1, 2, 3"
    "   ON CONFLICT DO NOTHING RETURNING project_id),"
    " p AS (INSERT INTO projects (province, id, org_id, parent_org_id, region_code, year, name,"
    "   code, framework_id, fund_nature, category, budget_initial, budget_adjusted,"
    "   budget_executed, reported_total, reported_grade, indicator_count, doc,"
    "   created_by_token, updated_by_token)"
    "   SELECT b.province, b.pid, b.id, b.parent_id, b.region_code, (b.e->>6)::integer,"
    "   b.e->>7, b.e->>8, b.e->>9, b.e->>10, b.e->>11, (b.e->>12)::numeric,"
    "   (b.e->>13)::numeric, (b.e->>14)::numeric, (b.e->>15)::numeric, b.e->>16,"
    "   jsonb_array_length(b.doc->'indicators'), b.doc, (b.e->>18)::bigint,"
    "   (b.e->>18)::bigint FROM b"
    "   WHERE b.e->>3 IS NULL OR b.pid IN (SELECT project_id FROM k)"
    "   RETURNING province, id, org_id, parent_org_id, region_code, doc),"
    " i AS (" IND_INSERT "),"
    " a AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, after)"
    "   SELECT p.province, 'project', p.id, p.org_id, p.parent_org_id, p.region_code,"
    "   'create', 1, (b.e->>1)::bigint, (b.e->>18)::bigint, p.doc FROM p JOIN b ON b.pid = p.id)"
    " SELECT (b.pid IS NOT NULL)::integer, (p.id IS NOT NULL)::integer,"
    " CASE WHEN p.id IS NOT NULL THEN jx_project_json(p.id, p.org_id, p.region_code, 'draft',"
    " 1, NULL, now(), now(), p.doc)::text END, b.pid"
    " FROM x LEFT JOIN b ON b.n = x.n LEFT JOIN p ON p.id = b.pid ORDER BY x.n",
    1};

/* The stored document as jsonb's text plus the columns around it; the
 * representation is put together in C (routes_projects.c), which spares
 * the database a jsonb build, a concatenation and a second serialisation
 * of the whole document per read.  Read in binary form (dbp_get): the
 * two time stamps through to_char were ~10% of the backend's CPU per
 * read. */
static const pool_stmt st_get = {
    "jx_project_get4",
    "SELECT p.version, p.id, p.org_id, p.region_code, p.status, p.return_reason,"
    " p.created_at, p.updated_at, p.doc::text FROM projects p"
    " WHERE p.id = $5::bigint AND " REACH_ROW("p", "$1", "$2", "$3", "$4"),
    5};

static const pool_stmt st_lock = {
    "jx_project_lock",
    "SELECT p.province, p.org_id, p.parent_org_id, p.region_code, p.status, p.version,"
    " p.doc::text,"
    " ($1 = 'admin' OR p.org_id = $2::bigint"
    "  OR ($1 = 'department' AND p.parent_org_id = $2::bigint)),"
    " ($1 = 'admin' OR (p.org_id <> $2::bigint AND (($1 = 'department'"
    "  AND p.parent_org_id = $2::bigint) OR ($1 = 'finance' AND p.region_code LIKE $3 || '%')))),"
    " o.name"
    " FROM projects p JOIN orgs o ON o.id = p.org_id"
    " WHERE p.id = $5::bigint AND " REACH_ROW("p", "$1", "$2", "$3", "$4")
    " FOR UPDATE OF p",
    5};

static const pool_stmt st_del_inds = {
    "jx_project_del_inds",
    "DELETE FROM indicators WHERE province = $1 AND project_id = $2::bigint", 2};

static const pool_stmt st_update = {
    "jx_project_update",
    "WITH d AS (SELECT $3::jsonb AS doc),"
    " old AS (SELECT doc FROM projects WHERE province = $1 AND id = $2::bigint),"
    " p AS (UPDATE projects SET doc = d.doc, version = version + 1, updated_at = now(),"
    "   updated_by_token = $4::bigint, year = $5::integer, name = $6, code = $7,"
    "   framework_id = $8, fund_nature = $9, category = $10, budget_initial = $11::numeric,"
    "   budget_adjusted = $12::numeric, budget_executed = $13::numeric,"
    "   reported_total = $14::numeric, reported_grade = $15,"
    "   indicator_count = jsonb_array_length(d.doc->'indicators')"
    "   FROM d WHERE province = $1 AND id = $2::bigint RETURNING projects.*),"
    " i AS (" IND_INSERT "),"
    " a AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, before, after)"
    "   SELECT p.province, 'project', p.id, p.org_id, p.parent_org_id, p.region_code, $16,"
    "   p.version, $17::bigint, $4::bigint, old.doc, p.doc FROM p, old)"
    " SELECT p.version, " PROJECT_JSON("p") " FROM p",
    17};

static const pool_stmt st_delete = {
    "jx_project_delete2",
    "WITH p AS (DELETE FROM projects WHERE province = $1 AND id = $2::bigint RETURNING *),"
    " i AS (DELETE FROM indicators WHERE province = $1 AND project_id = $2::bigint)"
    " INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    " region_code, action, version, actor_org_id, actor_token_id, before)"
    " SELECT p.province, 'project', p.id, p.org_id, p.parent_org_id, p.region_code, 'delete',"
    " p.version, $3::bigint, $4::bigint, p.doc FROM p",
    4};

static const pool_stmt st_transition = {
    "jx_project_transition",
    "WITH p AS (UPDATE projects SET status = $3, version = version + 1, updated_at = now(),"
    "   updated_by_token = $5::bigint, return_reason = CASE $4 WHEN 'submit' THEN NULL"
    "   WHEN 'return' THEN $6 ELSE return_reason END"
    "   WHERE province = $1 AND id = $2::bigint RETURNING *),"
    " a AS (INSERT INTO audit_log (province, resource, resource_id, org_id, parent_org_id,"
    "   region_code, action, version, actor_org_id, actor_token_id, reason, before, after)"
    "   SELECT p.province, 'project', p.id, p.org_id, p.parent_org_id, p.region_code, $4,"
    "   p.version, $7::bigint, $5::bigint, $6, jsonb_build_object('status', $8::text),"
    "   jsonb_build_object('status', p.status) FROM p)"
    " SELECT p.version, " PROJECT_JSON("p") " FROM p",
    8};

static const pool_stmt st_list = {
    "jx_project_list",
    "SELECT p.id, jx_project_summary(p)::text FROM projects p"
    " WHERE " REACH_ROW("p", "$1", "$2", "$3", "$4") " AND p.id > $5::bigint"
    "   AND ($6::integer IS NULL OR p.year = $6::integer)"
    "   AND ($7::bigint IS NULL OR p.org_id = $7::bigint)"
    "   AND ($8::text IS NULL OR p.region_code LIKE jx_region_prefix($8) || '%')"
    "   AND ($9::text IS NULL OR p.status = $9)"
    "   AND ($10::text IS NULL OR p.reported_grade = $10)"
    "   AND ($11::text IS NULL OR p.name ILIKE '%' || jx_like_escape($11) || '%')"
    " ORDER BY p.id LIMIT $12::integer",
    12};

static const pool_stmt st_history = {
    "jx_project_history",
    "SELECT a.id, jsonb_build_object('id', a.id, 'at', jx_time(a.at), 'action', a.action,"
    " 'version', a.version, 'actor', jsonb_build_object('org_id', a.actor_org_id,"
    " 'token_id', a.actor_token_id), 'reason', a.reason, 'before', a.before,"
    " 'after', a.after)::text"
    " FROM audit_log a WHERE a.resource = 'project' AND a.resource_id = $5::bigint"
    "   AND " REACH_ROW("a", "$1", "$2", "$3", "$4") " AND a.id > $6::bigint"
    " ORDER BY a.id LIMIT $7::integer",
    7};

static const pool_stmt st_alloc_ids = {
    "jx_indicator_ids",
    "SELECT array_agg(nextval('indicators_id_seq')) FROM generate_series(1, $1::integer)", 1};

/* ---- helpers ------------------------------------------------------------- */

/* "{1,2,3}" into n ids; -1 when it holds fewer. */
static int parse_ids(const char *arr, int64_t *ids, size_t n)
{
    const char *p = arr;
    size_t i = 0;

    if (*p == '{')
        p++;
    while (*p && *p != '}' && i < n) {
        char *end;

        ids[i++] = strtoll(p, &end, 10);
        p = end;
        if (*p == ',')
            p++;
    }
    return i == n ? 0 : -1;
}

/* Column texts of a project_in for the create and update statements. */
typedef struct {
    char year[16], initial[32], adjusted[32], executed[32], total[32];
} cols_text;

static void cols_of(const project_in *in, cols_text *c)
{
    snprintf(c->year, sizeof c->year, "%d", in->year);
    fen_text(in->initial_fen, c->initial, sizeof c->initial);
    fen_text(in->adjusted_fen, c->adjusted, sizeof c->adjusted);
    fen_text(in->executed_fen, c->executed, sizeof c->executed);
    snprintf(c->total, sizeof c->total, "%lld.%02lld", (long long)(in->total_cents / 100),
             (long long)(in->total_cents % 100));
}

/* The eleven project columns the create and update statements take in the
 * same order (year .. grade), from v[0]; c must outlive the statement. */
static void put_cols(const char **v, const project_in *in, const cols_text *c)
{
    v[0] = c->year;
    v[1] = in->name;
    v[2] = in->code;
    v[3] = in->framework;
    v[4] = in->fund_nature;
    v[5] = in->category;
    v[6] = in->has_initial ? c->initial : NULL;
    v[7] = in->has_adjusted ? c->adjusted : NULL;
    v[8] = in->has_executed ? c->executed : NULL;
    v[9] = in->has_total ? c->total : NULL;
    v[10] = in->grade;
}

/* ---- statements ---------------------------------------------------------- */

/* One create's element of st_create's $1: the values a single create's
 * statement would take, as a JSON array (the document raw). */
static void put_create(strbuf *sb, const dbp_create_job *j)
{
    const char *v[19];
    char org[24];
    cols_text c;
    int i;

    fmt_i64(j->in->org_id, org);
    cols_of(j->in, &c);
    v[0] = j->who->org_kind;
    v[1] = j->who->org_id_s;
    v[2] = j->who->province;
    v[3] = j->k->key;
    v[4] = j->doc;
    v[5] = j->in->org_id ? org : NULL;
    put_cols(v + 6, j->in, &c);
    v[17] = j->k->key ? j->k->hash : NULL;
    v[18] = j->who->token_id_s;
    sb_puts(sb, "[");
    for (i = 0; i < 19; i++) {
        if (i)
            sb_puts(sb, ",");
        if (i == 4)
            sb_puts(sb, v[i]);
        else if (v[i])
            sb_json_str(sb, v[i]);
        else
            sb_puts(sb, "null");
    }
    sb_puts(sb, "]");
}

static dbp_create_job *create_job(batch_job *b)
{
    return (dbp_create_job *)(void *)((char *)b - offsetof(dbp_create_job, link));
}

/* Row r of st_create's result into j. */
static int create_result(dbp_create_job *j, const PGresult *res, int r)
{
    j->found = PQgetvalue(res, r, 0)[0] == '1';
    j->created = PQgetvalue(res, r, 1)[0] == '1';
    snprintf(j->pid, sizeof j->pid, "%s", PQgetvalue(res, r, 3));
    if (j->created) {
        size_t n = (size_t)PQgetlength(res, r, 2);

        j->body = malloc(n + 1);
        if (!j->body)
            return -1;
        memcpy(j->body, PQgetvalue(res, r, 2), n + 1);
        j->body_len = n;
    }
    return 0;
}

/* Runs jobs[0..n) as one statement; -1 with *e filled when it failed as
 * a whole (nothing written), -2 when it ran but its answer is not one row
 * per create (written: never to be run again).  Each job's own failure
 * (out of memory while copying its result) is its rc. */
static int create_run(pool_conn *pc, batch_job **jobs, int n, db_err *e)
{
    strbuf sb;
    const char *v[1];
    PGresult *res = NULL;
    int i, rc = 0;

    sb_init(&sb);
    sb_puts(&sb, "[");
    for (i = 0; i < n; i++) {
        if (i)
            sb_puts(&sb, ",");
        put_create(&sb, create_job(jobs[i]));
    }
    sb_puts(&sb, "]");
    v[0] = sb_take(&sb, NULL);
    if (!v[0]) {
        db_fail(e, "out of memory");
        return -1;
    }
    if (db_exec(pc, &st_create, v, &res, e) < 0) {
        rc = -1;
        goto out;
    }
    if (PQntuples(res) != n) {
        db_fail(e, "create: not one row per project");
        rc = -2;
        goto out;
    }
    for (i = 0; i < n; i++) {
        dbp_create_job *j = create_job(jobs[i]);

        if (create_result(j, res, i) < 0) {
            db_fail(&j->e, "out of memory");
            j->rc = -1;
        }
    }
out:
    PQclear(res);
    free((char *)v[0]);
    return rc;
}

/* batch.c's run: all together; when that fails on a statement error
 * (one project's unique name, say) each alone, so that one create's
 * failure is its own; when the database is out of reach, all alike. */
static void create_batch_run(void *ctx, batch_job **jobs, int n)
{
    pool_conn *pc = ctx;
    db_err e;
    int i, rc;

    for (i = 0; i < n; i++) {
        create_job(jobs[i])->rc = 0;
        create_job(jobs[i])->body = NULL;
    }
    rc = create_run(pc, jobs, n, &e);
    if (rc == 0)
        return;
    if (rc == -1 && n > 1 && e.ps == POOL_EQUERY && pool_conn_usable(pc)) {
        for (i = 0; i < n; i++) {
            dbp_create_job *j = create_job(jobs[i]);

            if (!pool_conn_usable(pc)) {
                j->e = e;                   /* the connection broke on an earlier one */
                j->rc = -1;
            } else if (create_run(pc, jobs + i, 1, &j->e) < 0) {
                e = j->e;
                j->rc = -1;
            }
        }
        return;
    }
    for (i = 0; i < n; i++) {
        create_job(jobs[i])->e = e;
        create_job(jobs[i])->rc = -1;
    }
}

static batch_queue creates = BATCH_INITIALIZER(creates, 16, 2, create_batch_run);

void dbp_create(pool_conn *pc, dbp_create_job *job)
{
    batch_submit(&creates, &job->link, pc);
}

void dbp_create_job_free(dbp_create_job *job)
{
    free(job->body);
    job->body = NULL;
}

void dbp_metrics(strbuf *sb)
{
    unsigned long batches, creates_n;

    batch_stats(&creates, &batches, &creates_n);
        sb_printf(sb,
              "# HELP jixiao_project_create_statements_total Statements that created projects"
              " (group commit: creates that arrive together share one).\n"
              "# TYPE jixiao_project_create_statements_total counter\n"
              "jixiao_project_create_statements_total %lu\n"
              "# HELP jixiao_project_create_requests_total Creates those statements ran.\n"
              "# TYPE jixiao_project_create_requests_total counter\n"
              "jixiao_project_create_requests_total %lu\n",
              batches, creates_n);
}

int dbp_get(const auth_info *who, int64_t id, PGresult **res, db_err *e)
{
    char ids[24];
    const char *v[5];

    auth_reach_vals(who, v);
    fmt_i64(id, ids);
    v[4] = ids;
    return db_query_binary(&st_get, v, res, e);
}

int dbp_lock(pool_conn *pc, const auth_info *who, int64_t id, db_row *row, db_err *e)
{
    return db_lock_row(pc, &st_lock, who, id, row, e);
}

const pool_stmt *dbp_lock_stmt(void)
{
    return &st_lock;
}

/* Indicator ids come from indicators_id_seq in blocks of ID_BLOCK, drawn
 * by one statement and handed out by this process in order: a create
 * puts them into its document in C instead of having its statement
 * rebuild the document around one nextval per indicator (jsonb_agg,
 * jsonb_concat, jsonb_set: ~15% of a create's PostgreSQL CPU in a group
 * of 8).  Every id is still drawn from the sequence, so ids never collide
 * with another process's or the import's; ids of one project ascend in
 * position order (a block's ids ascend, and a later block's are larger).
 * A restart leaves a gap of at most ID_BLOCK - 1 ids, as a sequence's
 * cache would. */
#define ID_BLOCK 1024

static struct {
    pthread_mutex_t mu;
    int64_t ids[ID_BLOCK];
    size_t next, n;
} stash = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0};

static int refill(pool_conn *pc, db_err *e)
{
    char ns[24];
    const char *v[1] = {ns};
    PGresult *res = NULL;
    int rc = 0;

    snprintf(ns, sizeof ns, "%d", ID_BLOCK);
    if (db_exec(pc, &st_alloc_ids, v, &res, e) < 0)
        return -1;
    if (PQntuples(res) != 1 || parse_ids(PQgetvalue(res, 0, 0), stash.ids, ID_BLOCK) < 0) {
        db_fail(e, "indicator ids not allocated");
        rc = -1;
    } else {
        stash.next = 0;
        stash.n = ID_BLOCK;
    }
    PQclear(res);
    return rc;
}

int dbp_alloc_ids(pool_conn *pc, size_t n, int64_t *ids, db_err *e)
{
    int rc = 0;

    pthread_mutex_lock(&stash.mu);
    while (n) {
        size_t k;

        if (stash.next == stash.n && refill(pc, e) < 0) {
            rc = -1;
            break;
        }
        k = stash.n - stash.next < n ? stash.n - stash.next : n;
        memcpy(ids, stash.ids + stash.next, k * sizeof *ids);
        stash.next += k;
        ids += k;
        n -= k;
    }
    pthread_mutex_unlock(&stash.mu);
    return rc;
}

int dbp_update(pool_conn *pc, const auth_info *who, const db_row *row,
               const project_in *in, const char *doc, const char *action, PGresult **res,
               db_err *e)
{
    const char *v[17];
    char ids[24];
    cols_text c;
    PGresult *r = NULL;

    fmt_i64(row->id, ids);
    v[0] = row->province;
    v[1] = ids;
    if (db_exec(pc, &st_del_inds, v, &r, e) < 0)
        return -1;
    PQclear(r);
    cols_of(in, &c);
    v[2] = doc;
    v[3] = who->token_id_s;
    put_cols(v + 4, in, &c);
    v[15] = action;
    v[16] = who->org_id_s;
    return db_exec(pc, &st_update, v, res, e);
}

int dbp_delete(pool_conn *pc, const auth_info *who, const db_row *row, db_err *e)
{
    return db_row_exec(pc, &st_delete, who, row, e);
}

int dbp_transition(pool_conn *pc, const auth_info *who, const db_row *row,
                   const char *action, const char *to, const char *reason, PGresult **res,
                   db_err *e)
{
    return db_transition_row(pc, &st_transition, who, row, action, to, reason, res, e);
}

int dbp_list(const auth_info *who, const listquery *q, PGresult **res, db_err *e)
{
    const char *v[12];
    db_list_text t;

    db_list_vals(who, q->after, q->year, q->org, q->limit + 1, &t, v);
    v[7] = q->region;
    v[8] = q->status;
    v[9] = q->grade;
    v[10] = q->q;
    v[11] = t.limit;
    return db_query(&st_list, v, res, e);
}

int dbp_history(const auth_info *who, int64_t id, int64_t after, int limit, PGresult **res,
                db_err *e)
{
    return db_history_page(&st_history, who, id, after, limit, res, e);
}

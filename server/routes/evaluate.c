/*
 * routes/evaluate.c -- running an evaluation (POST /v1/projects/{id}/evaluations
 * and POST /v1/assessments/{id}/evaluations).
 *
 * The steps, inside the caller's transaction with the subject locked:
 *   1. the framework: the subject's own (or the one the request names),
 *      looked up in `frameworks` within the caller's reach.  The library's
 *      built-ins at their latest version are named by id (their versions
 *      are remembered per process: a built-in's latest version changes
 *      only with a new binary); any other version, and every finance
 *      bureau's framework, goes into the document as a whole framework
 *      object, so the library scores exactly the stored definition.  A
 *      version not yet used is marked used first (an UPDATE whose row lock
 *      makes a concurrent replacement wait), so what is scored is what
 *      stays stored.
 *   2. the library: jx_document_load, jx_score, jx_result_json.
 *   3. CROSS_TABLE_MISMATCH (scoring.md §6) against the other documents of
 *      the same organisation and year: a project's wide assessments, an
 *      assessment's projects (read in the round trip that took the lock,
 *      db_evaluations.c).
 *   4. the body, as text: the library's result with the cross findings
 *      appended to its findings, the counts by severity, what was
 *      evaluated and the scoring document read ("input").  Text, not a
 *      tree: the library writes scores as 98.50 and that is what is kept.
 *   5. db_evaluations.c stores it with the subject's rollup (and, without
 *      an Idempotency-Key, COMMIT in the same round trip); a dry run
 *      answers it without touching the database.
 *
 * The stored document is parsed once (Jansson trees and their malloc/free
 * were most of the server's CPU per evaluation): the scoring document is
 * built from that tree and written once, as the text the library loads
 * and the body keeps as "input".
 */
#include "routes/evaluate.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/assessment.h"
#include "input/body.h"
#include "db/evaluations.h"
#include "db/frameworks.h"
#include "jsonfast.h"
#include "metrics.h"
#include "problem.h"
#include "input/project.h"
#include "util.h"


static int fw_problem(jx_resp *resp, const char *code, const char *msg)
{
    jx_errors errs;

    jx_errors_clear(&errs);
    errs_add(&errs, JX_EINVALID, "/framework", code, "%s", msg);
    return problem_invalid(resp, &errs);
}

typedef struct {
    int version;
    char scope[24];
} fw_pick;

/* Built-in framework versions known to be used (immutable) and latest. */
#define BUILTIN_CACHE 8
static struct {
    char id[64];
    int version;
    char scope[24];
} builtin_cache[BUILTIN_CACHE];
static int builtin_cached;
static pthread_mutex_t builtin_lock = PTHREAD_MUTEX_INITIALIZER;

static int cached_builtin(const char *id, fw_pick *out)
{
    int i, found = 0;

    pthread_mutex_lock(&builtin_lock);
    for (i = 0; i < builtin_cached && i < BUILTIN_CACHE && !found; i++)
        if (!strcmp(builtin_cache[i].id, id)) {
            out->version = builtin_cache[i].version;
            snprintf(out->scope, sizeof out->scope, "%s", builtin_cache[i].scope);
            found = 1;
        }
    pthread_mutex_unlock(&builtin_lock);
    return found;
}

static void remember_builtin(const char *id, const fw_pick *f)
{
    pthread_mutex_lock(&builtin_lock);
    if (builtin_cached < BUILTIN_CACHE && strlen(id) < sizeof builtin_cache[0].id) {
        snprintf(builtin_cache[builtin_cached].id, sizeof builtin_cache[0].id, "%s", id);
        builtin_cache[builtin_cached].version = f->version;
        snprintf(builtin_cache[builtin_cached].scope, sizeof builtin_cache[0].scope, "%s",
                 f->scope);
        builtin_cached++;
    }
    pthread_mutex_unlock(&builtin_lock);
}

/* Puts the stored definition text into doc as the framework object. */
static int embed_definition(json_t *doc, const char *text, jx_resp *resp)
{
    json_t *def = json_loads(text, 0, NULL);

    if (!def) {
        problem_internal(resp, "framework definition");
        return -1;
    }
    json_object_set_new(doc, "framework", def);
    return 0;
}

/* Step 1: the framework; puts the definition into doc when needed. */
static int pick_framework(pool_conn *pc, const auth_info *who, const db_row *row,
                          const char *id, int version, int dry, json_t *doc, fw_pick *out,
                          jx_resp *resp)
{
    PGresult *res = NULL;
    db_err e;
    int rc = -1, builtin, used, latest;

    memset(out, 0, sizeof *out);
    if (!version && jx_ctx_framework(app.ctx, id) && cached_builtin(id, out)) {
        json_object_set_new(doc, "framework", json_string(id));
        return 0;
    }
    if (dbf_for_evaluation(pc, who, id, version, row->region_code, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    if (PQntuples(res) != 1) {
        fw_problem(resp, "FRAMEWORK_UNKNOWN",
                   "评价框架不存在或不在可用范围内 (no such framework within reach)");
        goto out;
    }
    out->version = atoi(PQgetvalue(res, 0, 0));
    snprintf(out->scope, sizeof out->scope, "%s", PQgetvalue(res, 0, 2));
    builtin = PQgetvalue(res, 0, 1)[0] == 't';
    used = PQgetvalue(res, 0, 3)[0] == 't';
    latest = PQgetvalue(res, 0, 4)[0] == 't';
    if (!used && !dry) {
        PGresult *m = NULL;

        if (dbf_mark_used(pc, id, out->version, &m, &e) < 0) {
            db_problem(resp, &e);
            goto out;
        }
        if (PQntuples(m) == 1 && !(builtin && latest)) {
            rc = embed_definition(doc, PQgetvalue(m, 0, 0), resp);
            PQclear(m);
            goto out;
        }
        PQclear(m);
        used = 1;
    }
    if (builtin && latest) {
        json_object_set_new(doc, "framework", json_string(id));
        if (used && !version)
            remember_builtin(id, out);
        rc = 0;
    } else {
        rc = embed_definition(doc, PQgetvalue(res, 0, 5), resp);
    }
out:
    PQclear(res);
    return rc;
}

/* The other document's scoring text, for cross findings. */
static char *other_document(const char *subject, const char *doc, size_t len, const char *org)
{
    return !strcmp(subject, "project") ? assessment_scoring_document(doc, len, org)
                                       : project_scoring_document(doc, len, org);
}

/* Step 3: CROSS_TABLE_MISMATCH findings of d against the other documents
 * (res: read with the lock, consumed; NULL: read them now), as a JSON
 * array text (malloc'd). */
static char *cross_findings(pool_conn *pc, const char *subject, const db_row *row,
                            const jx_document *d, PGresult *res, jx_resp *resp, int *failed)
{
    db_err e;
    json_t *all = json_array();
    char *out = NULL;
    int i;

    *failed = 0;
    if (!res && dbe_cross_docs(pc, subject, row->id, &res, &e) < 0) {
        db_problem(resp, &e);
        *failed = 1;
        goto out;
    }
    for (i = 0; i < PQntuples(res); i++) {
        char *text = other_document(subject, PQgetvalue(res, i, 1),
                                    (size_t)PQgetlength(res, i, 1), row->org_name);
        jx_errors errs;
        jx_document *other;
        char *found;
        json_t *arr, *f;
        size_t k;

        if (!text)
            continue;
        jx_errors_clear(&errs);
        other = jx_document_load(app.ctx, text, strlen(text), &errs);
        free(text);
        if (!other)
            continue; /* a document that no longer loads has nothing to compare */
        found = jx_cross_findings(d, other, PQgetvalue(res, i, 2));
        jx_document_free(other);
        arr = found ? json_loads(found, 0, NULL) : NULL;
        free(found);
        json_array_foreach(arr, k, f)
            json_array_append(all, f);
        json_decref(arr);
    }
out:
    PQclear(res);
    if (!*failed && all)
        out = json_dumps(all, JSON_COMPACT);
    json_decref(all);
    if (!out && !*failed) {
        problem_oom(resp);
        *failed = 1;
    }
    return out;
}

/* What was evaluated and by whom, as JSON members (no braces). */
static char *meta_members(const auth_info *who, const char *subject, const db_row *row,
                          const jx_document *d, int fw_version)
{
    json_t *m = json_object();
    char key[32];
    char *text, *out = NULL;
    size_t n;

    snprintf(key, sizeof key, "%s_id", subject);
    json_object_set_new(m, "subject", json_string(subject));
    json_object_set_new(m, key, json_integer(row->id));
    json_object_set_new(m, "subject_version", json_integer(row->version));
    json_object_set_new(m, "org_id", json_integer(row->org_id));
    json_object_set_new(m, "org", json_string(row->org_name));
    json_object_set_new(m, "region_code", json_string(row->region_code));
    json_object_set_new(m, "year", json_integer(jx_document_year(d)));
    json_object_set_new(m, "scope", json_string(jx_document_scope(d)));
    json_object_set_new(m, "name", jx_document_name(d) ? json_string(jx_document_name(d))
                                                         : json_null());
    json_object_set_new(m, "framework_version", json_integer(fw_version));
    json_object_set_new(m, "created_by",
                        json_pack("{s:I,s:s,s:I}", "org_id", (json_int_t)who->org_id,
                                  "org_name", who->org_name, "token_id",
                                  (json_int_t)who->token_id));
    text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    n = text ? strlen(text) : 0;
    if (n >= 2) {
        text[n - 1] = '\0'; /* drop the braces */
        out = strdup(text + 1);
    }
    free(text);
    return out;
}

/* Occurrences of needle in hay.  The library and jansson write a
 * finding's severity as "severity":"error" exactly; inside a JSON string
 * the quotes would be escaped, so a message cannot fake one. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);

    for (hay = strstr(hay, needle); hay; hay = strstr(hay + len, needle))
        n++;
    return n;
}

/* Step 4: the body text.  result ends with "findings":[...]} (the
 * library writes findings last); cross is a JSON array.  dry: the body
 * of a dry run (id null, time now); otherwise the database adds them. */
static char *compose(const char *result, const char *cross, const char *meta,
                     const char *input, int dry, int counts[3])
{
    strbuf sb;
    size_t rn = strlen(result), cn = strlen(cross);
    int result_empty;
    char now[40];

    while (rn && (result[rn - 1] == '\n' || result[rn - 1] == ' ' || result[rn - 1] == '\r'))
        rn--; /* the library ends its text with a newline */
    counts[0] = count_of(result, "\"severity\":\"error\"") + count_of(cross, "\"severity\":\"error\"");
    counts[1] = count_of(result, "\"severity\":\"warning\"") +
                count_of(cross, "\"severity\":\"warning\"");
    counts[2] = count_of(result, "\"severity\":\"info\"") + count_of(cross, "\"severity\":\"info\"");
    if (rn < 4 || result[0] != '{' || memcmp(result + rn - 2, "]}", 2) || cn < 2)
        return NULL;
    result_empty = !memcmp(result + rn - 3, "[]}", 3);
    sb_init(&sb);
    sb_puts(&sb, "{");
    if (dry) {
        now_rfc3339(now, sizeof now);
        sb_printf(&sb, "\"id\":null,\"created_at\":\"%s\",\"dry_run\":true,", now);
    }
    sb_append(&sb, result + 1, rn - 3);     /* up to the findings' "]" */
    if (cn > 2) {
        if (!result_empty)
            sb_puts(&sb, ",");
        sb_append(&sb, cross + 1, cn - 2);
    }
    sb_printf(&sb, "],\"finding_counts\":{\"error\":%d,\"warning\":%d,\"info\":%d},", counts[0],
              counts[1], counts[2]);
    sb_puts(&sb, meta);
    sb_puts(&sb, ",\"input\":");
    sb_puts(&sb, input);
    sb_puts(&sb, "}");
    return sb_take(&sb, NULL);
}

/* What reports need of the subject beyond the scoring document, from the
 * parsed stored document (members the scoring document does not touch). */
static char *subject_extras(const json_t *stored)
{
    static const char *const KEEP[] = {"code", "supervising_office", "fund_nature", "category",
                                       "evaluation_method", "goals", "problems", NULL};
    json_t *o = json_object(), *v;
    char *out;
    size_t i;

    for (i = 0; KEEP[i]; i++)
        if ((v = json_object_get(stored, KEEP[i])) && !json_is_null(v))
            json_object_set(o, KEEP[i], v);
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

static int load_problem(jx_resp *resp, const jx_errors *errs)
{
    return problem_errors(resp, 422, "invalid-document", "文档无法评分 (document cannot be scored)",
                          "存储的文档按所选框架无法评分，下列每一项都需更正 (the stored document "
                          "cannot be scored with this framework; every problem is listed)",
                          errs);
}

static int send_body(jx_resp *resp, unsigned status, const char *text, size_t n)
{
    char *copy = malloc(n + 1);

    if (!copy)
        return problem_oom(resp);
    memcpy(copy, text, n + 1);
    resp_body(resp, status, CT_JSON, copy, n);
    return 0;
}

static int oom(jx_resp *resp)
{
    return problem_oom(resp);
}

/* Step 5: stores body; 201 with Location. */
static int store(pool_conn *pc, const auth_info *who, const char *subject,
                 const db_row *row, const json_t *stored, const jx_document *d,
                 const jx_result *r, const char *fw_id, int fw_version, const char *body,
                 const int counts[3], const eval_db *db, jx_resp *resp)
{
    dbe_row dr;
    PGresult *res = NULL;
    db_err e;
    int rc = -1;

    memset(&dr, 0, sizeof dr);
    dr.province = row->province;
    dr.subject = subject;
    dr.subject_id = row->id;
    dr.subject_version = row->version;
    dr.org_id = row->org_id;
    dr.parent_org_id = row->parent_org_id;
    dr.region_code = row->region_code;
    dr.year = jx_document_year(d);
    dr.scope = jx_document_scope(d);
    dr.framework_id = fw_id;
    dr.framework_version = fw_version;
    dr.total = jx_result_total(r);
    dr.max = jx_result_max(r);
    dr.normalised = jx_result_normalised(r);
    dr.grade = jx_result_grade(r);
    dr.complete = jx_result_complete(r);
    dr.errors = counts[0];
    dr.warnings = counts[1];
    dr.infos = counts[2];
    dr.subject_doc = subject_extras(stored);
    if (!dr.subject_doc) {
        oom(resp);
        goto out;
    }
    dr.has_rollup = db->has_rollup;
    if (dbe_insert(pc, who, &dr, body, db->commit, &res, &e) < 0) {
        db_problem(resp, &e);
        goto out;
    }
    resp_header(resp, "Location", "/v1/evaluations/%s", PQgetvalue(res, 0, 0));
    rc = send_body(resp, 201, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
    metrics_evaluation();
out:
    PQclear(res);
    free((char *)(uintptr_t)dr.subject_doc);
    return rc;
}

/* The stored document (jsonb's text) as a tree: the quick reader first,
 * Jansson for whatever it leaves (jsonfast.c). */
static json_t *load_stored(const db_row *row)
{
    json_t *t = jsonfast_load(row->doc, row->doc_len);

    return t ? t : json_loadb(row->doc, row->doc_len, 0, NULL);
}

int eval_run(pool_conn *pc, const auth_info *who, const char *subject, const db_row *row,
             eval_db *db, const eval_options *opt, int dry, jx_resp *resp)
{
    /* The stored document is parsed once: the scoring document is built
     * from the tree (its text is written once, as the input the library
     * reads), and the report extras come from the same tree. */
    json_t *stored = load_stored(row);
    json_t *doc = !strcmp(subject, "project") ? project_scoring_json(stored, row->org_name)
                                              : assessment_scoring_json(stored, row->org_name);
    char fw_id[72];
    char *input = NULL, *result = NULL, *cross = NULL, *meta = NULL, *body = NULL;
    const char *scope;
    jx_document *d = NULL;
    jx_result *r = NULL;
    jx_errors errs;
    fw_pick fw;
    int rc = -1, failed, counts[3];

    if (!json_is_object(doc)) {
        problem_internal(resp, "stored document");
        goto out;
    }
    /* a copy: the document's framework member is replaced below */
    snprintf(fw_id, sizeof fw_id, "%s",
             opt->framework ? opt->framework
             : json_is_string(json_object_get(doc, "framework"))
                 ? json_string_value(json_object_get(doc, "framework"))
                 : "project-2020");
    scope = json_string_value(json_object_get(doc, "scope"));
    if (pick_framework(pc, who, row, fw_id, opt->version, dry, doc, &fw, resp) < 0)
        goto out;
    if (strcmp(fw.scope, scope ? scope : "project")) {
        fw_problem(resp, "FRAMEWORK_SCOPE",
                   "评价框架的适用范围与被评对象不符 (the framework's scope does not fit)");
        goto out;
    }
    input = jw_dump(doc, NULL); /* = json_dumps(doc, PROJECT_DUMP_FLAGS) */
    if (!input) {
        oom(resp);
        goto out;
    }
    jx_errors_clear(&errs);
    d = jx_document_load(app.ctx, input, strlen(input), &errs);
    if (!d) {
        load_problem(resp, &errs);
        goto out;
    }
    r = jx_score(d);
    result = r ? jx_result_json(r, NULL) : NULL;
    if (!result) {
        oom(resp);
        goto out;
    }
    cross = cross_findings(pc, subject, row, d, db->cross_docs, resp, &failed);
    db->cross_docs = NULL; /* consumed */
    if (failed)
        goto out;
    meta = meta_members(who, subject, row, d, fw.version);
    body = meta ? compose(result, cross, meta, input, dry, counts) : NULL;
    if (!body) {
        problem_internal(resp, "evaluation body");
        goto out;
    }
    if (dry)
        rc = send_body(resp, 200, body, strlen(body));
    else
        rc = store(pc, who, subject, row, stored, d, r, fw_id, fw.version, body, counts, db,
                   resp);
out:
    PQclear(db->cross_docs);
    db->cross_docs = NULL;
    jx_result_free(r);
    jx_document_free(d);
    json_decref(doc);
    json_decref(stored);
    free(input);
    free(result);
    free(cross);
    free(meta);
    free(body);
    return rc;
}

/*
 * test_body.c -- request decoding (server/input/body.c): JSON bodies (415,
 * 400 with line and column, duplicates, the kind of root), unknown fields
 * with their RFC 6901 pointers, path ids, If-Match, Idempotency-Key, page
 * limits and cursors, flags and integers of the query string.
 *
 * body.c reads a request only through server.h's accessors (req_header,
 * req_query, req_param); this test defines them over a small table of its
 * own in place of libmicrohttpd's connection, so the decoders run exactly
 * as the server runs them.  Each error is checked for its status and its
 * problem+json type, and each success for leaving the response untouched.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/body.h"
#include "jxtest.h"

/* ---- stand-ins for the request accessors (http/ in the server) ----------- */

#define MAXKV 8

struct MHD_Connection {
    int nh, nq;
    const char *hname[MAXKV], *hvalue[MAXKV];
    const char *qname[MAXKV], *qvalue[MAXKV];
};

static struct MHD_Connection conn;

const char *req_header(const jx_req *req, const char *name)
{
    const struct MHD_Connection *c = req->conn;
    int i;

    for (i = 0; c && i < c->nh; i++)
        if (!strcasecmp(c->hname[i], name)) /* header names ignore case */
            return c->hvalue[i];
    return NULL;
}

const char *req_query(const jx_req *req, const char *name)
{
    const struct MHD_Connection *c = req->conn;
    int i;

    for (i = 0; c && i < c->nq; i++)
        if (!strcmp(c->qname[i], name))
            return c->qvalue[i];
    return NULL;
}

const char *req_param(const jx_req *req, const char *name)
{
    size_t n = strlen(name);
    int i;

    for (i = 0; i < req->nparams; i++)
        if (req->params[i].namelen == n && !strncmp(req->params[i].name, name, n))
            return req->params[i].value;
    return NULL;
}

static jx_req req;
static jx_resp resp;

static void reset(void)
{
    if (resp.body && !resp.body_static)
        free(resp.body);
    memset(&resp, 0, sizeof resp);
    memset(&conn, 0, sizeof conn);
    memset(&req, 0, sizeof req);
    req.conn = &conn;
    req.method = "POST";
    req.path = "/test";
}

static void header(const char *name, const char *value)
{
    conn.hname[conn.nh] = name;
    conn.hvalue[conn.nh++] = value;
}

static void query(const char *name, const char *value)
{
    conn.qname[conn.nq] = name;
    conn.qvalue[conn.nq++] = value;
}

static void body(const char *text)
{
    req.body = (char *)(uintptr_t)text; /* read only */
    req.len = strlen(text);
}

static void path_param(const char *value)
{
    static const char pattern[] = "{id}";

    req.params[0].name = pattern + 1;
    req.params[0].namelen = 2;
    snprintf(req.params[0].value, sizeof req.params[0].value, "%s", value);
    req.nparams = 1;
}

/* The problem in resp: its status and type (urn:jixiao:problem:<slug>);
 * answers the parsed body (decref it) or NULL. */
static json_t *check_problem(unsigned status, const char *slug)
{
    json_t *o;
    char type[96];

    CHECK_INT(resp.status, status);
    CHECK(resp.content_type && !strcmp(resp.content_type, "application/problem+json"));
    o = resp.body ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
    CHECK(o != NULL);
    if (!o)
        return NULL;
    snprintf(type, sizeof type, "urn:jixiao:problem:%s", slug);
    CHECK_STR(json_string_value(json_object_get(o, "type")), type);
    CHECK_INT(json_integer_value(json_object_get(o, "status")), status);
    return o;
}

static void problem_only(unsigned status, const char *slug)
{
    json_decref(check_problem(status, slug));
}

static void untouched(void)
{
    CHECK_INT(resp.status, 0);
    CHECK(resp.body == NULL);
}

/* ---- JSON bodies ------------------------------------------------------------- */

static void test_json_type(void)
{
    static const char *const yes[] = {"application/json", "application/json; charset=utf-8",
                                      "APPLICATION/JSON", "application/json ",
                                      "application/problem+json", "application/merge-patch+json",
                                      "application/merge-patch+json; charset=utf-8", NULL};
    static const char *const no[] = {"text/plain", "application/jsonx", "application/xml",
                                     "text/x+json", "application/json-seq", "application/x-json+xml",
                                     "", "json", NULL};
    size_t i;

    jt_case("Content-Type absent counts as JSON");
    CHECK_INT(body_is_json_type(NULL), 1);
    for (i = 0; yes[i]; i++) {
        jt_case("JSON type '%s'", yes[i]);
        CHECK_INT(body_is_json_type(yes[i]), 1);
    }
    for (i = 0; no[i]; i++) {
        jt_case("not a JSON type '%s'", no[i]);
        CHECK_INT(body_is_json_type(no[i]), 0);
    }
}

static void test_body_json(void)
{
    json_t *root, *p;

    jt_case("an object");
    reset();
    body("{\"a\": 1, \"b\": [true, null]}");
    CHECK_INT(body_json(&req, &resp, 0, &root), 0);
    CHECK(json_is_object(root));
    CHECK_INT(json_integer_value(json_object_get(root, "a")), 1);
    untouched();
    json_decref(root);

    jt_case("an array when one is wanted");
    reset();
    body("[1, 2]");
    CHECK_INT(body_json(&req, &resp, 1, &root), 0);
    CHECK_INT(json_array_size(root), 2);
    json_decref(root);

    jt_case("415 for another media type, the body unread");
    reset();
    header("Content-Type", "text/plain");
    body("{}");
    root = (json_t *)1;
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    CHECK(root == NULL);
    problem_only(415, "unsupported-media-type");

    jt_case("400 with line and column");
    reset();
    header("content-type", "application/json; charset=utf-8");
    body("{\n  \"a\": 1,\n  \"b\": }\n");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    CHECK(root == NULL);
    p = check_problem(400, "malformed-json");
    if (p) {
        json_t *e = json_array_get(json_object_get(p, "errors"), 0);

        CHECK_INT(json_integer_value(json_object_get(p, "line")), 3);
        CHECK(json_integer_value(json_object_get(p, "column")) >= 7);
        CHECK_INT(json_integer_value(json_object_get(e, "line")), 3);
        CHECK_STR(json_string_value(json_object_get(e, "code")), "JSON_SYNTAX");
        CHECK(strstr(json_string_value(json_object_get(p, "detail")), "第 3 行") != NULL);
        CHECK(strstr(json_string_value(json_object_get(p, "detail")), "line 3") != NULL);
        json_decref(p);
    }

    jt_case("400 for an empty body, at line 1");
    reset();
    body("");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    p = check_problem(400, "malformed-json");
    if (p) {
        CHECK_INT(json_integer_value(json_object_get(p, "line")), 1);
        CHECK(json_integer_value(json_object_get(p, "column")) >= 1);
        json_decref(p);
    }

    jt_case("400 for a field given twice");
    reset();
    body("{\"a\": 1, \"a\": 2}");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    problem_only(400, "malformed-json");

    jt_case("400 for trailing bytes, a NUL inside, invalid UTF-8");
    reset();
    body("{} x");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    problem_only(400, "malformed-json");
    reset();
    req.body = (char *)(uintptr_t) "{\"a\":\"x\0y\"}";
    req.len = 11;
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    problem_only(400, "malformed-json");
    reset();
    body("{\"a\": \"\xff\"}");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    problem_only(400, "malformed-json");

    jt_case("400 for the wrong kind of root");
    reset();
    body("[1]");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    p = check_problem(400, "malformed-json");
    if (p) {
        CHECK(strstr(json_string_value(json_object_get(p, "detail")), "JSON 对象") != NULL);
        json_decref(p);
    }
    reset();
    body("{}");
    CHECK_INT(body_json(&req, &resp, 1, &root), -1);
    problem_only(400, "malformed-json");
    reset();
    body("3");
    CHECK_INT(body_json(&req, &resp, 0, &root), -1);
    problem_only(400, "malformed-json");
    reset();
}

static void test_unknown_fields(void)
{
    static const char *const allowed[] = {"name", "year", NULL};
    json_t *o, *p;

    jt_case("every field known");
    reset();
    o = jt_j("{'name': 'x', 'year': 2024}");
    CHECK_INT(body_unknown_fields(&resp, o, allowed, ""), 0);
    untouched();
    json_decref(o);

    jt_case("every unknown field listed, under base, escaped as RFC 6901 says");
    o = jt_j("{'name': 'x', 'nmae': 'y', 'a/b': 1, 'c~d': 2}");
    CHECK_INT(body_unknown_fields(&resp, o, allowed, "/doc"), -1);
    p = check_problem(400, "unknown-field");
    if (p) {
        json_t *errs = json_object_get(p, "errors");
        size_t i;
        int seen = 0;

        CHECK_INT(json_array_size(errs), 3);
        for (i = 0; i < json_array_size(errs); i++) {
            json_t *e = json_array_get(errs, i);
            const char *ptr = json_string_value(json_object_get(e, "pointer"));

            CHECK_STR(json_string_value(json_object_get(e, "code")), "UNKNOWN_FIELD");
            seen |= !strcmp(ptr, "/doc/nmae") ? 1 : !strcmp(ptr, "/doc/a~1b") ? 2
                  : !strcmp(ptr, "/doc/c~0d")  ? 4 : 0;
        }
        CHECK_INT(seen, 7);
        json_decref(p);
    }
    json_decref(o);

    jt_case("an empty object is fine, a root pointer has no base");
    reset();
    o = jt_j("{}");
    CHECK_INT(body_unknown_fields(&resp, o, allowed, ""), 0);
    json_decref(o);
    o = jt_j("{'x': 1}");
    CHECK_INT(body_unknown_fields(&resp, o, allowed, ""), -1);
    p = check_problem(400, "unknown-field");
    if (p) {
        CHECK_STR(json_string_value(
                      json_object_get(json_array_get(json_object_get(p, "errors"), 0), "pointer")),
                  "/x");
        json_decref(p);
    }
    json_decref(o);
    reset();
}

/* ---- path ids ------------------------------------------------------------------- */

static void test_path_id(void)
{
    static const struct {
        const char *text;
        int64_t want; /* 0: 404 */
    } cases[] = {
        {"1", 1},
        {"42", 42},
        {"9223372036854775807", INT64_MAX},
        {"007", 7}, /* leading zeros name the same id */
        {"0", 0},
        {"00", 0},
        {"-1", 0},
        {"9223372036854775808", 0}, /* 2^63 */
        {"18446744073709551616", 0},
        {"1x", 0},
        {"x1", 0},
        {"", 0},
        {"+1", 0},
        {" 1", 0},
        {"1 ", 0},
        {"0x10", 0},
        {"1e3", 0},
        {"1.0", 0},
        {"１", 0}, /* fullwidth digit */
    };
    size_t i;
    int64_t id;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jt_case("path id '%s'", cases[i].text);
        reset();
        path_param(cases[i].text);
        id = -5;
        if (cases[i].want) {
            CHECK_INT(path_id(&req, &resp, "id", &id), 0);
            CHECK_INT(id, cases[i].want);
            untouched();
        } else {
            CHECK_INT(path_id(&req, &resp, "id", &id), -1);
            problem_only(404, "not-found");
        }
    }
    jt_case("path id absent");
    reset();
    CHECK_INT(path_id(&req, &resp, "id", &id), -1);
    problem_only(404, "not-found");
    reset();
}

/* ---- If-Match ------------------------------------------------------------------- */

static void test_if_match(void)
{
    static const struct {
        const char *text;
        int64_t want; /* -1: 400 */
    } cases[] = {
        {"\"3\"", 3},
        {"W/\"3\"", 3},
        {"3", 3},
        {"*", 0},
        {" \"3\" ", 3},
        {"  *", 0},
        {"\"9223372036854775807\"", INT64_MAX},
        {"\"007\"", 7},
        {"\"0\"", -1},
        {"\"-1\"", -1},
        {"\"abc\"", -1},
        {"\"3\", \"4\"", -1},
        {"\"3\"x", -1},
        {"\"9223372036854775808\"", -1},
        {"\"99999999999999999999999999\"", -1},
        {"", -1},
        {"\"\"", -1},
        {"W/", -1},
        {"w/\"3\"", -1},
        {"* ", -1},
        {"**", -1},
    };
    size_t i;
    int64_t v;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jt_case("If-Match '%s'", cases[i].text);
        reset();
        header("If-Match", cases[i].text);
        v = -5;
        if (cases[i].want >= 0) {
            CHECK_INT(if_match(&req, &resp, &v), 0);
            CHECK_INT(v, cases[i].want);
            untouched();
        } else {
            CHECK_INT(if_match(&req, &resp, &v), -1);
            problem_only(400, "bad-request");
        }
    }
    jt_case("If-Match absent: 428");
    reset();
    CHECK_INT(if_match(&req, &resp, &v), -1);
    problem_only(428, "precondition-required");

    jt_case("ETag and If-Match agree");
    {
        char tag[32];

        etag_of(12, tag, sizeof tag);
        CHECK_STR(tag, "\"12\"");
        reset();
        header("If-Match", tag);
        CHECK_INT(if_match(&req, &resp, &v), 0);
        CHECK_INT(v, 12);
    }
    reset();
}

/* ---- Idempotency-Key -------------------------------------------------------------- */

static void test_idempotency_key(void)
{
    char k255[256], k256[257];
    const char *key;
    static const char *const bad[] = {"", "a b", "tab\there", "del\x7f", "键", "\x01", NULL};
    size_t i;

    memset(k255, 'k', 255);
    k255[255] = '\0';
    memset(k256, 'k', 256);
    k256[256] = '\0';

    jt_case("Idempotency-Key absent");
    reset();
    key = "x";
    CHECK_INT(idempotency_key(&req, &resp, &key), 0);
    CHECK(key == NULL);
    untouched();

    jt_case("Idempotency-Key of 1 and of 255 printable bytes");
    reset();
    header("Idempotency-Key", "!");
    CHECK_INT(idempotency_key(&req, &resp, &key), 0);
    CHECK_STR(key, "!");
    reset();
    header("Idempotency-Key", k255);
    CHECK_INT(idempotency_key(&req, &resp, &key), 0);
    CHECK_STR(key, k255);
    reset();
    header("Idempotency-Key", "0f8e-4c1a~{}[]");
    CHECK_INT(idempotency_key(&req, &resp, &key), 0);
    untouched();

    jt_case("Idempotency-Key of 256 bytes: 400");
    reset();
    header("Idempotency-Key", k256);
    CHECK_INT(idempotency_key(&req, &resp, &key), -1);
    CHECK(key == NULL);
    problem_only(400, "bad-request");
    for (i = 0; bad[i]; i++) {
        jt_case("Idempotency-Key '%s': 400", bad[i]);
        reset();
        header("Idempotency-Key", bad[i]);
        CHECK_INT(idempotency_key(&req, &resp, &key), -1);
        problem_only(400, "bad-request");
    }
    reset();
}

/* ---- paging and the query string ---------------------------------------------------- */

static void test_cursors(void)
{
    static const int64_t ids[] = {0, 1, 35, 36, 1295, 1296, 123456789, 4294967296LL,
                                  INT64_MAX - 1, INT64_MAX};
    static const char *const bad[] = {"x1", "c", "C1", "cA", "c-1", "c 1", "c1y2p0ij32e8e8",
                                      "c000000000000000", "c1.5", "1", NULL};
    char cur[32];
    size_t i;
    int limit;
    int64_t after;

    jt_case("cursor forms");
    page_cursor(0, cur, sizeof cur);
    CHECK_STR(cur, "c0");
    page_cursor(35, cur, sizeof cur);
    CHECK_STR(cur, "cz");
    page_cursor(36, cur, sizeof cur);
    CHECK_STR(cur, "c10");
    page_cursor(INT64_MAX, cur, sizeof cur);
    CHECK_STR(cur, "c1y2p0ij32e8e7");
    page_cursor(36, cur, 3); /* no room: empty, never cut */
    CHECK_STR(cur, "");

    for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        jt_case("cursor round trip %" PRId64, ids[i]);
        page_cursor(ids[i], cur, sizeof cur);
        reset();
        query("cursor", cur);
        after = -5;
        CHECK_INT(page_params(&req, &resp, &limit, &after), 0);
        CHECK_INT(after, ids[i]);
        CHECK_INT(limit, 50);
        untouched();
    }
    for (i = 0; bad[i]; i++) {
        jt_case("bad cursor '%s'", bad[i]);
        reset();
        query("cursor", bad[i]);
        CHECK_INT(page_params(&req, &resp, &limit, &after), -1);
        problem_only(400, "bad-request");
    }
    jt_case("empty cursor: the first page");
    reset();
    query("cursor", "");
    CHECK_INT(page_params(&req, &resp, &limit, &after), 0);
    CHECK_INT(after, 0);
    reset();
}

static void test_limits(void)
{
    static const char *const ok[] = {"1", "50", "1000", "0007", NULL};
    static const int wants[] = {1, 50, 1000, 7};
    static const char *const bad[] = {"0", "-1", "1001", "abc", "", "10x", "1e2",
                                      "99999999999999999999", NULL};
    int limit, v;
    int64_t after;
    size_t i;

    jt_case("limit absent: 50");
    reset();
    CHECK_INT(page_params(&req, &resp, &limit, &after), 0);
    CHECK_INT(limit, 50);
    CHECK_INT(after, 0);
    for (i = 0; ok[i]; i++) {
        jt_case("limit '%s'", ok[i]);
        reset();
        query("limit", ok[i]);
        CHECK_INT(page_params(&req, &resp, &limit, &after), 0);
        CHECK_INT(limit, wants[i]);
    }
    for (i = 0; bad[i]; i++) {
        jt_case("limit '%s': 400", bad[i]);
        reset();
        query("limit", bad[i]);
        CHECK_INT(page_params(&req, &resp, &limit, &after), -1);
        json_t *p = check_problem(400, "bad-request");
        if (p) {
            CHECK(strstr(json_string_value(json_object_get(p, "detail")), "limit") != NULL);
            json_decref(p);
        }
    }

    jt_case("query flags");
    reset();
    CHECK_INT(query_bool(&req, &resp, "dry_run", 1, &v), 0);
    CHECK_INT(v, 1);
    CHECK_INT(query_bool(&req, &resp, "dry_run", 0, &v), 0);
    CHECK_INT(v, 0);
    for (i = 0; i < 5; i++) {
        static const char *const t[] = {"true", "1", "", "false", "0"};

        reset();
        query("f", t[i]);
        CHECK_INT(query_bool(&req, &resp, "f", -1, &v), 0);
        CHECK_INT(v, i < 3 ? 1 : 0);
    }
    reset();
    query("f", "yes");
    CHECK_INT(query_bool(&req, &resp, "f", 0, &v), -1);
    problem_only(400, "bad-request");

    jt_case("query integers in a range");
    {
        int64_t n = 0;
        int set = 5;

        reset();
        CHECK_INT(query_int(&req, &resp, "year", 2000, 2100, &n, &set), 0);
        CHECK_INT(set, 0);
        reset();
        query("year", "2024");
        CHECK_INT(query_int(&req, &resp, "year", 2000, 2100, &n, &set), 0);
        CHECK_INT(set, 1);
        CHECK_INT(n, 2024);
        reset();
        query("year", "2101");
        CHECK_INT(query_int(&req, &resp, "year", 2000, 2100, &n, &set), -1);
        problem_only(400, "bad-request");
        reset();
        query("n", "-9223372036854775808");
        CHECK_INT(query_int(&req, &resp, "n", INT64_MIN, INT64_MAX, &n, &set), 0);
        CHECK_INT(n, INT64_MIN);
        reset();
        query("n", "9223372036854775808");
        CHECK_INT(query_int(&req, &resp, "n", INT64_MIN, INT64_MAX, &n, &set), -1);
        problem_only(400, "bad-request");
    }
    reset();
}

int main(void)
{
    test_json_type();
    test_body_json();
    test_unknown_fields();
    test_path_id();
    test_if_match();
    test_idempotency_key();
    test_cursors();
    test_limits();
    reset();
    return jt_finish("body");
}

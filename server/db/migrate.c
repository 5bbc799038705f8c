/*
 * db/migrate.c -- apply sql/NNNN_*.sql in order, record them, check versions.
 *
 * The migration files are embedded at build time (embed.cmake), so the
 * binary that serves a schema also carries it: no directory to ship, and
 * no way to run a server against migrations it was not built with.
 *
 * Each file runs inside one transaction together with its row in
 * schema_migrations, so a failing migration leaves nothing behind.  A
 * session advisory lock serialises concurrent migrators (several
 * containers starting at once).  The SHA-256 of each file is recorded;
 * a mismatch later means someone edited a landed migration, which is
 * reported but not fatal (the database already has what it has).
 *
 * The migration texts are our own, compiled in, and run with PQexec
 * (several statements per file); everything else uses parameters.
 */
#include "db/migrate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "log.h"
#include "sha256.h"
#include "util.h"

#define LOCK_KEY "7242771001" /* pg_advisory_lock key: "jixiao migrate" */

static int version_of(const char *name)
{
    int v = 0, digits = 0;

    for (; isdigit((unsigned char)*name); name++, digits++)
        v = v * 10 + (*name - '0');
    if (digits != 4 || *name != '_')
        return -1;
    return v;
}

int migrate_check_embedded(void)
{
    int prev = 0;
    size_t i;

    for (i = 0; i < jx_migrations_count; i++) {
        int v = version_of(jx_migrations[i].name);

        if (v <= prev) {
            log_msg(LOG_ERROR, "bad migration file name or order (want NNNN_name.sql)",
                    jx_migrations[i].name);
            return -1;
        }
        prev = v;
    }
    return 0;
}

int migrate_latest(void)
{
    return jx_migrations_count ? version_of(jx_migrations[jx_migrations_count - 1].name) : 0;
}

static int exec_ok(PGconn *pg, const char *sql, FILE *out, const char *what)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

    if (!ok)
        fprintf(out, "migrate: %s failed: %s", what, PQerrorMessage(pg));
    PQclear(r);
    return ok ? 0 : -1;
}

static void checksum(const jx_embedded *m, char hex[65])
{
    unsigned char h[32];

    sha256(m->text, m->len, h);
    hex_encode(h, 32, hex);
}

/* Applies one file and records it, in one transaction. */
static int apply_one(PGconn *pg, const jx_embedded *m, FILE *out)
{
    char version[16], sum[65];
    const char *params[3];
    PGresult *r;
    int ok;

    snprintf(version, sizeof version, "%d", version_of(m->name));
    checksum(m, sum);
    if (exec_ok(pg, "BEGIN", out, "BEGIN") < 0)
        return -1;
    if (exec_ok(pg, m->text, out, m->name) < 0)
        goto rollback;
    params[0] = version;
    params[1] = m->name;
    params[2] = sum;
    r = PQexecParams(pg,
                     "INSERT INTO schema_migrations (version, name, checksum) "
                     "VALUES ($1::integer, $2, $3)",
                     3, NULL, params, NULL, NULL, 0);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(out, "migrate: recording %s failed: %s", m->name, PQerrorMessage(pg));
    PQclear(r);
    if (!ok || exec_ok(pg, "COMMIT", out, "COMMIT") < 0)
        goto rollback;
    fprintf(out, "migrate: applied %s\n", m->name);
    return 0;
rollback:
    PQclear(PQexec(pg, "ROLLBACK"));
    return -1;
}

/* Reads what is applied; fills applied[] (indexed like jx_migrations). */
static int read_applied(PGconn *pg, int *applied, FILE *out)
{
    PGresult *r = PQexec(pg, "SELECT version, checksum FROM schema_migrations ORDER BY version");
    int i, n, rc = -1, latest = migrate_latest();

    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(out, "migrate: reading schema_migrations failed: %s", PQerrorMessage(pg));
        goto out;
    }
    n = PQntuples(r);
    for (i = 0; i < n; i++) {
        int v = atoi(PQgetvalue(r, i, 0));
        size_t k;

        if (v > latest) {
            fprintf(out,
                    "migrate: the database schema (version %d) is newer than this server "
                    "knows (%d); upgrade the server\n",
                    v, latest);
            goto out;
        }
        for (k = 0; k < jx_migrations_count; k++) {
            char sum[65];

            if (version_of(jx_migrations[k].name) != v)
                continue;
            applied[k] = 1;
            checksum(&jx_migrations[k], sum);
            if (strcmp(sum, PQgetvalue(r, i, 1)) != 0)
                fprintf(out, "migrate: warning: %s was edited after it was applied\n",
                        jx_migrations[k].name);
        }
    }
    rc = 0;
out:
    PQclear(r);
    return rc;
}

int migrate_apply(const char *conninfo, FILE *out)
{
    char err[512];
    PGconn *pg;
    int *applied = NULL, rc = -1, count = 0;
    size_t i;

    if (migrate_check_embedded() < 0)
        return -1;
    pg = pool_connect_one(conninfo, err, sizeof err);
    if (!pg) {
        fprintf(out, "migrate: cannot connect to the database: %s\n", err);
        return -1;
    }
    applied = calloc(jx_migrations_count, sizeof *applied);
    if (!applied)
        goto out;
    if (exec_ok(pg, "SET client_min_messages = warning", out, "SET") < 0 ||
        exec_ok(pg, "SELECT pg_advisory_lock(" LOCK_KEY ")", out, "lock") < 0 ||
        exec_ok(pg,
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY,"
                " name text NOT NULL,"
                " checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())",
                out, "creating schema_migrations") < 0 ||
        read_applied(pg, applied, out) < 0)
        goto out;
    for (i = 0; i < jx_migrations_count; i++) {
        if (applied[i])
            continue;
        if (apply_one(pg, &jx_migrations[i], out) < 0)
            goto out;
        count++;
    }
    fprintf(out, "migrate: schema at version %d (%d applied now)\n", migrate_latest(), count);
    rc = 0;
out:
    free(applied);
    PQfinish(pg); /* ends the session: releases the advisory lock */
    return rc;
}

static const pool_stmt st_has_table = {
    "jx_migrate_has_table", "SELECT to_regclass('schema_migrations') IS NOT NULL", 0};
static const pool_stmt st_version = {
    "jx_migrate_version", "SELECT coalesce(max(version), 0) FROM schema_migrations", 0};

pool_status migrate_db_version(pool *p, int *version, char *err, size_t errlen)
{
    PGresult *res = NULL;
    pool_status ps;
    int has;

    *version = 0;
    ps = pool_query(p, &st_has_table, NULL, &res, err, errlen);
    if (ps != POOL_OK)
        return ps;
    has = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    if (!has)
        return POOL_OK;
    ps = pool_query(p, &st_version, NULL, &res, err, errlen);
    if (ps != POOL_OK)
        return ps;
    *version = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return POOL_OK;
}

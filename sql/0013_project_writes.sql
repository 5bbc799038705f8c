-- 0013_project_writes.sql -- POST /v1/projects does less (issue 4).
--
-- 1. The indicators -> projects foreign key goes.  Its check ran once per
--    indicator row (20 per create) as an RI query whose plan each backend
--    caches on first use; on a new, never-analyzed database that plan took
--    projects_year (province, year, id) instead of the primary key and
--    scanned every project of the province per indicator row (quadratic:
--    ~40% of the backend's CPU in tests/bench/projects).  Even with the
--    right plan it cost 20 trigger calls and 20 row locks (FOR KEY SHARE,
--    each a WAL record) per create.  Indicator rows are written only by
--    statements that write their project in the same statement
--    (db_projects.c create and update, the import's COPY of both in one
--    transaction), and the one statement that deletes a project deletes
--    its indicators too (db_projects.c, st_delete), so the key guarded
--    nothing the code does not already do.  Measured with JIXIAO_THREADS=16
--    on an empty database: dropping it gave 1.3-1.4x creates/s and -25%
--    PostgreSQL CPU per create (README, "Measured").
--
-- 2. An Idempotency-Key of a project create no longer stores its response
--    body (the third compressed copy of the document per create, after the
--    project's and the audit entry's): it names the project, and a replay
--    rebuilds the first response from the audit entry of version 1 (the
--    document, organisation, region and time as created; the same
--    jx_project_json call that made the first response), so later edits
--    or the project's deletion do not change what a retry gets.
--    Other endpoints still store their body.
--
-- 3. projects_org_year (province, org_id, year, id) is dropped: every
--    query that used it is served as well by projects_natural_name
--    (province, org_id, year, name) -- the reach of a unit (org_id =),
--    the list's org and year filters, the import's name lookup -- and it
--    was one more index entry per create.
--
-- 4. Indicators get one index instead of two: the primary key becomes
--    (province, project_id, position), which was already unique and is
--    what every statement uses (deleting a project's rows); the old key
--    (province, id) served no query (nothing reads an indicator row by
--    its id -- the id lives in the project's document), and cost 20 index
--    entries per create (~1.5 KB of WAL of 12.6; pg_waldump).  Ids stay unique: they
--    come from indicators_id_seq only.  Rebuilding the key reads the
--    table once (minutes for ten million rows, under an exclusive lock).
ALTER TABLE indicators DROP CONSTRAINT indicators_province_project_id_fkey;

ALTER TABLE indicators DROP CONSTRAINT indicators_pkey,
                       DROP CONSTRAINT indicators_province_project_id_position_key,
                       ADD PRIMARY KEY (province, project_id, position);

ALTER TABLE idempotency_keys ADD COLUMN project_id bigint;

DROP INDEX projects_org_year;

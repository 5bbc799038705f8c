-- 0003_compression.sql -- lz4 for the large jsonb and text columns.
--
-- A project's document (a few KB with 20 indicators) is above the TOAST
-- threshold, so every create compressed it three times with pglz (the
-- project, its audit entry, the stored Idempotency-Key response): pglz
-- was the largest single cost in PostgreSQL's profile of POST
-- /v1/projects (tests/bench/projects).  lz4 compresses several times
-- faster and decompresses faster for every GET; PostgreSQL 15 as
-- packaged by Debian is built with it.  Existing values stay as they are
-- (each value records its own method); new ones use lz4.
ALTER TABLE projects ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE audit_log ALTER COLUMN before SET COMPRESSION lz4,
                      ALTER COLUMN after SET COMPRESSION lz4;
ALTER TABLE idempotency_keys ALTER COLUMN body SET COMPRESSION lz4;

-- 0023_results_cleanup.sql -- a deleted project takes its monitoring
-- reports, 整改 items and budget decision with it (issue 20).
--
-- Only drafts are deleted (a project returned after submission is a draft
-- again, so it may have items).  The rows have no foreign key to their
-- project (like indicators, sql/0013: keys cost every write a trigger and
-- a lock); this one trigger runs on deletes only.  Their audit entries
-- stay, like the project's own.
CREATE FUNCTION jx_results_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM monitoring_reports WHERE province = OLD.province AND project_id = OLD.id;
    DELETE FROM rectifications WHERE province = OLD.province AND project_id = OLD.id;
    DELETE FROM advice_decisions WHERE province = OLD.province AND project_id = OLD.id;
    RETURN OLD;
END $$;

CREATE TRIGGER projects_results_cleanup AFTER DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION jx_results_cleanup();

-- 0022_advice.sql -- budget advice by grade (结果应用, issue 20): a finance
-- bureau's rules from grade to advice, for its region (the nearest region
-- above a project's that has a rule for its grade applies; region 000000
-- holds the defaults), and the bureau's recorded decision per project.
-- Changes are audited under the bureau (resource 'org', action
-- 'advice.rules') and the project (resource 'project', action
-- 'advice.decision').
CREATE TABLE advice_rules (
    region_code text NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    grade       text NOT NULL CHECK (length(grade) BETWEEN 1 AND 20),
    advice      text NOT NULL CHECK (length(btrim(advice)) BETWEEN 1 AND 500),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region_code, grade)
);
INSERT INTO advice_rules (region_code, grade, advice) VALUES
    ('000000', '优', '保持或优先保障'), ('000000', '良', '保持'),
    ('000000', '中', '调整或压减'), ('000000', '差', '压减或取消'),
    ('000000', '优秀', '保持或优先保障'), ('000000', '良好', '保持'),
    ('000000', '合格', '调整或压减'), ('000000', '不合格', '压减或取消');

-- The advice for a grade in a region, with the region whose rule it is.
CREATE FUNCTION jx_advice_for(region text, g text, OUT advice text, OUT set_in text)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a.advice, a.region_code FROM advice_rules a
    WHERE a.grade = g
      AND a.region_code IN (region, left(region, 4) || '00', left(region, 2) || '0000', '000000')
    ORDER BY length(rtrim(a.region_code, '0')) DESC LIMIT 1 $$;

CREATE TABLE advice_decisions (
    province      text    NOT NULL,
    project_id    bigint  NOT NULL,
    org_id        bigint  NOT NULL,
    parent_org_id bigint,
    region_code   text    NOT NULL,
    decision      text    NOT NULL CHECK (length(btrim(decision)) BETWEEN 1 AND 500),
    amount        numeric(18, 2) CHECK (amount >= 0),
    note          text,
    version       integer NOT NULL DEFAULT 1,
    decided_by_org bigint NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (province, project_id)
);

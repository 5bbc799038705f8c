-- 0020_monitoring.sql -- mid-year monitoring (双监控, issue 20): a project's
-- reports of execution to date and indicator progress, by period, and the
-- thresholds of the colours, a finance bureau's setting for its region.
--
-- Colours are computed when read, never stored: a bureau that changes its
-- thresholds recolours every report at once, and a project whose budget is
-- changed is measured against its budget of now.  The arithmetic is exact
-- (numeric): ratio = (executed / budget) / (months / 12) is compared with a
-- threshold t as executed * 12 >= t * budget * months, so 0.6 and 0.8 are
-- met exactly, without a division and without floats.
--
-- Audit entries of reports are written under the project (resource
-- 'project', action 'monitoring', the period as reason): a project's
-- history shows its reports beside its edits.  Thresholds are written
-- under the bureau (resource 'org', action 'monitoring.thresholds').
CREATE SEQUENCE monitoring_reports_id_seq;

CREATE TABLE monitoring_reports (
    province            text    NOT NULL CHECK (province ~ '^[0-9]{2}0000$'),
    id                  bigint  NOT NULL DEFAULT nextval('monitoring_reports_id_seq'),
    project_id          bigint  NOT NULL,
    org_id              bigint  NOT NULL,
    parent_org_id       bigint,
    region_code         text    NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    year                integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    period              text    NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$'),
    months              integer NOT NULL CHECK (months BETWEEN 1 AND 12),
    executed            numeric(18, 2) NOT NULL CHECK (executed >= 0),
    executed_as_written text,
    progress            jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(progress) = 'array'),
    notes               text,
    reasons             text,
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    updated_by_token    bigint,
    PRIMARY KEY (province, id),
    UNIQUE (province, project_id, period)
);
CREATE INDEX monitoring_reports_region ON monitoring_reports
    (province, region_code text_pattern_ops, year, id);
CREATE INDEX monitoring_reports_id ON monitoring_reports (id);
CREATE INDEX monitoring_reports_project ON monitoring_reports (project_id);

-- One setting per region: the bureau of a county, a city or a province
-- (or the operator's default, region 000000).  The nearest one above a
-- project's region applies.
CREATE TABLE monitoring_thresholds (
    region_code text    PRIMARY KEY CHECK (region_code ~ '^[0-9]{6}$'),
    green       numeric(6, 4) NOT NULL,
    yellow      numeric(6, 4) NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by_org bigint,
    CHECK (yellow > 0 AND yellow < green AND green <= 10)
);
INSERT INTO monitoring_thresholds (region_code, green, yellow) VALUES ('000000', 0.8, 0.6);

-- The thresholds that apply in a region: its own, its city's, its
-- province's, else the default.
CREATE FUNCTION jx_mon_thresholds(region text, OUT green numeric, OUT yellow numeric,
                                  OUT set_in text)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT t.green, t.yellow, t.region_code FROM monitoring_thresholds t
    WHERE t.region_code IN (region, left(region, 4) || '00', left(region, 2) || '0000', '000000')
    ORDER BY length(rtrim(t.region_code, '0')) DESC LIMIT 1 $$;

-- The colour of `done` of `whole` after `months` of twelve; NULL when
-- there is nothing to measure against.  Exact (see above).
CREATE FUNCTION jx_mon_color(done numeric, whole numeric, months integer, green numeric,
                             yellow numeric) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN whole IS NULL OR whole <= 0 OR done IS NULL OR months IS NULL THEN NULL
                WHEN done * 12 >= green * whole * months THEN 'green'
                WHEN done * 12 >= yellow * whole * months THEN 'yellow'
                ELSE 'red' END;

-- (done / whole) / (months / 12), four decimals, for display only.
CREATE FUNCTION jx_mon_ratio(done numeric, whole numeric, months integer) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN whole > 0 AND months > 0 THEN round(done * 12 / (whole * months), 4) END;

-- The indicator progress of a report with each item's expected value
-- (target pro rata), ratio and colour; items not cumulative are not
-- coloured.
CREATE FUNCTION jx_mon_progress(progress jsonb, months integer, green numeric, yellow numeric)
    RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_agg(CASE WHEN (x.e->>'cumulative')::boolean THEN
        x.e || jsonb_build_object(
            'expected', round((x.e->>'target')::numeric * months / 12, 2),
            'ratio', jx_mon_ratio((x.e->>'value')::numeric, (x.e->>'target')::numeric, months),
            'color', jx_mon_color((x.e->>'value')::numeric, (x.e->>'target')::numeric, months,
                                  green, yellow))
        ELSE x.e || '{"expected": null, "ratio": null, "color": null}'::jsonb END
        ORDER BY x.n), '[]'::jsonb)
    FROM jsonb_array_elements(progress) WITH ORDINALITY AS x(e, n) $$;

-- The representation of a report, with the project's budget of now.
CREATE FUNCTION jx_monitoring_json(m monitoring_reports, project_name text, budget numeric,
                                   green numeric, yellow numeric) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'id', m.id, 'project_id', m.project_id, 'project_name', project_name,
        'org_id', m.org_id, 'region_code', m.region_code, 'year', m.year,
        'period', m.period, 'months', m.months,
        'executed_to_date', to_char(m.executed, 'FM9999999999999990.00'),
        'amounts_as_written', jsonb_strip_nulls(jsonb_build_object(
            'executed_to_date', m.executed_as_written)),
        'budget', to_char(budget, 'FM9999999999999990.00'),
        'time_progress', round(m.months::numeric / 12, 4),
        'execution_rate', CASE WHEN budget > 0 THEN round(m.executed / budget, 4) END,
        'ratio', jx_mon_ratio(m.executed, budget, m.months),
        'color', jx_mon_color(m.executed, budget, m.months, green, yellow),
        'thresholds', jsonb_build_object('green', green, 'yellow', yellow),
        'indicators', p.items,
        'lagging_indicators', (SELECT coalesce(jsonb_agg(i->'indicator_id'), '[]'::jsonb)
                               FROM jsonb_array_elements(p.items) i
                               WHERE i->>'color' IN ('red', 'yellow')),
        'notes', m.notes, 'reasons', m.reasons,
        'warnings', CASE WHEN budget IS NOT NULL AND m.executed > budget THEN jsonb_build_array(
            jsonb_build_object('code', 'OVERSPENT', 'message',
                '执行数 ' || to_char(m.executed, 'FM9999999999999990.00') || ' 元超过预算数 '
                || to_char(budget, 'FM9999999999999990.00') || ' 元 (executed to date above the budget)'))
            WHEN budget IS NULL THEN jsonb_build_array(jsonb_build_object('code', 'NO_BUDGET',
                'message', '项目没有预算数，无法计算执行率 (the project has no budget)'))
            ELSE '[]'::jsonb END,
        'version', m.version, 'created_at', jx_time(m.created_at),
        'updated_at', jx_time(m.updated_at))
    FROM (SELECT jx_mon_progress(m.progress, m.months, green, yellow) AS items) p $$;

#!/usr/bin/python3
"""bench.py -- GET /v1/totals against a bare SELECT ... GROUP BY in psql,
and GET /v1/findings against a bare SELECT of the same page.

    bench.py BASE_URL DATABASE_URL ADMIN_TOKEN PROVINCE_TOKEN YEAR SCALE ROUNDS

Three figures, each alternating ours and the baselines ROUNDS times, medians
compared.  The totals are served from totals_summary (sql/0011; the
response's X-Jixiao-Totals says so, and is checked); the baselines
aggregate the raw per-project rows, as operations.md's target says, so
the totals ask for scope=project (the country has wide assessments too,
gen.py --wide).  The baseline is the bare aggregate over the same rows computing
the same figures (counts, sums, rate, means, per-grade counts and amounts,
finding counts) in one SELECT ... GROUP BY; a minimal aggregate (counts,
sums and means only) is timed too and its ratio printed after:

  province-year: GET /v1/totals?year=Y&scope=project with a province
      finance bureau's token (its whole province, grade shares and all) vs the bare
      aggregate over the same rows (projects joined with their rollups,
      that province and year, submitted and accepted);
  country by province: GET /v1/totals?year=Y&scope=project&group_by=region&
      region_level=province with the operator's token vs the same
      aggregate grouped by province;
  findings page: GET /v1/findings?year=Y (the first page, 50 findings)
      with the province bureau's token vs the bare SELECT of the same page:
      the province-year's rollups with findings in evaluation id order, their
      evaluations joined, the bodies' findings expanded, LIMIT 50 (no reach
      rule, no JSON building).  No minimal baseline: "-".

Ours is the wall time of the HTTP request on a kept-alive connection
(authentication, the statement, encoding, the transfer); the baseline is
psql's \\timing of the query in one psql session (also a round trip with
the rows transferred; the second run in its session).  Both run with jit=off (the server sets it on its
connections; PGOPTIONS for psql) so that neither pays LLVM compilation.
Prints one line per figure: "figure, ours ms, baseline ms, ratio, minimal
baseline ms, ratio to it" (tab-separated).
"""
import http.client
import statistics
import subprocess
import sys
import time
import urllib.parse

BASELINE_JOIN = ("FROM projects p LEFT JOIN evaluation_rollups r ON r.year = p.year"
                 " AND r.province = p.province AND r.subject = 'project' AND r.subject_id = p.id"
                 " WHERE p.year = {year} AND p.status IN ('submitted', 'accepted')")
# the same figures the service returns, written plainly
BASELINE_SAME = ("SELECT {key}, count(*), count(r.normalised), count(*) FILTER (WHERE NOT r.complete),"
                 " sum(p.budget_initial), sum(p.budget_adjusted), sum(p.budget_executed),"
                 " round(sum(p.budget_executed) / sum(p.budget_adjusted), 4),"
                 " round(avg(r.normalised), 2),"
                 " round(sum(r.normalised * p.budget_adjusted) / sum(p.budget_adjusted)"
                 " FILTER (WHERE r.normalised IS NOT NULL), 2),"
                 + ",".join(f" count(*) FILTER (WHERE r.grade {g}), sum(p.budget_executed)"
                            f" FILTER (WHERE r.grade {g})"
                            for g in ("= '优'", "= '良'", "= '中'", "= '差'", "IS NULL")) +
                 ", count(*) FILTER (WHERE r.errors + r.warnings + r.infos > 0),"
                 " count(*) FILTER (WHERE r.errors > 0), count(*) FILTER (WHERE r.warnings > 0),"
                 " count(*) FILTER (WHERE r.infos > 0)")
# the same findings page, plainly
BASELINE_FINDINGS = ("SELECT e.id, f.n - 1, f.x FROM (SELECT province, evaluation_id"
                     " FROM evaluation_rollups WHERE province = '340000' AND year = {year}"
                     " AND errors + warnings + infos > 0 ORDER BY evaluation_id LIMIT 50) r"
                     " JOIN evaluations e ON e.province = r.province AND e.id = r.evaluation_id"
                     " CROSS JOIN LATERAL jsonb_array_elements(e.body::jsonb->'findings')"
                     " WITH ORDINALITY f(x, n) ORDER BY e.id, f.n LIMIT 50")
# a minimal aggregate: counts, sums and means only
BASELINE_MIN = ("SELECT {key}, count(*), count(r.normalised), sum(p.budget_initial),"
                " sum(p.budget_adjusted), sum(p.budget_executed), avg(r.normalised),"
                " sum(r.normalised * p.budget_adjusted) / sum(p.budget_adjusted)"
                " FILTER (WHERE r.normalised IS NOT NULL)")


def psql_ms(url, query):
    """psql's \\timing of the query's second run in one session (the first
    warms the session's catalog caches, as the server's pooled connections
    are warm)."""
    r = subprocess.run(["/usr/lib/postgresql/15/bin/psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1",
                        "-c", "\\timing on", "-c", query, "-c", query],
                       capture_output=True, text=True, timeout=600,
                       env={"PGOPTIONS": "-c jit=off", "PATH": "/usr/bin:/bin"})
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    times = [float(l.split()[1]) for l in r.stdout.splitlines() if l.startswith("Time: ")]
    return times[-1]


def http_ms(conn, path, token):
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    ms = (time.perf_counter() - t0) * 1000
    if r.status != 200:
        raise RuntimeError(f"{path}: {r.status} {body[:300]!r}")
    if path.startswith("/v1/totals") and r.getheader("X-Jixiao-Totals") != "summary":
        raise RuntimeError(f"{path}: not served from the summary")
    return ms


def main():
    base, db, admin, ptok, year, scale, rounds = sys.argv[1:8]
    rounds = int(rounds)
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    join = BASELINE_JOIN.format(year=int(year))
    cases = []
    for name, path, tok, key, where, group in (
            (f"totals: province-year ({scale}x data)", f"/v1/totals?year={year}&scope=project",
             ptok,
             "p.province", " AND p.province = '340000'", " GROUP BY p.province"),
            (f"totals: country by province, one year ({scale}x data)",
             f"/v1/totals?year={year}&scope=project&group_by=region&region_level=province",
             admin,
             "p.province", "", " GROUP BY p.province")):
        cases.append((name, path, tok,
                      BASELINE_SAME.format(key=key) + " " + join + where + group,
                      BASELINE_MIN.format(key=key) + " " + join + where + group))
    cases.append((f"findings: one province-year, first page ({scale}x data)",
                  f"/v1/findings?year={year}", ptok, BASELINE_FINDINGS.format(year=int(year)),
                  None))
    for name, path, tok, q_same, q_min in cases:
        # warm all three (caches, the server's connections)
        for _ in range(2):
            http_ms(conn, path, tok)
            psql_ms(db, q_same)
            if q_min:
                psql_ms(db, q_min)
        ours, same, mini = [], [], []
        for _ in range(rounds):
            ours.append(http_ms(conn, path, tok))
            same.append(psql_ms(db, q_same))
            if q_min:
                mini.append(psql_ms(db, q_min))
        o, b = statistics.median(ours), statistics.median(same)
        if mini:
            m = statistics.median(mini)
            tail = f"{m:.1f}\t{o / m:.2f}"
        else:
            tail = "-\t-"
        print(f"{name}\t{o:.1f}\t{b:.1f}\t{o / b:.2f}\t{tail}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""bench.py -- GET /v1/totals against a bare SELECT ... GROUP BY in psql.

    bench.py BASE_URL DATABASE_URL ADMIN_TOKEN PROVINCE_TOKEN YEAR SCALE ROUNDS

Two figures, each alternating ours and the baseline ROUNDS times, medians
compared:

  province-year: GET /v1/totals?year=Y with a province finance bureau's
      token (its whole province, grade shares and all) vs the bare
      aggregate over the same rows (projects joined with their rollups,
      that province and year, submitted and accepted) grouped by grade;
  country by province: GET /v1/totals?year=Y&group_by=region&
      region_level=province with the operator's token vs the same bare
      aggregate grouped by province.

Ours is the wall time of the HTTP request on a kept-alive connection
(authentication, the statement, encoding, the transfer); the baseline is
psql's \\timing of the query in one psql session (also a round trip with
the rows transferred; the second run in its session).  Both run with jit=off (the server sets it on its
connections; PGOPTIONS for psql) so that neither pays LLVM compilation.
Prints one line per figure: "figure<TAB>ours ms<TAB>baseline ms<TAB>ratio".
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
BASELINE_SELECT = ("SELECT {key}, count(*), count(r.normalised), sum(p.budget_initial),"
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
    return ms


def main():
    base, db, admin, ptok, year, scale, rounds = sys.argv[1:8]
    rounds = int(rounds)
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    join = BASELINE_JOIN.format(year=int(year))
    cases = [
        (f"totals: province-year ({scale}x data)", f"/v1/totals?year={year}", ptok,
         BASELINE_SELECT.format(key="r.grade") + " " + join + " AND p.province = '340000'"
         " GROUP BY r.grade"),
        (f"totals: country by province, one year ({scale}x data)",
         f"/v1/totals?year={year}&group_by=region&region_level=province", admin,
         BASELINE_SELECT.format(key="p.province") + " " + join + " GROUP BY p.province"),
    ]
    for name, path, tok, q in cases:
        # warm both (caches, the server's connections, psql's first plan)
        for _ in range(2):
            http_ms(conn, path, tok)
            psql_ms(db, q)
        ours, base_ms = [], []
        for _ in range(rounds):
            ours.append(http_ms(conn, path, tok))
            base_ms.append(psql_ms(db, q))
        o, b = statistics.median(ours), statistics.median(base_ms)
        print(f"{name}\t{o:.1f}\t{b:.1f}\t{o / b:.2f}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""bench.py -- the totals of colours of GET /v1/monitoring against a bare
SELECT ... GROUP BY in psql over the same rows, in the same run.

    bench.py BASE_URL DATABASE_URL ADMIN_TOKEN PROVINCE_TOKEN YEAR SCALE ROUNDS

Each figure alternates ours and the baseline ROUNDS times; medians
compared.  Ours is the wall time of the HTTP request (limit=1: one item and
the totals of every page, which is what a bureau's dashboard asks for) on
a kept-alive connection; the baseline is psql's \\timing of the bare
aggregate (second run in its session), jit off on both sides, computing
the same counts and sums per group and colour with the default thresholds
written into the query (no reach rule, no lookup of a region's
thresholds, no JSON):

  province, one period: a province finance bureau (安徽, 340000), June,
      grouped by region;
  country, one period: the operator, September, grouped by region;
  province, latest report of each project: the province bureau, no
      period, grouped by department (the baseline picks the latest
      report with DISTINCT ON).
Prints "figure, ours ms, baseline ms, ratio" (tab-separated) per figure.
"""
import http.client
import os
import statistics
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "totals"))
from bench import http_ms, psql_ms  # noqa: E402  (tests/bench/totals/bench.py)

COLOUR = ("CASE WHEN b.budget IS NULL OR b.budget <= 0 THEN 'none'"
          " WHEN b.executed * 12 >= 0.8 * b.budget * b.months THEN 'green'"
          " WHEN b.executed * 12 >= 0.6 * b.budget * b.months THEN 'yellow' ELSE 'red' END")
ROWS = ("SELECT m.region_code, coalesce(m.parent_org_id, m.org_id) AS dept, m.months, m.executed,"
        " coalesce(p.budget_adjusted, p.budget_initial) AS budget"
        " FROM monitoring_reports m JOIN projects p ON p.province = m.province"
        " AND p.id = m.project_id WHERE m.year = {year}{where}")
LATEST = ("SELECT DISTINCT ON (m.province, m.project_id) m.region_code,"
          " coalesce(m.parent_org_id, m.org_id) AS dept, m.months, m.executed,"
          " coalesce(p.budget_adjusted, p.budget_initial) AS budget"
          " FROM monitoring_reports m JOIN projects p ON p.province = m.province"
          " AND p.id = m.project_id WHERE m.year = {year}{where}"
          " ORDER BY m.province, m.project_id, m.months DESC, m.id DESC")
AGG = ("SELECT b.{key}, " + COLOUR + ", count(*), sum(b.budget), sum(b.executed)"
       " FROM ({rows}) b GROUP BY 1, 2")


def main():
    base, db, admin, ptok, year, scale, rounds = sys.argv[1:8]
    rounds, year = int(rounds), int(year)
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    prov = " AND m.province = '340000'"
    cases = [
        (f"colour totals: province, one period ({scale}x data)",
         f"/v1/monitoring?year={year}&period={year}-06&limit=1&group_by=region", ptok,
         AGG.format(key="region_code",
                    rows=ROWS.format(year=year, where=prov + f" AND m.period = '{year}-06'"))),
        (f"colour totals: country, one period ({scale}x data)",
         f"/v1/monitoring?year={year}&period={year}-09&limit=1&group_by=region", admin,
         AGG.format(key="region_code",
                    rows=ROWS.format(year=year, where=f" AND m.period = '{year}-09'"))),
        (f"colour totals: province, latest per project ({scale}x data)",
         f"/v1/monitoring?year={year}&limit=1&group_by=department", ptok,
         AGG.format(key="dept", rows=LATEST.format(year=year, where=prov))),
    ]
    for name, path, tok, q in cases:
        for _ in range(2):  # warm caches and the server's connections
            http_ms(conn, path, tok)
            psql_ms(db, q)
        ours, bare = [], []
        for _ in range(rounds):
            ours.append(http_ms(conn, path, tok))
            bare.append(psql_ms(db, q))
        o, b = statistics.median(ours), statistics.median(bare)
        print(f"{name}\t{o:.1f}\t{b:.1f}\t{o / b:.2f}", flush=True)


if __name__ == "__main__":
    main()

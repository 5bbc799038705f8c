#!/usr/bin/python3
"""explain.py REPO DATABASE_URL YEAR -- EXPLAIN (ANALYZE, BUFFERS) of the
statements behind run.sh's figures (the texts of server/db/totals.c, read
through the C preprocessor, with the values bound as the server binds
them; jit off): the totals from totals_summary for the country by province
and for one province-year, the same country figure from the per-subject
rows (the path for requests the summary cannot answer), the bare baseline,
and the findings page of a province-year."""
import re
import subprocess
import sys

repo, url, year = sys.argv[1:4]
pp = subprocess.run(["cpp", "-P", f"-I{repo}/server", f"-I{repo}/lib/include",
                     "-I/usr/include/postgresql", f"{repo}/server/db/totals.c"],
                    capture_output=True, text=True, check=True).stdout


def statement(name):
    m = re.search(r"pool_stmt " + name + r' = \{\s*"[^"]*",(.*?),\s*\d+\s*\};', pp, re.S)
    return "".join(bytes(p, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
                   for p in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))


sql = statement("st_totals")
sql_summary = statement("st_totals_summary")
sql_findings = statement("st_findings_province")
F = "false"
country = ["admin", "1", "", "000000", year, year, None, None,
           "{project}", "true", "province", F, F, F, F, F, F,
           "{submitted,accepted}"]
lit = lambda v: "NULL" if v is None else "'" + v.replace("'", "''") + "'"
fin = subprocess.run(["/usr/lib/postgresql/15/bin/psql", url, "-XAtc",
                      "SELECT id FROM orgs WHERE kind = 'finance' AND region_code = '340000'"],
                     capture_output=True, text=True).stdout.strip()
province = ["finance", fin, "34", "340000", year, year, None, None,
            "{project,department_wide,unit_wide}", F, "city", F, F, F, F, F, F,
            "{submitted,accepted}"]
base = ("SELECT p.province, count(*), count(r.normalised), sum(p.budget_initial),"
        " sum(p.budget_adjusted), sum(p.budget_executed), avg(r.normalised),"
        " sum(r.normalised * p.budget_adjusted) / sum(p.budget_adjusted)"
        " FILTER (WHERE r.normalised IS NOT NULL)"
        " FROM projects p LEFT JOIN evaluation_rollups r ON r.year = p.year"
        " AND r.province = p.province AND r.subject = 'project' AND r.subject_id = p.id"
        f" WHERE p.year = {int(year)} AND p.status IN ('submitted', 'accepted')"
        " GROUP BY p.province")


def explain(title, q):
    print(f"== {title}")
    r = subprocess.run(["/usr/lib/postgresql/15/bin/psql", url, "-XAtq", "-c", "SET jit = off",
                        "-c", "EXPLAIN (ANALYZE, BUFFERS) " + q],
                       capture_output=True, text=True)
    print(r.stdout + r.stderr)


def bind(args, text=sql):
    out = text
    for i in range(len(args), 0, -1):
        out = out.replace(f"${i}", lit(args[i - 1]))
    return out


explain("GET /v1/totals, country by province, from totals_summary",
        bind([None, None, year, year, "{project}", "{submitted,accepted}", "true", F, F, F],
             sql_summary))
explain("GET /v1/totals, one province-year (a province finance bureau), from totals_summary",
        bind(["340000", None, year, year, "{project}", "{submitted,accepted}", F, F, F, F],
             sql_summary))
explain("baseline: bare SELECT ... GROUP BY province", base)
explain("the same country figure from the per-subject rows (the path when the summary cannot"
        " answer; planned with its values)", bind(country))
explain("GET /v1/findings?year=Y, a province finance bureau's first page",
        bind(["finance", fin, "34", "340000", year, None, None, None, None, "0", "-1", "51"],
             sql_findings))

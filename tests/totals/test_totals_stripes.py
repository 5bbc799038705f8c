"""Writers of one summary grain do not wait for each other (sql/0012).

Each transaction that writes totals_summary claims a stripe no other open
transaction holds, so a second writer of the same province, year, scope,
status and fund nature goes on while the first still holds its
transaction open -- under 0011 both updated the row of their
organisation's stripe and the second waited for the first's commit.  A
subject added through one stripe and deleted through another leaves a
negative row beside a positive one; the sums over the grain stay exact
(check: both totals paths against Python's sums, the summary against a
rebuild).  Runs after test_totals_changes.py, on the same tiny country.
"""
import queue
import subprocess
import threading
import time

from test_totals import DB, PSQL, sql
from test_totals_changes import api, check, project_doc, world  # noqa: F401 (fixture)

GRAIN_2029 = ("year = 2029 AND scope = 'project' AND status = 'draft'"
              " AND fund_nature = '对下转移支付'")
STRIPE = "SELECT current_setting('jx.tsum_stripe')"


class Session:
    """One psql session held open between statements (a transaction can
    stay open while the test does something else)."""

    def __init__(self, setup=""):
        self.p = subprocess.Popen([PSQL, DB, "-XAtq", "-F", "\t", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        if setup:
            self.run(setup)

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def run(self, q, timeout=10):
        """The statements' output lines; fails on an error or a wait past timeout."""
        self.p.stdin.write(q + ";\nSELECT 'jx-done';\n")
        self.p.stdin.flush()
        out, end = [], time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.0, end - time.monotonic()))
            assert line is not None, self.p.stderr.read()
            if line == "jx-done":
                return out
            out.append(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def test_two_sessions_write_one_grain_at_once(world):
    # two projects of one grain that shared a summary row under 0011
    # (their organisations in the same org_id % 8)
    pair = sql("SELECT p.id, q.id FROM projects p JOIN projects q ON q.province = p.province"
               " AND q.year = p.year AND q.status = p.status"
               " AND q.fund_nature IS NOT DISTINCT FROM p.fund_nature"
               " AND q.org_id % 8 = p.org_id % 8 AND q.id > p.id ORDER BY 1, 2 LIMIT 1")
    assert pair, "the generated country has no two projects in one grain and stripe"
    p1, p2 = pair[0]
    bump = "UPDATE projects SET budget_executed = coalesce(budget_executed, 0) + 0.01 WHERE id = "
    a = Session()
    b = Session("SET statement_timeout = '2s'")
    try:
        a.run("BEGIN; " + bump + p1)            # holds its summary row until COMMIT
        b.run("BEGIN; " + bump + p2)            # would wait for a: timeout after 2 s
        assert b.run(STRIPE) != a.run(STRIPE)
        b.run("COMMIT")
        a.run("COMMIT")
    finally:
        a.close()
        b.close()
    check(world)


def test_the_api_writes_beside_an_open_transaction_and_deletes_through_another_stripe(world):
    u = world["t_unit"]
    w = api("POST", "/v1/projects", u, project_doc("分条测试项目甲", 2029))
    a = Session()
    try:
        a.run("BEGIN; UPDATE projects SET budget_executed = coalesce(budget_executed, 0) + 0.01"
              f" WHERE id = {w['id']}")         # a's stripe's row of the grain, locked
        t0 = time.monotonic()
        # under 0011 these waited for a's row: 503 after JIXIAO_DB_TIMEOUT (2 s)
        x = api("POST", "/v1/projects", u, project_doc("分条测试项目乙", 2029))
        api("POST", "/v1/projects", u, project_doc("分条测试项目丙", 2029))
        assert time.monotonic() - t0 < 2
        held = a.run(STRIPE)[0]
        a.run("ROLLBACK")
    finally:
        a.close()
    check(world)
    # a's stripe is free again: the deletes go there, the creates went elsewhere
    api("DELETE", f"/v1/projects/{x['id']}", u, version=1)
    api("DELETE", f"/v1/projects/{w['id']}", u, version=1)
    rows = sql(f"SELECT stripe, n FROM totals_summary WHERE {GRAIN_2029} ORDER BY stripe")
    assert [r for r in rows if r[0] == held] == [[held, "-1"]]     # +1 -1 -1
    assert sum(int(n) for _, n in rows) == 1                        # 丙
    check(world)


def test_concurrent_writers_keep_the_sums_exact(world):
    # six sessions, each moving its own projects (budget, status, year) in
    # transactions of two statements held open a little, all at once: the
    # transactions overlap, claim different stripes, and the sums over
    # stripes still match a rebuild and the raw rows
    ids = [r[0] for r in sql("SELECT id FROM projects ORDER BY id LIMIT 48")]
    move = ("UPDATE projects SET budget_executed = coalesce(budget_executed, 0) + 0.37,"
            " status = CASE status WHEN 'draft' THEN 'submitted' WHEN 'submitted' THEN"
            " 'accepted' ELSE 'draft' END, year = CASE WHEN id % 3 <> 0 THEN year"
            " WHEN year = 2023 THEN 2024 WHEN year = 2024 THEN 2023 ELSE year END WHERE id = ")
    procs = []
    for k in range(6):
        mine = ids[k::6]
        script = "".join(f"BEGIN; {move}{mine[i % len(mine)]}; SELECT pg_sleep(0.01);"
                         f" {move}{mine[(i + 1) % len(mine)]}; COMMIT;\n" for i in range(20))
        procs.append(subprocess.Popen([PSQL, DB, "-XAtq", "-v", "ON_ERROR_STOP=1"],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True))
        procs[-1].stdin.write(script)
        procs[-1].stdin.close()
    for p in procs:
        assert p.wait(timeout=60) == 0, p.stderr.read()
    # the tests before used stripes 0 and 1 only: three or more at once now
    assert int(sql("SELECT max(stripe) FROM totals_summary")[0][0]) >= 2
    check(world)

"""A server started while its database is unreachable serves what needs
no database, answers 503 for the rest, and still stops cleanly (exit 0)
on SIGTERM."""
import signal

import requests

from conftest import FAULT_TMP, assert_problem, start_server

NOWHERE = f"postgresql://jixiao@/jixiao?host={FAULT_TMP}/no-such-socket-dir"


def test_start_without_database_serves_and_refuses():
    with start_server(DATABASE_URL=NOWHERE) as (base, proc):
        assert requests.get(base + "/healthz", timeout=10).status_code == 200
        r = requests.get(base + "/readyz", timeout=10)
        assert_problem(r, 503)
        assert r.headers["Retry-After"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "no clean stop after SIGTERM"

"""A database schema newer than the server knows: the server refuses to
start, /readyz on a running one says 503, migrate refuses too."""
import os
import socket
import subprocess

import requests

from conftest import SERVER_BIN, assert_problem, run_server_cmd, url
from test_40_auth import sql


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_newer_schema_is_refused(migrated):
    sql("INSERT INTO schema_migrations (version, name, checksum) "
        "VALUES (9999, '9999_future.sql', 'x')")
    try:
        r = requests.get(url("/readyz"), timeout=10)
        body = assert_problem(r, 503)
        assert "newer" in body["title"] + body["detail"]

        env = dict(os.environ, JIXIAO_LISTEN=f"127.0.0.1:{free_port()}")
        p = subprocess.run([SERVER_BIN], env=env, capture_output=True, text=True, timeout=30)
        assert p.returncode != 0
        assert "refusing to serve" in p.stderr
        assert "Sanitizer" not in p.stderr

        m = run_server_cmd("migrate")
        assert m.returncode != 0
        assert "newer" in m.stdout + m.stderr
    finally:
        sql("DELETE FROM schema_migrations WHERE version = 9999")
    assert requests.get(url("/readyz"), timeout=10).status_code == 200

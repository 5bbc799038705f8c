"""Shared helpers for the fault tests (run by tests/fault/run.sh).

run.sh starts a private PostgreSQL cluster, migrates it, starts the server
with a short client timeout, a short pool wait and a 16 MiB body limit, and
exports:
  JX_BASE_URL, JX_SERVER_PID, JX_SERVER_BIN, JX_SANITIZED (1 for ASan+UBSan)
  JX_PG_SH, JX_PG_DIR        to stop and start the database mid-test
  JX_FAULT_TMP               where extra servers put their stderr
  JIXIAO_TIMEOUT, JIXIAO_DB_TIMEOUT, JIXIAO_MAX_BODY, DATABASE_URL,
  JX_BOOTSTRAP_TOKEN, JX_SHARED, JX_REPO

Tests that need a server of their own (different settings, or one to
SIGKILL under write load) use start_server().  The write-load faults of
operations.md (database restart and SIGKILL while clients POST
/v1/projects: every acknowledged write present once, no half-written
project) are in test_70_write_faults.py: writers in threads, the 2xx ids
counted, then checked through psql on DATABASE_URL.
"""
import contextlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.parse

import pytest
import requests

BASE = os.environ.get("JX_BASE_URL", "http://127.0.0.1:8080")
_u = urllib.parse.urlparse(BASE)
HOST, PORT = _u.hostname, _u.port
REPO = pathlib.Path(os.environ.get("JX_REPO", pathlib.Path(__file__).resolve().parents[2]))
SHARED = pathlib.Path(os.environ.get("JX_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"
SERVER_BIN = os.environ.get("JX_SERVER_BIN", "")
SERVER_PID = int(os.environ.get("JX_SERVER_PID", "0"))
SANITIZED = os.environ.get("JX_SANITIZED") == "1"
TOKEN = os.environ.get("JX_BOOTSTRAP_TOKEN", "")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AUTH_LINE = f"Authorization: Bearer {TOKEN}\r\n".encode()  # for raw requests
TIMEOUT = float(os.environ.get("JIXIAO_TIMEOUT", "2"))          # client inactivity, s
DB_TIMEOUT = float(os.environ.get("JIXIAO_DB_TIMEOUT", "1000")) / 1000.0  # pool wait, s
FAULT_TMP = pathlib.Path(os.environ.get("JX_FAULT_TMP", "/tmp"))


def url(path):
    return BASE + path


def fixture_files():
    return sorted(p for p in FIXTURES.glob("*.json") if p.name[0].isdigit())


def load_fixture(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def fixture_document(name="000-suzhou-fund-supervision.json"):
    return load_fixture(FIXTURES / name)["document"]


def rss_kib(pid=None):
    """The server's resident set size in KiB (VmRSS)."""
    with open(f"/proc/{pid or SERVER_PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def fd_count(pid=None):
    return len(os.listdir(f"/proc/{pid or SERVER_PID}/fd"))


def server_alive(pid=None):
    try:
        os.kill(pid or SERVER_PID, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid or SERVER_PID}/stat") as f:
        return f.read().split(") ", 1)[1][0] != "Z"


def assert_healthy(base=BASE, pid=None, ready=True):
    """The server process lives and answers /healthz (and /readyz) at once,
    on a fresh connection."""
    assert server_alive(pid), "the server process is gone"
    r = requests.get(base + "/healthz", timeout=10)
    assert r.status_code == 200, r.text
    if ready:
        r = requests.get(base + "/readyz", timeout=10)
        assert r.status_code == 200, r.text


def assert_problem(resp, status=None):
    """An RFC 9457 problem: the right media type, the members, a 4xx."""
    ct = resp.headers.get("Content-Type", "")
    assert ct.startswith("application/problem+json"), (resp.status_code, ct, resp.text[:300])
    body = resp.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem lacks {key}: {body}"
    assert body["status"] == resp.status_code
    if status is not None:
        assert resp.status_code == status, resp.text[:300]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"].startswith("urn:jixiao:problem:")
    return body


def wait_for(fn, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


PSQL = "/usr/lib/postgresql/15/bin/psql"


def sql(query):
    """One statement through psql on DATABASE_URL; its rows as text."""
    r = subprocess.run([PSQL, os.environ["DATABASE_URL"], "-XtAc", query],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def pg(cmd):
    """scripts/pg.sh stop|start on the test cluster."""
    r = subprocess.run([os.environ["JX_PG_SH"], cmd, os.environ["JX_PG_DIR"]],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


# ---- raw HTTP -------------------------------------------------------------

def connect(timeout=10, host=HOST, port=PORT):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def abort(s):
    """Closes with RST (SO_LINGER 0): no TIME_WAIT left on this side."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    s.close()


def read_until_close(s, limit=1 << 24):
    """Reads until EOF, reset or timeout; returns (bytes, how) with how in
    'eof', 'reset', 'timeout'."""
    chunks, n = [], 0
    while n < limit:
        try:
            b = s.recv(65536)
        except socket.timeout:
            return b"".join(chunks), "timeout"
        except (ConnectionResetError, BrokenPipeError):
            return b"".join(chunks), "reset"
        if not b:
            return b"".join(chunks), "eof"
        chunks.append(b)
        n += len(b)
    return b"".join(chunks), "limit"


def parse_responses(data):
    """Splits raw bytes into [(status, headers, body)] for every complete
    HTTP/1.x response (Content-Length framed, as the server sends)."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        assert parts[0].startswith(b"HTTP/1."), lines[0][:100]
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
        n = int(headers.get("content-length", "0"))
        out.append((status, headers, rest[:n]))
        data = rest[n:]
    return out


def _complete_responses(data):
    try:
        return [r for r in parse_responses(data) if r[0] >= 200]
    except (AssertionError, ValueError, IndexError):
        return []


def exchange(request_bytes, timeout=None, half_close=False, settle=0.15):
    """Sends raw bytes on a fresh connection and reads until the server
    closes, or until it has sent at least one whole final response and
    then nothing for `settle` seconds (a kept-alive connection: 'answered'),
    or until it has been quiet for `timeout` (default client timeout + 3 s)
    with no whole response ('timeout').  Returns (bytes, how)."""
    s = connect(timeout=timeout or TIMEOUT + 3)
    try:
        try:
            s.sendall(request_bytes)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                data = b"".join(chunks)
                return data, ("answered" if _complete_responses(data) else "timeout")
            except (ConnectionResetError, BrokenPipeError):
                return b"".join(chunks), "reset"
            if not b:
                return b"".join(chunks), "eof"
            chunks.append(b)
            if settle and _complete_responses(b"".join(chunks)):
                s.settimeout(settle)
    finally:
        abort(s)


# ---- servers of their own ---------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


_server_seq = [0]


@contextlib.contextmanager
def start_server(expected_to_crash=False, **env):
    """A second server on the same database with extra settings
    (JIXIAO_* names as keyword arguments); yields (base_url, Popen).  On
    exit: SIGTERM, exit status 0 required (unless it is gone already: the
    test killed it, or it crashed, which the test itself must judge);
    run.sh checks its stderr for sanitizer reports, except for a server
    started for a strict-xfail test of a known crash (expected_to_crash)."""
    _server_seq[0] += 1
    port = free_port()
    e = dict(os.environ)
    e.update({k: str(v) for k, v in env.items()})
    e["JIXIAO_LISTEN"] = f"127.0.0.1:{port}"
    prefix = "known-crash-server" if expected_to_crash else "server"
    err = open(FAULT_TMP / f"{prefix}-{_server_seq[0]}.err", "wb")
    proc = subprocess.Popen([SERVER_BIN], env=e, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(base + "/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return proc.poll() is not None
    wait_for(up, 20, 0.1)
    assert proc.poll() is None, "the extra server did not start"
    try:
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                rc = "hung"
            err.close()
            assert rc == 0, f"extra server exited {rc} after SIGTERM"
        else:
            err.close()


@pytest.fixture
def healthy_after():
    """Checks the shared server is alive and answering after the test."""
    yield
    assert_healthy()

"""The server raises glibc's tcache (main.c: it starts itself once more
with GLIBC_TUNABLES set, since glibc reads tunables only at start).  It
keeps its name and its pid doing so, and an operator's own GLIBC_TUNABLES
is left as it is."""
import os

from conftest import SERVER_PID, assert_healthy, start_server

TUNABLES = "glibc.malloc.tcache_count=2000"


def environ(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(kv.split("=", 1) for kv in f.read().decode().split("\0") if "=" in kv)


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def test_the_server_runs_with_the_raised_tcache_under_its_own_name():
    assert environ(SERVER_PID).get("GLIBC_TUNABLES") == TUNABLES
    assert comm(SERVER_PID) == "jixiao-server"     # not "exe"
    assert_healthy()                                # the pid run.sh started is the server


def test_an_operators_glibc_tunables_are_left_alone():
    mine = "glibc.malloc.tcache_count=5"
    with start_server(GLIBC_TUNABLES=mine) as (_, proc):
        assert environ(proc.pid).get("GLIBC_TUNABLES") == mine
        assert comm(proc.pid) == "jixiao-server"
    with start_server(GLIBC_TUNABLES="") as (_, proc):
        assert environ(proc.pid).get("GLIBC_TUNABLES") == ""


def test_the_tests_own_environment_has_no_tunables():
    # otherwise the first test would prove nothing
    assert "GLIBC_TUNABLES" not in os.environ
